#include "interp/TensorOps.h"

#include "interp/Elementwise.h"
#include "interp/RtValue.h"
#include "ir/SizeInference.h"
#include "support/Diagnostics.h"

#include "diffc/abi.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace diffc::interp::detail {

using ir::ElemType;
using ir::OpKind;

namespace {

[[noreturn]] void bad(const std::string &what) { throw InternalError("interpreter: " + what); }

void requireRank(const Tensor &x, size_t rank, const char *op) {
  if (x.shape.size() != rank)
    bad(fmt::format("'{}' expects rank {}, got shape {}", op, rank, ir::shapeStr(x.shape)));
}

size_t ext(int64_t d) { return static_cast<size_t>(d); }

/// max with NaN propagation (the same rule as the elementwise max).
double maxAll(const Tensor &x) {
  double m = x.data[0];
  for (double v : x.data)
    m = binaryElem(OpKind::Max, x.elem, m, v);
  return m;
}

template <typename T> double logsumexp(const Tensor &x) {
  constexpr T inf = std::numeric_limits<T>::infinity();
  if (x.size() == 0)
    return -inf; // log of an empty sum
  T m = static_cast<T>(maxAll(x));
  // Shifting by the max keeps exp() in range; an infinite or NaN max is the answer itself
  // (shifting by it would give inf - inf = NaN).
  if (std::isnan(m) || std::isinf(m))
    return m;
  T s = 0;
  for (double v : x.data)
    s += std::exp(static_cast<T>(v) - m);
  return m + std::log(s);
}

template <typename T> double norm(const Tensor &x) {
  T s = 0;
  for (double v : x.data)
    s += static_cast<T>(v) * static_cast<T>(v);
  return std::sqrt(s);
}

template <typename T> void softmaxRows(OpKind k, const Tensor &x, Tensor &out) {
  size_t cols = x.shape.empty() ? 1 : ext(x.shape.back());
  if (cols == 0)
    return;
  for (size_t r = 0; r < x.size() / cols; ++r) {
    const double *in = x.data.data() + r * cols;
    double *o = out.data.data() + r * cols;
    T m = static_cast<T>(in[0]);
    for (size_t j = 0; j < cols; ++j)
      m = static_cast<T>(binaryElem(OpKind::Max, x.elem, m, in[j]));
    T s = 0;
    for (size_t j = 0; j < cols; ++j)
      s += std::exp(static_cast<T>(in[j]) - m);
    if (k == OpKind::Softmax) {
      for (size_t j = 0; j < cols; ++j)
        o[j] = std::exp(static_cast<T>(in[j]) - m) / s;
    } else {
      T ls = std::log(s);
      for (size_t j = 0; j < cols; ++j)
        o[j] = (static_cast<T>(in[j]) - m) - ls;
    }
  }
}

} // namespace

Tensor reshape(const Tensor &x, const std::vector<int64_t> &shape) {
  size_t n = numElements(shape);
  if (n != x.size())
    throw OpFailure(fmt::format("cannot reshape {} elements (shape {}) to shape {} ({} elements)",
                                x.size(), ir::shapeStr(x.shape), ir::shapeStr(shape), n));
  Tensor out = x;
  out.shape = shape;
  return out;
}

Tensor transpose(const Tensor &a) {
  requireRank(a, 2, "transpose");
  size_t m = ext(a.shape[0]), n = ext(a.shape[1]);
  Tensor out = Tensor::zeros(a.elem, {a.shape[1], a.shape[0]});
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j)
      out.data[j * m + i] = a.data[i * n + j];
  return out;
}

Tensor concat(const std::vector<const Tensor *> &ins, ElemType e,
              const std::vector<int64_t> &shape) {
  if (shape.empty())
    bad("'concat' with a scalar result");
  std::vector<int64_t> rowShape(shape.begin() + 1, shape.end());
  Tensor out;
  out.elem = e;
  out.shape = shape;
  for (const Tensor *t : ins) {
    if (t->shape.empty() || std::vector<int64_t>(t->shape.begin() + 1, t->shape.end()) != rowShape)
      bad(fmt::format("'concat' operand of shape {} for a result of shape {}",
                      ir::shapeStr(t->shape), ir::shapeStr(shape)));
    out.data.insert(out.data.end(), t->data.begin(), t->data.end());
  }
  if (out.data.size() != numElements(shape))
    bad(fmt::format("'concat' operands do not add up to shape {}", ir::shapeStr(shape)));
  return out;
}

Tensor pack(const std::vector<const Tensor *> &ins, ElemType e, const std::vector<int64_t> &shape) {
  if (shape.empty() || ext(shape[0]) != ins.size())
    bad(fmt::format("'pack' of {} operands to shape {}", ins.size(), ir::shapeStr(shape)));
  std::vector<int64_t> entry(shape.begin() + 1, shape.end());
  Tensor out;
  out.elem = e;
  out.shape = shape;
  for (const Tensor *t : ins) {
    if (t->shape != entry)
      bad(fmt::format("'pack' operand of shape {} for a result of shape {}", ir::shapeStr(t->shape),
                      ir::shapeStr(shape)));
    out.data.insert(out.data.end(), t->data.begin(), t->data.end());
  }
  return out;
}

Tensor diag(const Tensor &x) {
  requireRank(x, 1, "diag");
  size_t n = x.size();
  Tensor out = Tensor::zeros(x.elem, {x.shape[0], x.shape[0]});
  for (size_t i = 0; i < n; ++i)
    out.data[i * n + i] = x.data[i];
  return out;
}

Tensor eye(ElemType e, const std::vector<int64_t> &shape) {
  if (shape.size() != 2 || shape[0] != shape[1])
    bad(fmt::format("'eye' with result shape {}", ir::shapeStr(shape)));
  Tensor out = Tensor::zeros(e, shape);
  for (size_t i = 0; i < ext(shape[0]); ++i)
    out.data[i * ext(shape[0]) + i] = 1;
  return out;
}

Tensor reduce(OpKind k, const Tensor &x) {
  ElemType e = x.elem;
  bool f32 = e == ElemType::F32;
  switch (k) {
  case OpKind::Sum:
  case OpKind::Prod: {
    OpKind step = k == OpKind::Sum ? OpKind::Add : OpKind::Mul;
    double acc = k == OpKind::Sum ? 0 : 1;
    for (double v : x.data)
      acc = binaryElem(step, e, acc, v);
    return Tensor::scalar(acc, e);
  }
  case OpKind::ReduceMax:
  case OpKind::ReduceMin: {
    if (x.size() == 0)
      throw OpFailure(fmt::format("{} of an empty tensor", k == OpKind::ReduceMax ? "max" : "min"));
    OpKind step = k == OpKind::ReduceMax ? OpKind::Max : OpKind::Min;
    double acc = x.data[0];
    for (double v : x.data)
      acc = binaryElem(step, e, acc, v);
    return Tensor::scalar(acc, e);
  }
  case OpKind::Logsumexp:
  case OpKind::Norm:
    if (!ir::isFloat(e))
      bad(fmt::format("'{}' on {}", ir::opMnemonic(k), ir::elemTypeName(e)));
    if (k == OpKind::Logsumexp)
      return Tensor::scalar(f32 ? logsumexp<float>(x) : logsumexp<double>(x), e);
    return Tensor::scalar(f32 ? norm<float>(x) : norm<double>(x), e);
  default:
    bad(fmt::format("'{}' is not a reduction", ir::opMnemonic(k)));
  }
}

Tensor argmax(const Tensor &x) {
  if (x.size() == 0)
    throw OpFailure("argmax of an empty tensor"); // the JIT's text (diffc_error_message)
  size_t best = 0;
  for (size_t i = 1; i < x.size() && !std::isnan(x.data[best]); ++i)
    if (std::isnan(x.data[i]) || x.data[i] > x.data[best])
      best = i;
  return Tensor::scalar(static_cast<double>(best), ElemType::I64);
}

Tensor matmul(const Tensor &a, const Tensor &b) {
  if (a.elem != b.elem || a.shape.empty() || b.shape.empty() || a.shape.size() > 2 ||
      b.shape.size() > 2)
    bad(fmt::format("'matmul' of {} {} and {} {}", ir::elemTypeName(a.elem), ir::shapeStr(a.shape),
                    ir::elemTypeName(b.elem), ir::shapeStr(b.shape)));
  // View both as matrices: a vector on the left is a row, on the right a column.
  bool aVec = a.shape.size() == 1, bVec = b.shape.size() == 1;
  size_t m = aVec ? 1 : ext(a.shape[0]), k = ext(a.shape.back());
  size_t kb = ext(b.shape[0]), n = bVec ? 1 : ext(b.shape[1]);
  if (k != kb)
    bad(fmt::format("'matmul' inner dimensions differ: {} and {}", ir::shapeStr(a.shape),
                    ir::shapeStr(b.shape)));
  std::vector<int64_t> shape;
  if (!aVec)
    shape.push_back(a.shape[0]);
  if (!bVec)
    shape.push_back(b.shape[1]);
  Tensor out = Tensor::zeros(a.elem, shape);
  // Float products go through the runtime kernel compiled code calls, so both executors sum in
  // the same order and agree bit for bit by construction (runtime/src/rt/Linalg.cpp).
  const auto im = static_cast<int64_t>(m), ik = static_cast<int64_t>(k),
             in = static_cast<int64_t>(n);
  if (a.elem == ElemType::F64) {
    diffc_rt_matmul_f64(out.data.data(), a.data.data(), b.data.data(), im, ik, in, ik, 1, in, 1);
    return out;
  }
  if (a.elem == ElemType::F32) {
    std::vector<float> af(a.data.begin(), a.data.end()), bf(b.data.begin(), b.data.end()),
        of(out.size());
    diffc_rt_matmul_f32(of.data(), af.data(), bf.data(), im, ik, in, ik, 1, in, 1);
    std::copy(of.begin(), of.end(), out.data.begin());
    return out;
  }
  for (size_t i = 0; i < m; ++i) // integers
    for (size_t j = 0; j < n; ++j) {
      double acc = 0;
      for (size_t p = 0; p < k; ++p)
        acc = addElem(a.elem, acc, mulElem(a.elem, a.data[i * k + p], b.data[p * n + j]));
      out.data[i * n + j] = acc;
    }
  return out;
}

Tensor outer(const Tensor &x, const Tensor &y) {
  requireRank(x, 1, "outer");
  requireRank(y, 1, "outer");
  if (x.elem != y.elem)
    bad("'outer' of different element types");
  Tensor out = Tensor::zeros(x.elem, {x.shape[0], y.shape[0]});
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = 0; j < y.size(); ++j)
      out.data[i * y.size() + j] = mulElem(x.elem, x.data[i], y.data[j]);
  return out;
}

Tensor softmax(OpKind k, const Tensor &x) {
  if (!ir::isFloat(x.elem))
    bad(fmt::format("'{}' on {}", ir::opMnemonic(k), ir::elemTypeName(x.elem)));
  Tensor out = Tensor::zeros(x.elem, x.shape);
  if (x.elem == ElemType::F32)
    softmaxRows<float>(k, x, out);
  else
    softmaxRows<double>(k, x, out);
  return out;
}

} // namespace diffc::interp::detail
