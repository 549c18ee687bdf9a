#!/usr/bin/env bash
# Runs the flagship sample with the diffc built in BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
echo '{"w": [0.5, -0.25], "b": 0.1, "X": [[1, 2], [3, 4], [5, 6]], "y": [1, 0, 1]}' |
  "$build/diffc" run tests/programs/logistic.diff --fn loss --inputs -
