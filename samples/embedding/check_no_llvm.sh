#!/bin/sh
# Fails when the program given links LLVM: a libLLVM among its shared libraries, or LLVM symbols.
set -u
exe=$1
libs=$(ldd "$exe") || { echo "ldd failed on $exe"; exit 1; }
echo "$libs"
if echo "$libs" | grep -qi llvm; then
  echo "FAIL: $exe loads LLVM"
  exit 1
fi
if nm -C "$exe" | grep -q 'llvm::'; then
  echo "FAIL: $exe contains LLVM code"
  exit 1
fi
echo "OK: $exe does not link LLVM"
