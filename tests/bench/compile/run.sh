#!/usr/bin/env bash
# Compile-time benchmark (on demand, not part of ctest): cold JIT compile and compile-cache hit
# of a function's gradient, per phase and through the host API; then the run time of the same
# function and gradient (`diffc bench`), so that a faster compile is never bought with slower code.
#   tests/bench/compile/run.sh [BUILD_DIR] [--reps N] [--opt 0-3]
# The program is the MLP of tests/programs/mlp.diff (batch 64, 64 inputs, 32 hidden, 10 classes).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
shift || true
ninja -C "$build" diffc diffc_compile_bench >/dev/null
"$build/tests/diffc_compile_bench" "$root/tests/programs/mlp.diff" mlp_loss "$@"
inputs=$(mktemp --suffix=.json)
trap 'rm -f "$inputs"' EXIT
python3 - "$inputs" <<'PY'
import json, random, sys
random.seed(1)
B, I, H, O = 64, 64, 32, 10
def r(*s):
    return [r(*s[1:]) for _ in range(s[0])] if len(s) > 1 else \
        [round(random.gauss(0, 0.3), 4) for _ in range(s[0])]
json.dump({"W1": r(H, I), "b1": r(H), "W2": r(O, H), "b2": r(O), "X": r(B, I),
           "labels": [random.randrange(O) for _ in range(B)]}, open(sys.argv[1], "w"))
PY
echo "run time (diffc bench, ns per call):"
"$build/diffc" bench "$root/tests/programs/mlp.diff" --fn mlp_loss --inputs "$inputs" --no-cache
