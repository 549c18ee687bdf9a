#!/usr/bin/env bash
# Drives tests/cli/cache.diff: runs one program several times against a fresh cache directory and
# prints what a user can see: the results and the entries in the cache.
# Usage: cache.sh DIFFC FILE
set -euo pipefail
diffc=$1 file=$2
root=${DIFFC_CACHE_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$root"
dir=$(mktemp -d "$root/cli-cache.XXXXXX")
trap 'rm -rf "$dir"' EXIT
run() { echo '{"w": [0.5, -1, 2], "x": [1.5, 0.25, -0.75]}' |
  DIFFC_CACHE_DIR=$dir "$diffc" run "$file" --fn loss --grad --inputs - "$@"; }
count() { echo "entries: $(find "$dir" -name '*.o' | wc -l)"; }
echo "cold: $(run)"; count
echo "warm: $(run)"; count
entry=$(find "$dir" -name '*.o')
size=$(stat -c %s "$entry")
head -c 100 "$entry" > "$entry.cut" && mv "$entry.cut" "$entry"
echo "truncated: $(run)"; count
[ "$(stat -c %s "$entry")" = "$size" ] && echo "entry rewritten"
rm -rf "$dir"/jit
echo "no-cache: $(run --no-cache)"; count
echo "DIFFC_CACHE=0: $(DIFFC_CACHE=0 run)"; count
