// Which tensor (and tape) buffers an op may reuse in place.
//
// Generated code keeps IR values immutable except where an op consumes its operand: `update`,
// `update_add`, `tape.push`, `tape.pop`, a loop adopting its initial value as its carried buffer,
// and a branch handing a value to its `if` result. That is allowed when the operand is *owned*
// (its buffer belongs to it alone: not a parameter, not a view made by `stop_gradient`,
// `reshape` or `index`) and *dead* after the op: no later op of the block uses it or a view of it
// (nor any region nested in such an op, nor the op's own regions), and walking out through
// enclosing `if` branches the same holds there. A value from outside a loop body is never consumed
// inside it, since the next iteration reads it again.
//
// `index` makes a view (a pointer into its operand, no copy) when the part it takes is contiguous
// in row-major order (points on the leading axes, then one point, slice or whole axis, then whole
// axes: a row, a slice of a row, a block of rows) and no op would consume the operand. A view
// keeps its operand alive, so an update of a tensor that has a live view of it copies first:
// trading a copy of the part for a copy of the whole would be a loss, hence the second condition.
#pragma once

#include "ir/IR.h"

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace diffc::codegen {

class Ownership {
public:
  explicit Ownership(const ir::Function &fn);

  /// True when op may take over the buffer of its operand `index`.
  bool mayConsume(const ir::Op &op, unsigned index) const;
  /// True when v's buffer belongs to v alone (see above).
  bool isOwned(const ir::Value *v) const;
  /// True when the op's result is a view sharing its operand's buffer (stop_gradient, reshape,
  /// and `index` as described above).
  bool isView(const ir::Op &op) const;
  /// True when every iteration of the `for` op yields for its carried value k the carried buffer
  /// itself, updated in place (or passed through): the loop needs no spare buffer for it and never
  /// copies it at the end of an iteration.
  bool keepsBuffer(const ir::Op &forOp, unsigned k) const;
  /// The ops using v as an operand (an op using it twice is listed twice).
  const std::vector<const ir::Op *> &usesOf(const ir::Value *v) const;

private:
  bool usedAfter(const ir::Value *x, const ir::Op &at, bool inRegions) const;
  void collect(const ir::Block &b);
  void collectViews(const ir::Block &b);
  bool inPlaceFrom(const ir::Value *v, const ir::Value *arg) const;

  std::unordered_map<const ir::Op *, size_t> pos_;
  /// Values some op may consume (updates, loop initial values, `if` yields): no index views.
  std::unordered_set<const ir::Value *> consumable_;
  mutable std::unordered_map<const ir::Value *, bool> keeps_; // keepsBuffer, by block argument
  std::unordered_map<const ir::Value *, std::vector<const ir::Op *>> uses_;
  std::unordered_map<const ir::Value *, std::vector<const ir::Value *>> views_;
};

} // namespace diffc::codegen
