// Small rewriting utilities shared by the passes. The IR keeps no use lists, so replacing a value
// means visiting every operand of the function once; batch replacements into one map.
#pragma once

#include "ir/IR.h"

#include <unordered_map>

namespace diffc::passes {

/// Old value -> its replacement.
using Replacements = std::unordered_map<const ir::Value *, ir::Value *>;

/// v after following repl (a replacement may itself have been replaced).
ir::Value *resolve(const Replacements &repl, ir::Value *v);

/// Replaces every operand of every op of fn (regions included) that repl maps; true when some
/// operand changed. Names are not touched (see moveName).
bool replaceUses(ir::Function &fn, const Replacements &repl);

/// Every use of `from` in fn becomes a use of `to`, and `to` takes from's name when it has none.
void replaceAllUses(ir::Function &fn, ir::Value *from, ir::Value *to);

/// Gives `to` the source name of `from` when `to` has none (so that printed IR keeps the names a
/// person wrote when a named value is replaced by an unnamed one).
void moveName(const ir::Value *from, ir::Value *to);

} // namespace diffc::passes
