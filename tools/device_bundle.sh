#!/usr/bin/env bash
# Builds, on this machine, what bench/device_check.sh runs on a GPU machine, and packs it with every shared
# library it loads except the ones that come with a GPU machine's driver and CUDA install (libcuda,
# cuBLASLt): device-bundle/bundle.tar.xz. A GPU machine lent for an hour of checks usually has CUDA, CMake
# and PyTorch but none of the project's -dev packages (TBB, RE2, OpenBLAS, GoogleTest, ...), and nothing
# can be installed there; the bundle runs through its own dynamic loader, so the machine's C library and
# packages do not matter. device_check.sh uses the bundle when it finds one (BUILD_ON_DEVICE=1 builds
# there instead).
#
#   tools/device_bundle.sh                 # CUDA arch 90 (H100/H200); ARCH="80;90" for both
# Environment: BUILD (default build-device-bundle), ARCH, DATA_DIR (benchmark data; its aime24/ goes into
# the bundle for the run smoke test, never into the repository).
# The bundle is built without NCCL (one GPU: tensor parallelism cannot run there) and keeps the folder the
# sources were built from in its manifest, so the device check can make the tests' fixture paths resolve.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-device-bundle}
ARCH=${ARCH:-90}
OUT_DIR=$ROOT/device-bundle
STAGE=$BUILD/bundle
TARGETS=(kernels_tests kernels_cuda_tests kernels_cuda_bench engine_tests engine_cuda_bench r1eval)

command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || { echo "device_bundle: nvcc not found" >&2; exit 2; }
NVCC=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
LAUNCHER=()
command -v ccache >/dev/null 2>&1 &&
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DR1EVAL_CUDA=ON -DR1EVAL_WITH_NCCL=OFF \
  -DCMAKE_CUDA_COMPILER="$NVCC" -DCMAKE_CUDA_ARCHITECTURES="$ARCH" "${LAUNCHER[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/lib"
for target in "${TARGETS[@]}"; do
  binary=$(find "$BUILD" -maxdepth 2 -type f -name "$target" -perm -u+x | head -1)
  [ -n "$binary" ] || { echo "device_bundle: $target was not built" >&2; exit 1; }
  cp "$binary" "$STAGE/bin/"
  strip --strip-unneeded "$STAGE/bin/$target"
done

# Every library the binaries load, resolved here; the driver's and the CUDA math libraries stay behind
# (cuBLASLt alone is half a gigabyte, and a GPU machine has its own of the same major version).
ldd "$STAGE"/bin/* | awk '/=>/ {print $3} /ld-linux/ && !/=>/ {print $1}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libcuda.so* | libcublas* | libnccl* | linux-vdso*) continue ;;
  esac
  [ -f "$lib" ] && cp -L "$lib" "$STAGE/lib/"
done
missing=$(ldd "$STAGE"/bin/* | awk '/not found/ {print $1}' | grep -v -E '^(libcuda|libcublas)' | sort -u || true)
[ -z "$missing" ] || { echo "device_bundle: libraries not found here: $missing" >&2; exit 1; }
[ -f "$STAGE/lib/ld-linux-x86-64.so.2" ] || { echo "device_bundle: no x86-64 dynamic loader found" >&2; exit 1; }

DATA=${DATA_DIR:-$ROOT/../shared/data}
if [ -d "$DATA/aime24" ]; then
  mkdir -p "$STAGE/data"
  cp -r "$DATA/aime24" "$STAGE/data/"
fi

cuda_version=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
cat >"$STAGE/manifest.txt" <<EOF
source_dir=$ROOT
test_tmp=$BUILD/test-tmp
commit=$(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!device-bundle' || echo "+changes")
built=$(date -u +%Y-%m-%dT%H:%MZ)
cuda=$cuda_version
arch=$ARCH
needs=libcublasLt.so.${cuda_version%%.*} and libcuda.so.1 from the GPU machine
EOF

# The sources the binaries were built from (and the test fixtures they read; not the scripts and tools the
# check runs from the checkout, nor Markdown), as the device check will find them in its checkout: a bundle
# carried beside newer code says so there (a GPU machine may get the files without .git).
(cd "$ROOT" && git ls-files -z -- CMakeLists.txt cmake kernels engine harness graders tasks results tests \
  'bench/*.cpp' 'bench/*.h' bench/CMakeLists.txt ':!*.md' | xargs -0 sha256sum) >"$STAGE/sources.sha256"

mkdir -p "$OUT_DIR"
tar -C "$STAGE" -cJf "$OUT_DIR/bundle.tar.xz" .
echo "device_bundle: $(du -h "$OUT_DIR/bundle.tar.xz" | cut -f1) in $OUT_DIR/bundle.tar.xz ($(ls "$STAGE/lib" | wc -l) libraries)"
cat "$STAGE/manifest.txt"

# What a device call carries: the checkout's tracked and untracked-but-not-ignored files plus device-bundle/
# (this bundle, and the wheels of tools/device_wheels.sh if present), 64 MiB at most. The GPU machine already has
# transformers (the issue says so), so the wheels are the part to leave out when the sum is over.
checkout_bytes=$(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null |
  awk '{s += $1} END {print s + 0}')
carried_bytes=$(du -sb "$ROOT/device-bundle" | cut -f1)
total_mib=$(( (checkout_bytes + carried_bytes) / 1048576 ))
echo "device_bundle: a device call carries ${total_mib} MiB (checkout $((checkout_bytes / 1048576)) MiB + device-bundle $((carried_bytes / 1048576)) MiB; limit 64 MiB)"
if [ "$total_mib" -ge 64 ]; then
  echo "device_bundle: over the 64 MiB a device call carries: remove device-bundle/wheels (transformers is on the GPU machine) or carry less" >&2
fi
