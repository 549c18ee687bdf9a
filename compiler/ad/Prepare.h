// Getting a function ready for differentiation: a private copy with every call inlined that has
// no custom rule, and (for reverse mode) each `while` counting its iterations, so that the
// reverse sweep knows how many times to run backwards.
#pragma once

#include "ir/IR.h"

#include <memory>

namespace diffc::ad {

/// Op::ival of a `for` whose reverse recomputes it from its carried values (the inner loop of a
/// split @checkpoint loop) instead of storing its iterations during the forward sweep.
inline constexpr int64_t kRecomputeLoop = 2;

/// A copy of f (not added to m) with calls inlined (those of @vjp functions stay calls) and
/// simplified. With `forReverse`, every while op gets one more carried i64 (last operand, region
/// argument and result): 0 at entry, +1 per iteration, so its last result is the trip count; and
/// every @checkpoint loop is split into segments whose inner loop is a kRecomputeLoop.
std::unique_ptr<ir::Function> prepare(ir::Module &m, const ir::Function &f, bool forReverse);

/// Whether op is a while made by prepare() with its iteration counter.
inline ir::Value *whileCount(const ir::Op &op) { return op.results.back(); }

} // namespace diffc::ad
