#!/usr/bin/env bash
# The README's main job until the engine lands: grade an example generations file for MATH-500 and print
# the table beside the DeepSeek-R1 paper's numbers. Run from the repo root after building into build/.
# Data: ../shared/data when present (the layout of the project's data folder), else R1EVAL_DATA_DIR, else the
# Hugging Face hub (downloaded into ~/.cache/r1eval).
set -euo pipefail
cd "$(dirname "$0")/.."
r1eval=build/r1eval
mkdir -p build/example
"$r1eval" prompts --task math500 --samples 4 --seed 0 --data-dir ../shared/data \
  | python3 tools/make_example_generations.py --seed 0 > build/example/math500_generations.jsonl
"$r1eval" grade --task math500 --generations build/example/math500_generations.jsonl --seed 0 \
  --data-dir ../shared/data --out build/runs/example-math500 --force --reference r1-paper
