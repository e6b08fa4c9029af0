#!/usr/bin/env bash
# CI check that report.html draws in a real browser: renders the report the results tests write
# (build/test-tmp/report.html, from RenderHtml.WritesABrowsableReport) with headless Chromium and checks
# the screenshot is a page with charts, not an empty or broken one. Installs chromium from Debian when missing
# (a check-only dependency: r1eval itself never needs a browser).
#
# usage: tools/check_report_in_browser.sh [BUILD_DIR]    (after ctest has run; BUILD_DIR defaults to build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
report=$build/test-tmp/report.html
if [[ ! -f $report ]]; then
  echo "$0: $report does not exist; run the results tests first (ctest --test-dir $build)" >&2
  exit 2
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
png=$build/test-tmp/report.png
bash tools/render_report_screenshot.sh "$report" "$png" 1000x1600 >/dev/null
stats=$(python3 tools/png_stats.py "$png")
echo "report.html in $(chromium --version 2>/dev/null || chromium-browser --version): $stats"
# A blank or unstyled page has almost no ink and few colours; the report's tables, bars and curves give
# several percent of ink and dozens of colours (anti-aliased text and lines). The bounds are loose on purpose:
# they catch a page that did not draw, not a change of layout.
python3 - "$stats" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
problems = []
if (s["width"], s["height"]) != (1000, 1600):
    problems.append(f"size {s['width']}x{s['height']}, expected 1000x1600")
if not 0.02 <= s["inked_fraction"] <= 0.6:
    problems.append(f"inked fraction {s['inked_fraction']} outside [0.02, 0.6]")
if s["distinct_colours"] < 16:
    problems.append(f"{s['distinct_colours']} distinct colours, expected at least 16 (charts and text)")
if problems:
    print("report.html does not look drawn: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
PY
