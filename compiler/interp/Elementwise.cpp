#include "interp/Elementwise.h"

#include "interp/RtValue.h"
#include "ir/ScalarSemantics.h"
#include "ir/SizeInference.h"
#include "support/Diagnostics.h"

#include <cmath>
#include <fmt/format.h>

namespace diffc::interp::detail {

using ir::ElemType;
using ir::OpKind;

namespace {

[[noreturn]] void notDefined(OpKind k, ElemType e) {
  throw InternalError(fmt::format("interpreter: '{}' is not defined on {}", ir::opMnemonic(k),
                                  ir::elemTypeName(e)));
}

ElemType floatElem(float) { return ElemType::F32; }
ElemType floatElem(double) { return ElemType::F64; }

template <typename T> T unaryFloatOrFail(OpKind k, T x) {
  if (auto r = ir::unaryFloat(k, x))
    return *r;
  notDefined(k, floatElem(x));
}

template <typename T> T binaryFloatOrFail(OpKind k, T a, T b) {
  if (auto r = ir::binaryFloat(k, a, b))
    return *r;
  notDefined(k, floatElem(a));
}

__int128 toInt(double v) { return static_cast<__int128>(static_cast<int64_t>(v)); }

/// An i64 op's value as the interpreter holds it: its error or an overflow is a runtime error.
double intValue(OpKind k, std::optional<ir::IntResult> r) {
  if (!r)
    notDefined(k, ElemType::I64);
  if (r->error)
    throw OpFailure(r->error);
  return intResult(r->value);
}

} // namespace

double intResult(__int128 v) {
  if (v > kMaxExactInt || v < -kMaxExactInt) {
    // Print the exact value when it fits in 64 bits.
    std::string text = (v <= INT64_MAX && v >= INT64_MIN)
                           ? std::to_string(static_cast<int64_t>(v))
                           : std::string(v < 0 ? "below -2^63" : "above 2^63");
    throw OpFailure(fmt::format("integer overflow: {} is outside the i64 range of the "
                                "interpreter (|v| <= 2^53)",
                                text));
  }
  return static_cast<double>(static_cast<int64_t>(v)); // +0.0 for zero, never -0.0
}

double roundToElem(ElemType e, double v) {
  return e == ElemType::F32 ? static_cast<double>(static_cast<float>(v)) : v;
}

double unaryElem(OpKind k, ElemType e, double x) {
  switch (e) {
  case ElemType::F64:
    return unaryFloatOrFail<double>(k, x);
  case ElemType::F32:
    return unaryFloatOrFail<float>(k, static_cast<float>(x));
  case ElemType::I64:
    return intValue(k, ir::unaryInt(k, toInt(x)));
  case ElemType::Bool:
    if (k == OpKind::Not)
      return x != 0 ? 0 : 1;
    notDefined(k, e);
  }
  notDefined(k, e);
}

double binaryElem(OpKind k, ElemType e, double a, double b) {
  switch (e) {
  case ElemType::F64:
    return binaryFloatOrFail<double>(k, a, b);
  case ElemType::F32:
    return binaryFloatOrFail<float>(k, static_cast<float>(a), static_cast<float>(b));
  case ElemType::I64:
    return intValue(k, ir::binaryInt(k, toInt(a), toInt(b)));
  case ElemType::Bool:
    if (auto r = ir::binaryBool(k, a != 0, b != 0))
      return *r ? 1 : 0;
    notDefined(k, e);
  }
  notDefined(k, e);
}

double compareElem(OpKind k, double a, double b) {
  // i64 and bool elements are exact doubles: one comparison serves every element type.
  if (auto r = ir::compareScalars(k, a, b))
    return *r;
  throw InternalError(fmt::format("interpreter: '{}' is not a comparison", ir::opMnemonic(k)));
}

double castElem(ElemType from, ElemType to, double v) {
  switch (to) {
  case ElemType::F64:
    return v;
  case ElemType::F32:
    return static_cast<double>(static_cast<float>(v));
  case ElemType::Bool:
    return v != 0 ? 1 : 0;
  case ElemType::I64: {
    if (!ir::isFloat(from))
      return v;
    if (std::isnan(v))
      throw OpFailure("cannot convert NaN to i64");
    double t = std::trunc(v);
    if (!(std::fabs(t) <= static_cast<double>(kMaxExactInt)))
      throw OpFailure(fmt::format("cannot convert {} to i64: outside the range |v| <= 2^53", v));
    return t == 0 ? 0.0 : t; // never -0.0
  }
  }
  throw InternalError("interpreter: bad element type in cast");
}

bool broadcastable(const std::vector<int64_t> &in, const std::vector<int64_t> &out) {
  if (in.size() > out.size())
    return false;
  size_t off = out.size() - in.size();
  for (size_t a = 0; a < in.size(); ++a)
    if (in[a] != out[off + a] && in[a] != 1)
      return false;
  return true;
}

BroadcastMap::BroadcastMap(const std::vector<int64_t> &in, const std::vector<int64_t> &out) {
  if (!broadcastable(in, out))
    throw InternalError(fmt::format("interpreter: shape {} does not broadcast to {}",
                                    ir::shapeStr(in), ir::shapeStr(out)));
  if (in == out) {
    kind_ = Kind::Same;
    return;
  }
  if (numElements(in) == 1) {
    kind_ = Kind::Scalar;
    return;
  }
  kind_ = Kind::Table;
  size_t rank = out.size(), off = rank - in.size();
  // Stride of each result axis in the operand: 0 where the operand is broadcast.
  std::vector<size_t> stride(rank, 0);
  size_t s = 1;
  for (size_t a = in.size(); a-- > 0;) {
    stride[off + a] = in[a] == 1 ? 0 : s;
    s *= static_cast<size_t>(in[a]);
  }
  size_t n = numElements(out);
  table_.resize(n);
  std::vector<int64_t> idx(rank, 0);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    table_[i] = pos;
    // Advance the row-major counter, updating the operand position incrementally.
    for (size_t a = rank; a-- > 0;) {
      if (++idx[a] < out[a]) {
        pos += stride[a];
        break;
      }
      pos -= stride[a] * static_cast<size_t>(out[a] - 1);
      idx[a] = 0;
    }
  }
}

Tensor elementwise(const ir::Op &op, ElemType resultElem, const std::vector<int64_t> &shape,
                   const std::vector<const Tensor *> &ins) {
  ir::OpClass cls = ir::opClass(op.kind);
  size_t arity = cls == ir::OpClass::Unary ? 1 : 2;
  if (ins.size() != arity)
    throw InternalError(fmt::format("interpreter: '{}' takes {} operands, got {}",
                                    ir::opMnemonic(op.kind), arity, ins.size()));
  ElemType e = ins[0]->elem;
  if (arity == 2 && ins[1]->elem != e)
    throw InternalError(fmt::format("interpreter: '{}' on {} and {}", ir::opMnemonic(op.kind),
                                    ir::elemTypeName(e), ir::elemTypeName(ins[1]->elem)));
  Tensor out = Tensor::zeros(resultElem, shape);
  size_t n = out.size();
  BroadcastMap ma(ins[0]->shape, shape);
  if (arity == 1) {
    for (size_t i = 0; i < n; ++i)
      out.data[i] = unaryElem(op.kind, e, ins[0]->data[ma(i)]);
    return out;
  }
  BroadcastMap mb(ins[1]->shape, shape);
  for (size_t i = 0; i < n; ++i) {
    double a = ins[0]->data[ma(i)], b = ins[1]->data[mb(i)];
    out.data[i] =
        cls == ir::OpClass::Compare ? compareElem(op.kind, a, b) : binaryElem(op.kind, e, a, b);
  }
  return out;
}

Tensor select(const Tensor &c, const Tensor &a, const Tensor &b, ElemType resultElem,
              const std::vector<int64_t> &shape) {
  Tensor out = Tensor::zeros(resultElem, shape);
  BroadcastMap mc(c.shape, shape), ma(a.shape, shape), mb(b.shape, shape);
  for (size_t i = 0; i < out.size(); ++i)
    out.data[i] = c.data[mc(i)] != 0 ? a.data[ma(i)] : b.data[mb(i)];
  return out;
}

Tensor cast(const Tensor &x, ElemType to) {
  Tensor out = x;
  out.elem = to;
  for (double &v : out.data)
    v = castElem(x.elem, to, v);
  return out;
}

Tensor fill(const Tensor &v, ElemType e, const std::vector<int64_t> &shape) {
  Tensor out = Tensor::zeros(e, shape);
  double x = roundToElem(e, v.item());
  for (double &d : out.data)
    d = x;
  return out;
}

Tensor broadcastTo(const Tensor &x, const std::vector<int64_t> &shape) {
  Tensor out = Tensor::zeros(x.elem, shape);
  BroadcastMap m(x.shape, shape);
  for (size_t i = 0; i < out.size(); ++i)
    out.data[i] = x.data[m(i)];
  return out;
}

Tensor sumTo(const Tensor &x, const std::vector<int64_t> &shape) {
  Tensor out = Tensor::zeros(x.elem, shape);
  BroadcastMap m(shape, x.shape);
  for (size_t i = 0; i < x.size(); ++i) {
    double &acc = out.data[m(i)];
    acc = addElem(x.elem, acc, x.data[i]);
  }
  return out;
}

} // namespace diffc::interp::detail
