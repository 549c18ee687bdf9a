// Which operand reads may move a value out of the interpreter's frame instead of copying a
// reference to it. Moving at the last use leaves the op holding the only reference, so `update`,
// `update_add` and `tape.push` can write in place and an element update in an n-step loop costs
// O(1) instead of a copy of the tensor.
//
// An operand read may move its value when no later op of the same block (nor any region nested
// in one) uses the value, the op's own regions do not use it, and it is not read again by a later
// operand of the same op; and the value is defined in that block, or the block is a branch of an
// `if` whose own use of the value may move it (a branch runs at most once). Loop bodies never move
// a value from outside the loop, since they run again.
#pragma once

#include "ir/IR.h"

#include <unordered_map>
#include <vector>

namespace diffc::interp::detail {

struct LastUseInfo {
  /// Per op, per operand index: true when that read may move the value out.
  std::unordered_map<const ir::Op *, std::vector<bool>> take;
  /// Per Value id: true when the value has at least one use (unused results are not kept).
  std::vector<bool> used;

  bool mayTake(const ir::Op &op, size_t operand) const {
    auto it = take.find(&op);
    return it != take.end() && it->second[operand];
  }
};

LastUseInfo analyzeLastUses(const ir::Function &fn);

} // namespace diffc::interp::detail
