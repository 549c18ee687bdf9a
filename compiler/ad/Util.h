// IR plumbing shared by both AD modes: copying an op with a caller-supplied value lookup,
// growing ops by a result, and questions about where a value is defined.
#pragma once

#include "ir/IR.h"

#include <functional>
#include <unordered_map>

namespace diffc::ad {

/// What stands for a primal value at the point where code is being emitted.
using Lookup = std::function<ir::Value *(const ir::Value *)>;

/// Appends a copy of op (and its regions) at b's insertion point. Operands defined outside op
/// come from `outer`; values defined inside op's regions map to their copies. Returns the copy;
/// its results correspond to op's one to one (names kept).
ir::Op *clonePlain(ir::Builder &b, const ir::Op &op, const Lookup &outer);

/// Adds one more result of type t to op (used when control flow grows derivative slots).
ir::Value *addResult(ir::Function &fn, ir::Op *op, ir::Type t, std::string name = {});

/// The block defining v (its op's block, or the block whose argument it is).
const ir::Block *defBlock(const ir::Value *v);
/// Whether block b is (transitively) inside one of op's regions.
bool isInside(const ir::Block *b, const ir::Op *op);

/// Moves the last op of block b to position pos (ops are only ever appended by the Builder).
void moveLastTo(ir::Block &b, size_t pos);

} // namespace diffc::ad
