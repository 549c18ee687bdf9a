#include "passes/Simplify.h"

#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc::passes {

namespace {

/// Rounds before giving up: every round removes or folds something, so real programs reach the
/// fixed point in a handful; hitting the limit means two rules undo each other (a bug).
constexpr unsigned kMaxRounds = 1000;

} // namespace

void simplify(ir::Module &m, ir::Function &fn, const SimplifyOptions &opts) {
  (void)m; // functions are simplified one at a time; calls are left alone
  for (unsigned round = 0; round < kMaxRounds; ++round) {
    bool changed = canonicalize(fn);
    changed |= eliminateDeadCode(fn);
    if (opts.fuseMapReductions)
      changed |= fuseMapReductions(fn);
    if (opts.hoistLoopInvariants) {
      changed |= hoistLoopInvariants(fn);
      changed |= hoistMapInvariants(fn);
    }
    if (!changed)
      return;
  }
  throw InternalError(
      fmt::format("simplify: no fixed point for @{} after {} rounds", fn.name, kMaxRounds));
}

void simplifyModule(ir::Module &m, const SimplifyOptions &opts) {
  for (auto &fn : m.functions)
    simplify(m, *fn, opts);
}

} // namespace diffc::passes
