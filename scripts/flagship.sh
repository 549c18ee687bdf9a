#!/usr/bin/env bash
# Runs the flagship sample, handwritten digits (samples/digits), with the diffc built in BUILD_DIR
# (default: build): builds the `digits` target if needed (configuring BUILD_DIR if it does not exist
# yet), trains the MLP of samples/digits/mlp.diff fully and prints where the plot is.
# Usage: scripts/flagship.sh [BUILD_DIR] [digits options, e.g. --optimizer sgd]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S . -B "$build" -G Ninja
fi
cmake --build "$build" --target digits -j2
out="$build/samples/digits/out"
"$build/samples/digits/digits" --out "$out" "$@"
echo "flagship: the loss and accuracy curves are in $(pwd)/$out/digits_curves.svg"
