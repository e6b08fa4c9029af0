#!/usr/bin/env bash
# Device check of issue 5, to run on one GPU machine (an H200) in under 8 minutes:
#   1. build Release with CUDA on; run the kernel tests (CPU twins and CUDA-vs-CPU, which must not skip);
#   2. run the CUDA kernel benchmarks and write the table (GB/s against the device's peak bandwidth);
#   3-5. engine steps (random-weight checkpoint, parity, speed) are TODO until the CUDA engine lands.
# Writes everything under $OUT when set (else build-device/device-check). Exit status: 0 when every
# step that ran passed, 1 when a test failed, 2 when the build or a prerequisite is missing.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-device}
RESULTS=${OUT:-$BUILD/device-check}
mkdir -p "$RESULTS"
LOG=$RESULTS/device_check.log
START=$(date +%s)
say() { echo "[device_check +$(( $(date +%s) - START ))s] $*" | tee -a "$LOG"; }
fail() { say "FAILED: $*"; exit "${2:-1}"; }

# --- prerequisites ----------------------------------------------------------------------------------
for tool in cmake g++ python3 nvidia-smi; do
  command -v "$tool" >/dev/null 2>&1 || fail "prerequisite missing: $tool" 2
done
NVCC=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$NVCC" ] || fail "prerequisite missing: nvcc (set CUDACXX)" 2
nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv | tee "$RESULTS/gpu.csv" | tee -a "$LOG"
# Build only for the GPU at hand (sm_90 on an H200) to keep the compile short.
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
[ -n "$ARCH" ] || ARCH="80;90"
GENERATOR=()
command -v ninja >/dev/null 2>&1 && GENERATOR=(-G Ninja)

# --- 1. build and kernel tests ----------------------------------------------------------------------
# The whole project is configured first. Should that fail on this machine (a -dev package of another
# module missing), the kernels alone are built from a minimal project over the same sources, so the
# kernel checks still run; KERNELS_ONLY=1 asks for that build directly.
configure_kernels_only() {
  local src=$BUILD/kernels-only-src
  mkdir -p "$src"
  cat >"$src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(r1eval_kernels_only LANGUAGES CXX CUDA)
set(ROOT "$ROOT")
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_STANDARD 17)
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
find_package(TBB REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(CUDAToolkit REQUIRED)
file(GLOB_RECURSE cpu_srcs \${ROOT}/kernels/*.cpp)
add_library(r1eval_kernels STATIC \${cpu_srcs})
target_include_directories(r1eval_kernels PUBLIC \${ROOT})
target_link_libraries(r1eval_kernels PUBLIC PkgConfig::OPENBLAS TBB::tbb)
target_compile_options(r1eval_kernels PRIVATE -ffp-contract=off)
file(GLOB cu_srcs \${ROOT}/kernels/cuda/*.cu)
add_library(r1eval_kernels_cuda STATIC \${cu_srcs})
target_link_libraries(r1eval_kernels_cuda PUBLIC r1eval_kernels CUDA::cudart CUDA::cublasLt)
target_compile_options(r1eval_kernels_cuda PRIVATE --expt-relaxed-constexpr)
file(GLOB test_srcs \${ROOT}/tests/kernels/*.cpp)
add_executable(kernels_tests \${test_srcs})
target_link_libraries(kernels_tests PRIVATE r1eval_kernels GTest::gtest GTest::gtest_main)
add_executable(kernels_cuda_tests \${ROOT}/tests/kernels/cuda/kernels_cuda_test.cu)
target_link_libraries(kernels_cuda_tests PRIVATE r1eval_kernels_cuda GTest::gtest GTest::gtest_main)
set_target_properties(kernels_tests kernels_cuda_tests PROPERTIES RUNTIME_OUTPUT_DIRECTORY \${CMAKE_BINARY_DIR}/tests)
add_executable(kernels_cuda_bench \${ROOT}/bench/kernels_cuda_benchmarks.cpp)
target_link_libraries(kernels_cuda_bench PRIVATE r1eval_kernels_cuda benchmark::benchmark)
set_target_properties(kernels_cuda_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY \${CMAKE_BINARY_DIR}/bench)
CMAKE
  BUILD=$BUILD/kernels-only
  cmake -S "$src" -B "$BUILD" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$NVCC" \
    -DCMAKE_CUDA_ARCHITECTURES="$ARCH" >>"$RESULTS/configure.log" 2>&1
}

say "configure (Release, CUDA on, arch $ARCH)"
if [ "${KERNELS_ONLY:-0}" = 1 ] || ! cmake -S "$ROOT" -B "$BUILD" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release \
     -DR1EVAL_CUDA=ON -DCMAKE_CUDA_COMPILER="$NVCC" -DCMAKE_CUDA_ARCHITECTURES="$ARCH" >"$RESULTS/configure.log" 2>&1; then
  [ "${KERNELS_ONLY:-0}" = 1 ] || { tail -5 "$RESULTS/configure.log"; say "project configure failed; building the kernels alone"; }
  configure_kernels_only || { tail -25 "$RESULTS/configure.log"; fail "cmake configure (see configure.log; a missing -dev package?)" 2; }
fi
say "build kernel targets in $BUILD"
cmake --build "$BUILD" -j"$(nproc)" --target kernels_tests kernels_cuda_tests kernels_cuda_bench \
  >"$RESULTS/build.log" 2>&1 || { tail -40 "$RESULTS/build.log"; fail "build (see build.log)" 2; }

say "CPU twin tests"
"$BUILD/tests/kernels_tests" --gtest_output="xml:$RESULTS/kernels_tests.xml" >"$RESULTS/kernels_tests.txt" 2>&1
CPU_STATUS=$?
tail -3 "$RESULTS/kernels_tests.txt" | tee -a "$LOG"

say "CUDA vs CPU tests"
"$BUILD/tests/kernels_cuda_tests" --gtest_output="xml:$RESULTS/kernels_cuda_tests.xml" >"$RESULTS/kernels_cuda_tests.txt" 2>&1
CUDA_STATUS=$?
tail -3 "$RESULTS/kernels_cuda_tests.txt" | tee -a "$LOG"
if grep -q "SKIPPED" "$RESULTS/kernels_cuda_tests.txt"; then
  say "CUDA tests were skipped: the GPU was not visible to the test binary"
  CUDA_STATUS=1
fi

# --- 2. kernel benchmarks ---------------------------------------------------------------------------
say "CUDA kernel benchmarks"
"$BUILD/bench/kernels_cuda_bench" --benchmark_min_time=0.2 \
  --benchmark_out="$RESULTS/kernels_cuda_bench.json" --benchmark_out_format=json \
  >"$RESULTS/kernels_cuda_bench.txt" 2>&1 || say "benchmark run failed (see kernels_cuda_bench.txt)"
if [ -s "$RESULTS/kernels_cuda_bench.json" ]; then
  python3 "$ROOT/tools/kernels_bench_table.py" "$RESULTS/kernels_cuda_bench.json" >"$RESULTS/kernels_table.md"
  cat "$RESULTS/kernels_table.md" | tee -a "$LOG"
fi

# --- 3-5. engine (TODO until the CUDA backend of the engine lands) ----------------------------------
# TODO(engine) 3. Make a random-weight checkpoint of R1-Distill-Qwen-1.5B's exact shape (hidden 1536,
#   28 layers, 12 heads, 2 KV heads, intermediate 8960, vocab 151936, bf16) with the transformers installed
#   on the machine (nothing downloaded), e.g. a tools/ script building Qwen2ForCausalLM from a config.
# TODO(engine) 4. Parity: CUDA backend logits vs CPU backend and vs transformers on a short prompt
#   (relative error < 1e-2); greedy 64-token continuation identical to transformers, or report where
#   and why bf16 rounding makes them diverge.
# TODO(engine) 5. Speed: batch-1 decode tokens/s vs weight bytes / the BM_DeviceCopy bandwidth of this
#   run; 256 x (512 prompt + 2048 generated) output tokens/s; the same two through transformers
#   generate (static cache); 64 sequences decoding at 16k context vs the KV-bandwidth bound.
say "engine parity and speed: TODO (the CUDA engine backend has not landed)"

say "done in $(( $(date +%s) - START ))s; results in $RESULTS"
[ "$CPU_STATUS" -eq 0 ] && [ "$CUDA_STATUS" -eq 0 ] || exit 1
exit 0
