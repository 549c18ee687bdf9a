// `index`, `update` and `update_add`: a rectangular part of a tensor chosen per axis by a point, a
// slice (start operand, length from the op's dims) or the whole axis (ir::IndexMode). Every index
// is checked against its axis; out of range is a runtime error, never a wild access.
#pragma once

#include "interp/Tensor.h"

#include <functional>
#include <vector>

namespace diffc::interp::detail {

/// The chosen range of one axis of the indexed tensor.
struct AxisRange {
  int64_t start = 0;
  int64_t len = 0;
  bool kept = true; // false for a point index: the axis is dropped from the result
};

/// Resolves the op's per-axis modes (`ints`; missing trailing entries mean whole axes) against
/// the shape of the indexed tensor. `indices` are the point / slice-start operands in axis order
/// (i64 scalars); `sliceLens` the evaluated slice lengths in axis order. Throws OpFailure when an
/// index or slice is out of range.
std::vector<AxisRange> resolveIndex(const std::vector<int64_t> &modes,
                                    const std::vector<int64_t> &shape,
                                    const std::vector<const Tensor *> &indices,
                                    const std::vector<int64_t> &sliceLens);

/// Shape of the indexed part (the kept axes).
std::vector<int64_t> indexShape(const std::vector<AxisRange> &ranges);

/// The indexed part of x.
Tensor readIndexed(const Tensor &x, const std::vector<AxisRange> &ranges);

/// Replaces (add = false) or adds v to (add = true) the indexed part of x, in place. v has the
/// indexed part's shape or is a scalar.
/// With `added`, called after each addition with the flat index, the old element and v's element
/// (`--check-nan` checks the sums there).
void writeIndexed(Tensor &x, const std::vector<AxisRange> &ranges, const Tensor &v, bool add,
                  const std::function<void(size_t flat, double old, double val)> &added = {});

} // namespace diffc::interp::detail
