#!/usr/bin/env bash
# Builds diffc with warnings as errors, runs the whole test suite (unit, golden, samples) and a
# bounded fuzzing run.
# Usage: scripts/test.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bash scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDIFFC_WERROR=ON
cmake --build "$build" -j2
ctest --test-dir "$build" -j2 --output-on-failure --timeout 600
# The fuzz targets (front end, whole pipeline, JSON inputs) on the committed seed corpora, 20 s
# each; a finding fails the run.
bash scripts/fuzz.sh "${DIFFC_FUZZ_SECONDS:-20}"
