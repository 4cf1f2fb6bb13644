#!/bin/sh
# Checks the CUDA backend's sources (src/cuda/*.cu) on a machine without the CUDA toolkit: clang's CUDA front end
# type-checks each file for the host and for the device (sm_80), with warnings as errors, and lowers every kernel to
# PTX, against tools/cuda-shim/ (the toolkit declarations the sources use, nothing defined). It catches what a
# first nvcc compile would: syntax, types, host code called from device code, a kernel signature out of step with
# the C++ side. It cannot show the kernels compute right: that needs a GPU (README.md, "CUDA backend").
# Usage: tools/cuda-check.sh [clang++]   (run from anywhere; exits non-zero on the first failure)
set -eu
clang="${1:-clang++}"
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags="-x cuda --cuda-gpu-arch=sm_80 -nocudainc -nocudalib -std=c++17 -Wall -Wextra -Werror \
  -include $here/tools/cuda-shim/cuda_runtime.h -I$here/tools/cuda-shim -I$here/include -I$here/src"
for source in "$here"/src/cuda/*.cu; do
    name="$(basename "$source" .cu)"
    # shellcheck disable=SC2086
    "$clang" $flags -fsyntax-only "$source"
    # shellcheck disable=SC2086
    "$clang" $flags --cuda-device-only -O2 -S "$source" -o "$out/$name.ptx"
    declared="$(grep -c '__global__' "$source" || true)"
    lowered="$(grep -c '^\.visible \.entry' "$out/$name.ptx" || true)"
    if [ "$declared" != "$lowered" ]; then
        echo "cuda-check: $name.cu declares $declared kernels, $lowered reached PTX" >&2
        exit 1
    fi
    echo "cuda-check: $name.cu: host and device type-check clean, $lowered kernels lowered to PTX"
done
