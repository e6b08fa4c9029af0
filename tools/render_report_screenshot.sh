#!/usr/bin/env bash
# Renders an r1eval report.html in a real browser (headless Chromium from Debian: apt-get install -y chromium)
# and saves a PNG, to check by eye that the self-contained page (inline CSS and SVG, no script, no network)
# draws its tables and charts.
#
# usage: tools/render_report_screenshot.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
#   OUT.png defaults to REPORT.png beside the report; the window defaults to 1280x2000.
# Example (the report the results tests write):
#   cmake --build build --target results_tests && ./build/tests/results_tests --gtest_filter='RenderHtml.*'
#   tools/render_report_screenshot.sh build/test-tmp/report.html build/test-tmp/report.png
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 REPORT.html [OUT.png] [WIDTHxHEIGHT]" >&2
  exit 2
fi
report=$1
out=${2:-${report%.html}.png}
size=${3:-1280x2000}
if [[ ! -f $report ]]; then
  echo "$0: report '$report' does not exist" >&2
  exit 1
fi
if [[ ! $size =~ ^[0-9]+x[0-9]+$ ]]; then
  echo "$0: window size '$size' is not WIDTHxHEIGHT" >&2
  exit 2
fi
browser=""
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null; then
    browser=$candidate
    break
  fi
done
if [[ -z $browser ]]; then
  echo "$0: no chromium found; install it with: apt-get install -y chromium" >&2
  exit 1
fi

report_url="file://$(realpath "$report")"
out_abs="$(realpath -m "$out")"
# Chromium writes the screenshot under a name it is given; render to a temporary name beside the output and
# rename, so a failed run never leaves a half-written PNG. A private profile folder keeps runs independent.
profile=$(mktemp -d)
tmp_png="$out_abs.tmp.$$.png"
trap 'rm -rf "$profile" "$tmp_png"' EXIT
# --no-sandbox: Chromium refuses to start its sandbox as root (CI containers); the page is our own file.
# --disable-gpu and --hide-scrollbars give the same pixels on machines with and without a display stack.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$tmp_png" "$report_url" >/dev/null 2>&1 || {
  echo "$0: $browser failed to render $report" >&2
  exit 1
}
if [[ ! -s $tmp_png ]]; then
  echo "$0: $browser wrote no screenshot for $report" >&2
  exit 1
fi
mv "$tmp_png" "$out_abs"
echo "$out_abs"
