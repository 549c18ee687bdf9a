#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-19 (ASan + UBSan) and runs each for a bounded time on the
# committed seed corpus (tests/fuzz/corpus/TARGET plus the test programs / inputs it fits). A
# finding fails the run and leaves the crashing input in build-fuzz/. tests/fuzz/README.md says
# how to run a long campaign.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 20; frontend pipeline inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frontend pipeline inputs)
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DDIFFC_FUZZ=ON -DBUILD_TESTING=OFF \
  > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j2 --target "${targets[@]/%/_fuzzer}"
for target in "${targets[@]}"; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$corpus"/
  case $target in
  frontend) cp tests/programs/*.diff tests/errors/*.diff tests/ir/*.diff "$corpus"/ ;;
  # The limits-* programs are deliberately heavy (2^24 calls, huge trip counts): not seeds.
  pipeline) cp tests/programs/*.diff $(ls tests/run/*.diff | grep -v '/limits-') "$corpus"/ ;;
  inputs) cp tests/run/inputs/*.json "$corpus"/ ;;
  esac
  echo "fuzz: $target for ${seconds}s"
  (cd "$build" && "./${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
     -max_len=4096 -print_final_stats=1 "$corpus" 2>&1 | tail -15)
  rm -rf "$corpus"
done
echo "fuzz: no findings"
