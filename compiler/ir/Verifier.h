// The IR verifier: checks the invariants every stage may rely on, and runs after every pass.
//
// Structure: every value is defined exactly once (an op result or a block argument, with
// consistent back pointers) and used only where it is visible (earlier in the same block or in
// an enclosing block; region arguments only inside their region; an op's results not inside its
// own regions); every block ends in exactly one terminator (`return` in a function body, `yield`
// in a region); dims mention only the function's size parameters.
// Types: each op's operand and result counts and types follow the conventions of Ops.def, with
// shapes compared symbolically (Dim); calls match the callee's signature after its size
// parameters are replaced by the call's dims; region arguments and yields match their op.
//
// Messages name the function and the op as printed (`@loss: %z = add: ...`).
#pragma once

#include "ir/IR.h"

#include <string>
#include <string_view>
#include <vector>

namespace diffc::ir {

/// The problems in one function (calls are checked against `m`); empty when it is valid.
std::vector<std::string> verifyFunction(const Module &m, const Function &fn);
/// Every function, plus module-level checks (unique names, existing `vjp` rules).
std::vector<std::string> verifyModule(const Module &m);
/// Throws InternalError holding the problems and the printed module when `m` is invalid.
/// `afterStage` names what produced the IR ("lower", "simplify", "ad").
void verifyOrThrow(const Module &m, std::string_view afterStage);

} // namespace diffc::ir
