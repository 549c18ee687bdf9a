// x[i, :][j] -> x[i, j]: an index of an index becomes one index of the original tensor (see
// SimplifyRules.h). Each axis of x keeps the check it had: a point or a whole axis of the outer
// part takes the inner index's mode for that axis unchanged (the extent it is checked against is
// x's), and an outer slice is kept only when the inner index takes all of it.
#include "passes/SimplifyRules.h"

namespace diffc::passes::detail {

using namespace ir;

bool composeIndex(Op &op) {
  if (op.kind != OpKind::Index || op.operands.empty())
    return false;
  const Value *mid = op.operand(0);
  const Op *outer = mid->def;
  if (!outer || outer->kind != OpKind::Index || outer->operands.empty() || mid->type.isTape ||
      mid->type.isScalar())
    return false;
  const Value *x = outer->operand(0);
  if (x->type.rank() != outer->ints.size() || mid->type.rank() != op.ints.size())
    return false;

  std::vector<int64_t> modes;
  std::vector<Value *> indices{outer->operands[0]};
  std::vector<Dim> lens;
  size_t oi = 1, od = 0;         // next index operand and slice length of the outer op
  size_t ia = 0, ii = 1, id = 0; // next axis, index operand and slice length of the inner op
  for (int64_t om : outer->ints) {
    if (om == kPoint) {
      modes.push_back(kPoint);
      indices.push_back(outer->operands.at(oi++));
      continue;
    }
    if (ia >= op.ints.size())
      return false;
    int64_t im = op.ints[ia++];
    if (om == kSlice) {
      if (im != kFull)
        return false; // the inner index would be checked against the slice, not against x
      modes.push_back(kSlice);
      indices.push_back(outer->operands.at(oi++));
      lens.push_back(outer->dims.at(od++));
      continue;
    }
    modes.push_back(im); // om == kFull: the inner index sees x's own extent
    if (im == kPoint || im == kSlice)
      indices.push_back(op.operands.at(ii++));
    if (im == kSlice)
      lens.push_back(op.dims.at(id++));
  }
  if (ia != op.ints.size() || ii != op.operands.size() || id != op.dims.size() ||
      oi != outer->operands.size() || od != outer->dims.size())
    return false;
  op.operands = std::move(indices);
  op.ints = std::move(modes);
  op.dims = std::move(lens);
  return true;
}

} // namespace diffc::passes::detail
