#!/usr/bin/env bash
# Starts `build/r1eval serve` (on MODEL_DIR, default the tiny test checkpoint) on a free loopback port and
# checks it with the official `openai` Python client: models.list, completions, chat, streaming chat, errors.
# Exits non-zero when a check fails. The client comes from PyPI into build/openai-venv, unless
# R1EVAL_PYTHON names a Python that already has it.
#   tools/check_serve_openai.sh [MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=build/serve-check
mkdir -p "$work"
python=${R1EVAL_PYTHON:-build/openai-venv/bin/python}
if ! "$python" -c "import openai" 2>/dev/null; then
  python3 -m venv build/openai-venv
  build/openai-venv/bin/pip install --quiet openai
  python=build/openai-venv/bin/python
fi
model=${1:-}
if [ -z "$model" ]; then
  model=$work/tiny_model
  python3 tools/check_serve_openai.py --make-tiny-model "$model"
fi
build/r1eval serve --model "$model" --port 0 --kv-cache-gb 0.05 2> "$work/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*on http://127\.0\.0\.1:\([0-9]*\)/v1.*|\1|p' "$work/serve.log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
status=0
"$python" tools/check_serve_openai.py --base-url "http://127.0.0.1:$port/v1" || status=$?
kill -TERM "$pid"
wait "$pid" || { echo "serve exited with $? after SIGTERM" >&2; status=1; }
trap - EXIT
cat "$work/serve.log" >&2
exit $status
