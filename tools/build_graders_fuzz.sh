#!/bin/sh
# Builds the libFuzzer target over the math/choice graders (not part of the default build) and, when given a
# number of seconds, runs it.
#   tools/build_graders_fuzz.sh [SECONDS]        # e.g. 600 for the 10-minute run of the issue
# Needs clang from Debian (apt-get install clang) and libgmp-dev, libmpfr-dev.
# Output: build-fuzz/graders_fuzz, corpus in build-fuzz/corpus, crashes in build-fuzz/artifacts/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out/corpus" "$out/artifacts"
sources=$(find "$root/graders" -name '*.cpp' ! -name 'judge.cpp' ! -path '*/graders/code/*' | sort)
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root" $sources "$root/tools/fuzz/graders_fuzz.cpp" -lgmpxx -lgmp -lmpfr -o "$out/graders_fuzz"
# A few seeds covering every answer form; libFuzzer grows the corpus from them.
i=0
for seed in '\boxed{\frac{1}{2}}' '$x \le 3$' '\boxed{(-\infty, 3]}' '\boxed{\begin{pmatrix}1&2\\3&4\end{pmatrix}}' \
    '\boxed{1 \pm \sqrt{2}}' 'The final answer is $0.\overline{3}$.' '\boxed{5^{5^{5^{5^5}}}}' 'Answer: (C)' \
    '\boxed{2\frac13}' '\boxed{1011_2}' '\boxed{\{1,2\} \cup [3,4)}' '\boxed{y=2x+3}' '\boxed{50\%}' \
    '<think>x</think>\boxed{\sin^2 x + \cos^2 x}' '\boxed{\text{(C)}}' '\boxed{1{,}000}' '\boxed{e^{i\pi}}'; do
  printf '%s' "$seed" > "$out/corpus/seed$i"
  i=$((i + 1))
done
if [ $# -ge 1 ]; then
  cd "$out"
  ./graders_fuzz -max_total_time="$1" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
    -artifact_prefix="$out/artifacts/" "$out/corpus"
fi
