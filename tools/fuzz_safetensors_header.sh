#!/bin/sh
# Builds the libFuzzer target over the safetensors header parser with Debian's clang++
# (-fsanitize=fuzzer,address,undefined) and runs it, seeded with the committed fixture files.
# Usage: tools/fuzz_safetensors_header.sh [SECONDS]   (default 60; work files go under build/fuzz)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out="$root/build/fuzz"
mkdir -p "$out/corpus"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root" "$root/tools/safetensors_header_fuzzer.cpp" \
  "$root/engine/model/safetensors.cpp" "$root/engine/model/dtype.cpp" "$root/engine/model/mapped_file.cpp" \
  -o "$out/safetensors_header_fuzzer"
for f in $(find "$root/tests/fixtures/engine" -name '*.safetensors'); do
  # Seeds: each fixture's header plus a little data keeps inputs small enough to mutate quickly.
  name=$(echo "$f" | sed "s|$root/tests/fixtures/engine/||; s|/|_|g")
  head -c 4096 "$f" > "$out/corpus/$name"
done
cd "$out"
./safetensors_header_fuzzer -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 corpus
