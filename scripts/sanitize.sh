#!/usr/bin/env bash
# Builds diffc with AddressSanitizer + UndefinedBehaviorSanitizer (-DDIFFC_SANITIZE=ON) and runs the
# whole test suite under them; LeakSanitizer is on, any UB report aborts the test that hit it.
# LLVM (libLLVM-19.so, ORC) and JIT-compiled code are not instrumented: leaks that belong to them
# and not to diffc are suppressed by tests/sanitize/lsan.supp.
# Usage: scripts/sanitize.sh [BUILD_DIR] [extra ctest args...]   (default: build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build-asan}
shift || true
# ccache, when installed, makes the rebuild after a small change cheap.
launcher=()
command -v ccache > /dev/null &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDIFFC_SANITIZE=ON "${launcher[@]}"
cmake --build "$build" -j2
# abort_on_error: a report kills the process with SIGABRT. A plain non-zero exit would be taken
# for the expected failure by the `not` of golden tests (tests/run-lit.sh), hiding the report.
# allocator_may_return_null: a request the allocator cannot serve returns null as glibc's does
# (ASan would abort on anything over 1 TiB), so that diffc's own out-of-memory errors are what
# the tests see (tests/run/limits-tape-trips.diff asks for 2^57 bytes on purpose).
# alloc_dealloc_mismatch=0: libLLVM-19.so (not instrumented, built by clang) frees with free() the
# temporary buffer of a std::stable_sort in ValueEnumerator::OptimizeConstants that it got from
# operator new (unit.runtime's call_into test, through WriteBitcodeToFile); both ends are inside
# LLVM, and this libasan (GCC 12) cannot suppress that report by function or library.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:alloc_dealloc_mismatch=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export LSAN_OPTIONS=suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
ctest --test-dir "$build" -j2 --output-on-failure --timeout 1200 "$@"
