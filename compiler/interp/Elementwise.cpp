#include "interp/Elementwise.h"

#include "interp/RtValue.h"
#include "ir/FloatPow.h"
#include "ir/SizeInference.h"
#include "support/Diagnostics.h"

#include <cmath>
#include <fmt/format.h>
#include <math.h> // lgamma_r, lgammaf_r (thread-safe variants; glibc)

namespace diffc::interp::detail {

using ir::ElemType;
using ir::OpKind;

namespace {

[[noreturn]] void notDefined(OpKind k, ElemType e) {
  throw InternalError(fmt::format("interpreter: '{}' is not defined on {}", ir::opMnemonic(k),
                                  ir::elemTypeName(e)));
}

template <typename T> T relu(T x) { return std::isnan(x) ? x : (x > 0 ? x : T(0)); }

template <typename T> T unaryFloat(OpKind k, T x) {
  switch (k) {
  case OpKind::Neg:
    return -x;
  case OpKind::Exp:
    return std::exp(x);
  case OpKind::Log:
    return std::log(x);
  case OpKind::Log1p:
    return std::log1p(x);
  case OpKind::Expm1:
    return std::expm1(x);
  case OpKind::Sqrt:
    return std::sqrt(x);
  case OpKind::Cbrt:
    return std::cbrt(x);
  case OpKind::Sin:
    return std::sin(x);
  case OpKind::Cos:
    return std::cos(x);
  case OpKind::Tan:
    return std::tan(x);
  case OpKind::Asin:
    return std::asin(x);
  case OpKind::Acos:
    return std::acos(x);
  case OpKind::Atan:
    return std::atan(x);
  case OpKind::Sinh:
    return std::sinh(x);
  case OpKind::Cosh:
    return std::cosh(x);
  case OpKind::Tanh:
    return std::tanh(x);
  case OpKind::Sigmoid: {
    // Never exponentiate a positive number: no overflow, no inf/inf.
    if (x >= 0)
      return T(1) / (T(1) + std::exp(-x));
    T z = std::exp(x);
    return z / (T(1) + z);
  }
  case OpKind::Relu:
    return relu(x);
  case OpKind::Softplus:
    // log(1 + e^x) = log1p(e^-|x|) + max(x, 0): exact for large |x|, no overflow.
    return std::log1p(std::exp(-std::fabs(x))) + relu(x);
  case OpKind::Abs:
    return std::fabs(x);
  case OpKind::Sign:
    return std::isnan(x) ? x : x > 0 ? T(1) : x < 0 ? T(-1) : T(0);
  case OpKind::Floor:
    return std::floor(x);
  case OpKind::Ceil:
    return std::ceil(x);
  case OpKind::Round:
    return std::round(x); // halfway cases away from zero
  case OpKind::Erf:
    return std::erf(x);
  case OpKind::Lgamma: {
    int sign = 0;
    if constexpr (std::is_same_v<T, float>)
      return ::lgammaf_r(x, &sign);
    else
      return ::lgamma_r(x, &sign);
  }
  default:
    notDefined(k, std::is_same_v<T, float> ? ElemType::F32 : ElemType::F64);
  }
}

template <typename T> T minOf(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return a + b;        // NaN propagates
  return a <= b ? a : b; // ties pick a
}
template <typename T> T maxOf(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return a + b;
  return a >= b ? a : b;
}

template <typename T> T binaryFloat(OpKind k, T a, T b) {
  switch (k) {
  case OpKind::Add:
    return a + b;
  case OpKind::Sub:
    return a - b;
  case OpKind::Mul:
    return a * b;
  case OpKind::Div:
    return a / b;
  case OpKind::Mod:
    return std::fmod(a, b);
  case OpKind::Pow:
    return ir::floatPow(a, b);
  case OpKind::Min:
    return minOf(a, b);
  case OpKind::Max:
    return maxOf(a, b);
  case OpKind::Atan2:
    return std::atan2(a, b);
  case OpKind::Hypot:
    return std::hypot(a, b);
  default:
    notDefined(k, std::is_same_v<T, float> ? ElemType::F32 : ElemType::F64);
  }
}

using i128 = __int128;

i128 toInt(double v) { return static_cast<i128>(static_cast<int64_t>(v)); }

double intPow(i128 base, i128 exp) {
  if (exp < 0) {
    if (base == 0)
      throw OpFailure("integer division by zero");
    // 1 / base^|exp| truncated toward zero.
    if (base == 1)
      return 1;
    if (base == -1)
      return exp % 2 == 0 ? 1 : -1;
    return 0;
  }
  if (base == 0 || base == 1)
    return exp == 0 ? 1 : static_cast<double>(base);
  if (base == -1)
    return exp % 2 == 0 ? 1 : -1;
  // |base| >= 2: the loop leaves the exact range within 54 steps.
  i128 r = 1;
  for (i128 i = 0; i < exp; ++i) {
    r *= base;
    if (r > kMaxExactInt || r < -kMaxExactInt)
      return intResult(r);
  }
  return intResult(r);
}

double binaryInt(OpKind k, double da, double db) {
  i128 a = toInt(da), b = toInt(db);
  switch (k) {
  case OpKind::Add:
    return intResult(a + b);
  case OpKind::Sub:
    return intResult(a - b);
  case OpKind::Mul:
    return intResult(a * b);
  case OpKind::Div:
    if (b == 0)
      throw OpFailure("integer division by zero");
    return intResult(a / b); // truncates toward zero
  case OpKind::Mod:
    if (b == 0)
      throw OpFailure("integer division by zero");
    return intResult(a % b); // has the sign of the dividend
  case OpKind::Pow:
    return intPow(a, b);
  case OpKind::Min:
    return intResult(a <= b ? a : b);
  case OpKind::Max:
    return intResult(a >= b ? a : b);
  default:
    notDefined(k, ElemType::I64);
  }
}

} // namespace

double intResult(i128 v) {
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
    return unaryFloat<double>(k, x);
  case ElemType::F32:
    return unaryFloat<float>(k, static_cast<float>(x));
  case ElemType::I64:
    switch (k) {
    case OpKind::Neg:
      return intResult(-toInt(x));
    case OpKind::Abs:
      return intResult(x < 0 ? -toInt(x) : toInt(x));
    case OpKind::Sign:
      return x > 0 ? 1 : x < 0 ? -1 : 0;
    case OpKind::Relu:
      return x > 0 ? x : 0;
    case OpKind::Floor:
    case OpKind::Ceil:
    case OpKind::Round:
      return x;
    default:
      notDefined(k, e);
    }
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
    return binaryFloat<double>(k, a, b);
  case ElemType::F32:
    return binaryFloat<float>(k, static_cast<float>(a), static_cast<float>(b));
  case ElemType::I64:
    return binaryInt(k, a, b);
  case ElemType::Bool:
    switch (k) {
    case OpKind::And:
    case OpKind::Min:
      return (a != 0 && b != 0) ? 1 : 0;
    case OpKind::Or:
    case OpKind::Max:
      return (a != 0 || b != 0) ? 1 : 0;
    default:
      notDefined(k, e);
    }
  }
  notDefined(k, e);
}

double compareElem(OpKind k, double a, double b) {
  switch (k) {
  case OpKind::Eq:
    return a == b;
  case OpKind::Ne:
    return a != b;
  case OpKind::Lt:
    return a < b;
  case OpKind::Le:
    return a <= b;
  case OpKind::Gt:
    return a > b;
  case OpKind::Ge:
    return a >= b;
  default:
    throw InternalError(fmt::format("interpreter: '{}' is not a comparison", ir::opMnemonic(k)));
  }
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
