#!/usr/bin/env bash
# Benchmarks: diffc against hand-derived gradients, ADOL-C, PyTorch and finite differences.
#   tests/bench/run.sh [quick|full]      (default quick; full takes about 10 minutes)
# Installs the peers from Debian packages when missing (libadolc-dev, python3-torch,
# python3-matplotlib), builds diffc_bench in build/ (DIFFC_BENCH=ON), checks that every
# implementation agrees before timing, and writes tests/bench/results/{results.json,results.md,
# gradient_vs_size.svg}. Never part of ctest.
set -euo pipefail
mode=${1:-quick}
case "$mode" in quick | full) ;; *) echo "usage: $0 [quick|full]" >&2; exit 1 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$here/results
build=${DIFFC_BENCH_BUILD:-$repo/build}

# Optional peers: install what is missing; carry on without a peer that cannot be installed.
want=()
for p in libadolc-dev python3-torch python3-matplotlib python3-numpy; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
done
if [ ${#want[@]} -gt 0 ]; then
  echo "run.sh: installing ${want[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends "${want[@]}"; } ||
    echo "run.sh: could not install ${want[*]}; the peers they provide are skipped"
fi
if ! dpkg-query -W -f='${Status}' libadolc-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "run.sh: ADOL-C (libadolc-dev) is not installed: the ADOL-C peer is skipped"
fi

# Reuse the build tree (default build/, or $DIFFC_BENCH_BUILD) with DIFFC_BENCH switched on; a
# new tree is configured as a Release build.
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S "$repo" -B "$build" -DDIFFC_BENCH=ON >/dev/null
else
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIFFC_BENCH=ON >/dev/null
fi
ninja -C "$build" diffc_bench diffc

mkdir -p "$out"
rm -rf "$out/exchange"
lscpu | sed -n 's/^Model name:[[:space:]]*//p' >"$out/cpu.txt" || true
# ADOL-C writes tapes that outgrow its first buffers to files in the working directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One process per case: ADOL-C keeps global state sized by the largest tape it has recorded, which
# slowed its replay of later, smaller tapes up to fourfold when all cases shared a process.
rm -f "$out"/cpp*.json
for c in $(echo "${DIFFC_BENCH_CASES:-gmm,lstm,mlp,rosenbrock,projectile}" | tr , ' '); do
  (cd "$work" && "$build/tests/bench/diffc_bench" "$mode" --root "$here" --out "$out" --cases "$c" \
    --json "$out/cpp-$c.json")
done
/usr/bin/python3 "$here/harness/torch_runner.py" "$here" "$out" "$mode"
/usr/bin/python3 "$here/harness/report.py" "$out"
rm -rf "$out/exchange" "$out"/cpp*.json "$out/torch.json"
echo "run.sh: wrote $out/results.md, results.json, gradient_vs_size.svg"
