#!/usr/bin/env bash
# Runs the `RUN:` lines of one golden test file, lit-style:
#   // RUN: %diffc ir %s | FileCheck %s
#   // RUN: not %diffc check %s 2>&1 | FileCheck %s
# Substitutions: %diffc (the driver), %s (this file), %S (its folder), FileCheck, not.
# Usage: run-lit.sh FILE DIFFC FILECHECK
set -uo pipefail
file=$(realpath "$1") diffc=$(realpath "$2") filecheck=$3
dir=$(dirname "$file")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# `not CMD` succeeds when CMD exits non-zero without being killed by a signal.
cat > "$tmp/not" <<'NOT'
#!/usr/bin/env bash
"$@"
rc=$?
if [ $rc -ge 128 ]; then echo "not: command died with status $rc" >&2; exit 1; fi
[ $rc -ne 0 ]
NOT
chmod +x "$tmp/not"
runs=$(grep -E '^\s*//\s*RUN:' "$file" | sed -E 's#^\s*//\s*RUN:\s*##')
if [ -z "$runs" ]; then echo "no RUN line in $file" >&2; exit 1; fi
status=0
while IFS= read -r cmd; do
  cmd=${cmd//%diffc/$diffc}
  cmd=${cmd//%s/$file}
  cmd=${cmd//%S/$dir}
  cmd=${cmd//FileCheck/$filecheck}
  echo "RUN: $cmd"
  (cd "$dir" && PATH="$tmp:$PATH" bash -o pipefail -c "$cmd") || { echo "FAILED: $cmd" >&2; status=1; }
done <<< "$runs"
exit $status
