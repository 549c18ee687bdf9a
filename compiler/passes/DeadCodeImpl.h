// Internal to dead code elimination: the analyses behind its structured rules.
#pragma once

#include "ir/IR.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace diffc::passes::detail {

/// For a `for` or `while` op: which loop-carried values are needed. Carried value k is needed
/// when its result is used (per useCount), or when something needed inside the loop reads its
/// region argument: the condition of a while, the yield of a needed carried value, or (through
/// any chain of ops) either. A carried value that only feeds its own next iteration is not.
std::vector<bool> liveCarried(const ir::Op &loop,
                              const std::function<uint32_t(const ir::Value *)> &useCount);

/// Every tape.push onto a tape whose values are never popped (no tape.pop, and the tape does not
/// leave the function through `return` or a call) is replaced by the tape it pushes onto, so that
/// the push dies. Tapes are followed through pushes, pops, loop-carried values and `if` results.
/// True when it changed anything.
bool forgetUnpoppedPushes(ir::Function &fn);

/// For each tape value made by an op (indexed by value id), the family it belongs to: the tapes
/// joined by pushes, pops and the loops and `if`s that carry them (one LIFO stack at run time).
/// Other entries are 0.
std::vector<uint32_t> tapeFamilies(const ir::Function &fn);

} // namespace diffc::passes::detail
