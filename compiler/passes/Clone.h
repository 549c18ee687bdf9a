// Copying IR: ops (with their regions) from one block into another, possibly of another function.
// The inliner, reverse-mode AD and loop transforms all build new code out of old code this way.
//
// A ValueMap says what each old value stands for in the copy. Cloning an op maps its operands
// through the map (an operand with no entry is used as it is, which is right when copying within
// one function: a value defined outside the copied ops stays visible), then creates fresh results
// and region arguments in the destination function and records old -> new for each of them, so
// later copies refer to the new values.
//
// When code moves between functions its dims must be rewritten: CloneOptions::dimSubst gives, for
// each size symbol of the source function, the Dim it stands for in the destination (a call's
// Op::dims). Every result type, region argument type and `dims` attribute of the copy is then
// rewritten with Dim::substitute.
#pragma once

#include "ir/IR.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace diffc::passes {

/// Old value -> the value that stands for it in the copy.
using ValueMap = std::unordered_map<const ir::Value *, ir::Value *>;

struct CloneOptions {
  /// Source size symbol i becomes (*dimSubst)[i]; null keeps dims unchanged.
  const std::vector<ir::Dim> *dimSubst = nullptr;
  /// Give the new values the names of the old ones (otherwise they are unnamed).
  bool keepNames = true;
};

/// v's image under map, or v itself when map has no entry for it.
ir::Value *mapValue(const ValueMap &map, ir::Value *v);

/// t with dims rewritten by opts.dimSubst (t itself when there is none).
ir::Type mapType(const ir::Type &t, const CloneOptions &opts);

/// A copy of op and its regions, not yet in any block (the caller inserts it and sets
/// Op::parent). New values belong to `fn`; the copy's regions point to `fn`. Records every old
/// result and region argument in map.
std::unique_ptr<ir::Op> cloneOp(const ir::Op &op, ir::Function &fn, ValueMap &map,
                                const CloneOptions &opts = {});

/// Appends a copy of op to dest; returns the copy.
ir::Op *appendClone(const ir::Op &op, ir::Block &dest, ValueMap &map,
                    const CloneOptions &opts = {});

/// Inserts copies of src's ops before position pos of dest (dest.ops.size() appends). The
/// terminator of src is copied only when includeTerminator. Returns the position just after the
/// last copy. src must not be dest.
size_t cloneOpsAt(const ir::Block &src, ir::Block &dest, size_t pos, ValueMap &map,
                  const CloneOptions &opts = {}, bool includeTerminator = false);

/// Appends copies of src's ops to dest (the terminator only when includeTerminator).
void cloneOpsInto(const ir::Block &src, ir::Block &dest, ValueMap &map,
                  const CloneOptions &opts = {}, bool includeTerminator = false);

/// A copy of src added to m under `name`: same size parameters, parameters (names kept), result
/// types and names, tuple flag, location and vjp rule, and a copy of the body. map receives
/// src's values -> the copy's. Throws InternalError when m already has a function `name`.
ir::Function *cloneFunction(ir::Module &m, const ir::Function &src, std::string name,
                            ValueMap &map);

} // namespace diffc::passes
