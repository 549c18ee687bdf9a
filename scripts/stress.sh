#!/usr/bin/env bash
# The full stress run (tests/stress/stress.cpp): 1,000 modules compiled and dropped in one
# diffc::Jit with the resident set size measured per module, then 16 threads calling different
# gradients for a minute, every result bit-identical to a single thread's. The ctest `stress` is a
# short version of the same.
# Usage: scripts/stress.sh [BUILD_DIR] [diffc_stress options...]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
cmake --build "$build" -j2 --target diffc_stress
"$build/tests/diffc_stress" --modules 1000 --threads 16 --seconds 60 "$@"
