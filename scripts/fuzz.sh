#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-19 (ASan + UBSan) and runs each for a bounded time on the
# committed seed corpus. A finding fails the run and leaves the crashing input in build-fuzz/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DDIFFC_FUZZ=ON -DBUILD_TESTING=OFF \
  > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j2 --target frontend_fuzzer
for target in frontend; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* tests/programs/*.diff tests/errors/*.diff tests/ir/*.diff "$corpus"/
  echo "fuzz: $target for ${seconds}s"
  (cd "$build" && "./${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
     -max_len=4096 -print_final_stats=1 "$corpus" 2>&1 | tail -15)
  rm -rf "$corpus"
done
echo "fuzz: no findings"
