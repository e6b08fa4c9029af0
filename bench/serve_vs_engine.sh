#!/usr/bin/env bash
# Throughput of the same run through `r1eval serve` (HTTP, completions API) and through the engine
# directly, on the tiny test checkpoint: samples/s (= requests/s for the endpoint) and generated tokens/s,
# whole run (generation + grading + storing). Both runs must give identical samples; the script checks.
#   bench/serve_vs_engine.sh [SAMPLES_PER_PROBLEM] [MAX_TOKENS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-4}; max_tokens=${2:-64}; concurrency=${3:-64}
work=build/serve-bench
rm -rf "$work"; mkdir -p "$work"
python3 tools/check_serve_openai.py --make-tiny-model "$work/model"
args=(--tasks math500 --limit 100 --samples "$k" --max-tokens "$max_tokens" --seed 1 --progress-seconds 60
      --data-dir ../shared/data --offline)
tokens() { python3 -c "import json,sys; print(sum(json.loads(l)['completion_tokens'] for l in open(sys.argv[1])))" "$1/samples.jsonl"; }
report() {  # name seconds folder
  local n t; n=$(wc -l < "$3/samples.jsonl"); t=$(tokens "$3")
  python3 -c "import sys; n,t,s=int(sys.argv[2]),int(sys.argv[3]),float(sys.argv[4]); print(f'{sys.argv[1]:<28} {n} samples, {t} tokens in {s:.2f} s: {n/s:.1f} samples/s, {t/s:.0f} tokens/s')" "$1" "$n" "$t" "$2"
}
start=$(date +%s.%N)
build/r1eval run --model "$work/model" --kv-cache-gb 0.25 --out "$work/engine" "${args[@]}" > /dev/null 2> "$work/engine.log"
engine_s=$(python3 -c "import sys,time; print(time.time()-float(sys.argv[1]))" "$start")

build/r1eval serve --model "$work/model" --port 0 --kv-cache-gb 0.25 2> "$work/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*on http://127\.0\.0\.1:\([0-9]*\)/v1.*|\1|p' "$work/serve.log"); [ -n "$port" ] && break; sleep 0.1
done
start=$(date +%s.%N)
build/r1eval run --endpoint "http://127.0.0.1:$port/v1" --api completions --concurrency "$concurrency" \
  --out "$work/endpoint" "${args[@]}" > /dev/null 2> "$work/endpoint.log"
endpoint_s=$(python3 -c "import sys,time; print(time.time()-float(sys.argv[1]))" "$start")
kill -TERM "$pid"; wait "$pid" || true; trap - EXIT

report "engine (run --model)" "$engine_s" "$work/engine"
report "endpoint (run --endpoint)" "$endpoint_s" "$work/endpoint"
python3 - "$work" <<'PY'
import json, sys
load = lambda d: {(r["task"], r["problem_id"], r["sample_index"]): r["response"] for r in map(json.loads, open(f"{sys.argv[1]}/{d}/samples.jsonl"))}
a, b = load("engine"), load("endpoint")
print("identical samples:", a == b, f"({len(a)})")
sys.exit(0 if a == b else 1)
PY
