#include "interp/Indexing.h"

#include "interp/Elementwise.h"
#include "interp/RtValue.h"
#include "ir/IR.h"
#include "ir/SizeInference.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc::interp::detail {

std::vector<AxisRange> resolveIndex(const std::vector<int64_t> &modes,
                                    const std::vector<int64_t> &shape,
                                    const std::vector<const Tensor *> &indices,
                                    const std::vector<int64_t> &sliceLens) {
  if (modes.size() > shape.size())
    throw InternalError(fmt::format("interpreter: {} index modes for a tensor of shape {}",
                                    modes.size(), ir::shapeStr(shape)));
  std::vector<AxisRange> ranges;
  size_t nextIndex = 0, nextLen = 0;
  auto takeIndex = [&]() -> int64_t {
    if (nextIndex >= indices.size())
      throw InternalError("interpreter: too few index operands");
    const Tensor *t = indices[nextIndex++];
    if (!t->shape.empty() || t->elem != ir::ElemType::I64)
      throw InternalError("interpreter: an index operand is not an i64 scalar");
    return static_cast<int64_t>(t->item());
  };
  for (size_t a = 0; a < shape.size(); ++a) {
    int64_t mode = a < modes.size() ? modes[a] : ir::kFull;
    int64_t size = shape[a];
    AxisRange r;
    switch (mode) {
    case ir::kPoint: {
      int64_t i = takeIndex();
      if (i < 0 || i >= size)
        throw OpFailure(fmt::format("index {} out of range for axis {} of size {}", i, a, size));
      r = {i, 1, false};
      break;
    }
    case ir::kSlice: {
      int64_t s = takeIndex();
      if (nextLen >= sliceLens.size())
        throw InternalError("interpreter: a slice without a length in the op's dims");
      int64_t len = sliceLens[nextLen++];
      // |s|, |len| <= 2^53 so s + len cannot overflow.
      if (len < 0)
        throw OpFailure(fmt::format("slice {}:{} has negative length {} (axis {} of size {})", s,
                                    s + len, len, a, size));
      if (s < 0 || s + len > size)
        throw OpFailure(
            fmt::format("slice {}:{} out of range for axis {} of size {}", s, s + len, a, size));
      r = {s, len, true};
      break;
    }
    case ir::kFull:
      r = {0, size, true};
      break;
    default:
      throw InternalError(fmt::format("interpreter: bad index mode {}", mode));
    }
    ranges.push_back(r);
  }
  if (nextIndex != indices.size() || nextLen != sliceLens.size())
    throw InternalError("interpreter: index operands or slice lengths do not match the modes");
  return ranges;
}

std::vector<int64_t> indexShape(const std::vector<AxisRange> &ranges) {
  std::vector<int64_t> s;
  for (const AxisRange &r : ranges)
    if (r.kept)
      s.push_back(r.len);
  return s;
}

namespace {

/// Calls f(k, flat) for the k-th element (row-major) of the indexed part, flat being its index in
/// a tensor of `shape`.
template <typename F>
void forEachIndexed(const std::vector<int64_t> &shape, const std::vector<AxisRange> &ranges,
                    F f) {
  size_t rank = shape.size();
  std::vector<size_t> stride(rank);
  size_t s = 1;
  for (size_t a = rank; a-- > 0;) {
    stride[a] = s;
    s *= static_cast<size_t>(shape[a]);
  }
  size_t count = 1;
  for (const AxisRange &r : ranges)
    count *= static_cast<size_t>(r.len);
  std::vector<int64_t> idx(rank, 0);
  for (size_t k = 0; k < count; ++k) {
    size_t flat = 0;
    for (size_t a = 0; a < rank; ++a)
      flat += static_cast<size_t>(ranges[a].start + idx[a]) * stride[a];
    f(k, flat);
    for (size_t a = rank; a-- > 0;) {
      if (++idx[a] < ranges[a].len)
        break;
      idx[a] = 0;
    }
  }
}

} // namespace

Tensor readIndexed(const Tensor &x, const std::vector<AxisRange> &ranges) {
  Tensor out = Tensor::zeros(x.elem, indexShape(ranges));
  forEachIndexed(x.shape, ranges, [&](size_t k, size_t flat) { out.data[k] = x.data[flat]; });
  return out;
}

void writeIndexed(Tensor &x, const std::vector<AxisRange> &ranges, const Tensor &v, bool add,
                  const std::function<void(size_t flat, double old, double val)> &added) {
  std::vector<int64_t> part = indexShape(ranges);
  bool scalar = v.shape.empty();
  if (v.elem != x.elem || (!scalar && v.shape != part))
    throw InternalError(fmt::format("interpreter: {} of {} {} into a part {} {}",
                                    add ? "update_add" : "update", ir::elemTypeName(v.elem),
                                    ir::shapeStr(v.shape), ir::elemTypeName(x.elem),
                                    ir::shapeStr(part)));
  forEachIndexed(x.shape, ranges, [&](size_t k, size_t flat) {
    double val = v.data[scalar ? 0 : k];
    double old = x.data[flat];
    x.data[flat] = add ? addElem(x.elem, old, val) : val;
    if (added)
      added(flat, old, val);
  });
}

} // namespace diffc::interp::detail
