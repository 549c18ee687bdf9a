#!/usr/bin/env bash
# Regenerates the CHECK lines of golden IR tests from the current compiler output, on purpose.
# Read the diff (git diff tests/) before committing: the printed IR is a user-facing contract.
#   scripts/bless-ir.sh [BUILD_DIR] FILE...
# Each FILE has a first line `// RUN: %diffc ir <flags with %s> | FileCheck %s`; its CHECK lines (at
# the end of the file) are replaced by the output of that command, with numbered values (%0, %12)
# matched by pattern and source-named values pinned exactly.
set -euo pipefail
build=build
if [ -d "${1:-}" ]; then build=$1; shift; fi
diffc="$(cd "$(dirname "$0")/.." && pwd)/$build/diffc"
for f in "$@"; do
  run=$(grep -m1 -E '^// RUN:' "$f" | sed -E 's#^// RUN:\s*##')
  # The command between `%diffc` and `| FileCheck %s`, with the file for its %s (anywhere in it).
  flags=$(echo "$run" | sed -E 's#^%diffc (.*) \| FileCheck %s$#\1#')
  out=$("$diffc" ${flags//%s/$f})
  body=$(grep -v -E '^// (CHECK|CHECK-NEXT|CHECK-LABEL):' "$f" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
  {
    printf '%s\n\n' "$body"
    echo "$out" | awk '
      /^func / { sub(/\{$/, ""); print "// CHECK-LABEL: " $0; next }
      /^$/ { next }
      { line = $0; gsub(/%[0-9]+/, "%{{[0-9]+}}", line); sub(/^ +/, "", line); print "// CHECK-NEXT: " line }'
  } > "$f.tmp"
  mv "$f.tmp" "$f"
done
