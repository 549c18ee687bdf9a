#!/usr/bin/env bash
# Compile-time benchmark (on demand, not part of ctest): cold JIT compile and compile-cache hit
# of a function's gradient, per phase, and through the host API.
#   tests/bench/compile/run.sh [BUILD_DIR] [FILE FN] [--reps N] [--opt 0-3]
# Default: the MLP of tests/programs/mlp.diff (the issue's target: cold < 100 ms, hit < 5 ms).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
shift || true
file=${1:-$root/tests/programs/mlp.diff}
fn=${2:-mlp_loss}
shift 2 || true
ninja -C "$build" diffc_compile_bench >/dev/null
"$build/tests/diffc_compile_bench" "$file" "$fn" "$@"
