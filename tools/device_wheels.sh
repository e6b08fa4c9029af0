#!/usr/bin/env bash
# Downloads, here, transformers and the packages it needs as wheels for a GPU machine's Python (CPython
# 3.12 on x86-64 Linux unless PYTHON_VERSION says otherwise) into device-bundle/wheels/, for
# bench/device_check.sh to install there when that machine's Python has PyTorch but no transformers
# (the parity and speed references of issue 5). numpy is left out: a machine with PyTorch has it, and it
# is the largest. Nothing here is needed by r1eval itself.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHEELS=$ROOT/device-bundle/wheels
PYTHON_VERSION=${PYTHON_VERSION:-3.12}
rm -rf "$WHEELS"
mkdir -p "$WHEELS"
platforms=()
for tag in manylinux_2_28 manylinux_2_27 manylinux_2_24 manylinux_2_17 manylinux2014 manylinux_2_5 manylinux1; do
  platforms+=(--platform "${tag}_x86_64")
done
python3 -m pip download -q --only-binary=:all: --python-version "$PYTHON_VERSION" --implementation cp \
  "${platforms[@]}" -d "$WHEELS" "transformers${TRANSFORMERS_VERSION:+==$TRANSFORMERS_VERSION}"
rm -f "$WHEELS"/numpy-*.whl
echo "device_wheels: $(ls "$WHEELS" | wc -l) wheels, $(du -sh "$WHEELS" | cut -f1) in $WHEELS"
