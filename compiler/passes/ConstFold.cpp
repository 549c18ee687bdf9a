// Constant folding. The arithmetic here must agree bit for bit with the interpreter
// (interp/Elementwise.cpp), which defines the semantics: f32 is computed in float, i64 exactly,
// and anything that is a runtime error there is left for the runtime to report.
#include "passes/SimplifyRules.h"

#include "ir/FloatPow.h"

#include <algorithm>
#include <cmath>
#include <math.h> // lgamma_r, lgammaf_r
#include <type_traits>

namespace diffc::passes::detail {

using namespace ir;

namespace {

/// Largest integer magnitude an i64 constant may have: the interpreter keeps i64 values exact
/// in doubles, and a larger folded constant would turn its overflow error into a different one.
constexpr int64_t kMaxFoldedInt = int64_t(1) << 53;

std::optional<int64_t> fitInt(__int128 v) {
  if (v > kMaxFoldedInt || v < -kMaxFoldedInt)
    return std::nullopt;
  return static_cast<int64_t>(v);
}

double roundTo(ElemType e, double v) {
  return e == ElemType::F32 ? static_cast<double>(static_cast<float>(v)) : v;
}

template <typename T> T relu(T x) { return std::isnan(x) ? x : (x > 0 ? x : T(0)); }

template <typename T> std::optional<T> unaryFloat(OpKind k, T x) {
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
    // The interpreter's formula: never exponentiate a positive number.
    if (x >= 0)
      return T(1) / (T(1) + std::exp(-x));
    T z = std::exp(x);
    return z / (T(1) + z);
  }
  case OpKind::Relu:
    return relu(x);
  case OpKind::Softplus:
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
    return std::round(x);
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
    return std::nullopt;
  }
}

template <typename T> T minOf(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return a + b;
  return a <= b ? a : b;
}
template <typename T> T maxOf(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return a + b;
  return a >= b ? a : b;
}

template <typename T> std::optional<T> binaryFloat(OpKind k, T a, T b) {
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
    return std::nullopt;
  }
}

std::optional<int64_t> unaryInt(OpKind k, int64_t x) {
  __int128 v = x;
  switch (k) {
  case OpKind::Neg:
    return fitInt(-v);
  case OpKind::Abs:
    return fitInt(v < 0 ? -v : v);
  case OpKind::Sign:
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  case OpKind::Relu:
    return x > 0 ? x : 0;
  case OpKind::Floor:
  case OpKind::Ceil:
  case OpKind::Round:
    return x;
  default:
    return std::nullopt;
  }
}

/// base^exp in i64 as the interpreter defines it (a negative exponent truncates 1/base^|exp|).
std::optional<int64_t> powInt(__int128 base, __int128 exp) {
  if (exp < 0) {
    if (base == 0)
      return std::nullopt; // integer division by zero: a runtime error
    if (base == 1)
      return 1;
    if (base == -1)
      return exp % 2 == 0 ? 1 : -1;
    return 0;
  }
  if (base == 0 || base == 1)
    return exp == 0 ? 1 : static_cast<int64_t>(base);
  if (base == -1)
    return exp % 2 == 0 ? 1 : -1;
  __int128 r = 1;
  for (__int128 i = 0; i < exp; ++i) {
    r *= base;
    if (!fitInt(r))
      return std::nullopt; // |base| >= 2 leaves the range within 54 steps
  }
  return fitInt(r);
}

std::optional<int64_t> binaryInt(OpKind k, int64_t x, int64_t y) {
  __int128 a = x, b = y;
  switch (k) {
  case OpKind::Add:
    return fitInt(a + b);
  case OpKind::Sub:
    return fitInt(a - b);
  case OpKind::Mul:
    return fitInt(a * b);
  case OpKind::Div:
    if (b == 0)
      return std::nullopt; // leave the division by zero for the runtime error
    return fitInt(a / b);  // truncates toward zero
  case OpKind::Mod:
    if (b == 0)
      return std::nullopt;
    return fitInt(a % b); // has the sign of the dividend
  case OpKind::Pow:
    return powInt(a, b);
  case OpKind::Min:
    return x <= y ? x : y;
  case OpKind::Max:
    return x >= y ? x : y;
  default:
    return std::nullopt;
  }
}

std::optional<int64_t> binaryBool(OpKind k, bool a, bool b) {
  switch (k) {
  case OpKind::And:
  case OpKind::Min:
    return a && b;
  case OpKind::Or:
  case OpKind::Max:
    return a || b;
  default:
    return std::nullopt;
  }
}

std::optional<bool> compare(OpKind k, const Scalar &a, const Scalar &b) {
  if (isFloat(a.elem)) {
    double x = a.f, y = b.f;
    switch (k) {
    case OpKind::Eq:
      return x == y;
    case OpKind::Ne:
      return x != y;
    case OpKind::Lt:
      return x < y;
    case OpKind::Le:
      return x <= y;
    case OpKind::Gt:
      return x > y;
    case OpKind::Ge:
      return x >= y;
    default:
      return std::nullopt;
    }
  }
  int64_t x = a.i, y = b.i;
  switch (k) {
  case OpKind::Eq:
    return x == y;
  case OpKind::Ne:
    return x != y;
  case OpKind::Lt:
    return x < y;
  case OpKind::Le:
    return x <= y;
  case OpKind::Gt:
    return x > y;
  case OpKind::Ge:
    return x >= y;
  default:
    return std::nullopt;
  }
}

std::optional<Scalar> cast(const Scalar &x, ElemType to) {
  Scalar r;
  r.elem = to;
  bool fromFloat = isFloat(x.elem);
  switch (to) {
  case ElemType::F64:
  case ElemType::F32:
    r.f = roundTo(to, fromFloat ? x.f : static_cast<double>(x.i));
    return r;
  case ElemType::Bool:
    r.i = fromFloat ? x.f != 0 : x.i != 0;
    return r;
  case ElemType::I64: {
    if (!fromFloat) {
      r.i = x.i;
      return r;
    }
    if (std::isnan(x.f))
      return std::nullopt; // a runtime error
    double t = std::trunc(x.f);
    if (!(std::fabs(t) <= static_cast<double>(kMaxFoldedInt)))
      return std::nullopt;
    r.i = static_cast<int64_t>(t);
    return r;
  }
  }
  return std::nullopt;
}

std::optional<Scalar> unary(OpKind k, const Scalar &x) {
  Scalar r;
  r.elem = x.elem;
  switch (x.elem) {
  case ElemType::F64:
    if (auto v = unaryFloat<double>(k, x.f)) {
      r.f = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::F32:
    if (auto v = unaryFloat<float>(k, static_cast<float>(x.f))) {
      r.f = static_cast<double>(*v);
      return r;
    }
    return std::nullopt;
  case ElemType::I64:
    if (auto v = unaryInt(k, x.i)) {
      r.i = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::Bool:
    if (k != OpKind::Not)
      return std::nullopt;
    r.i = x.i == 0;
    return r;
  }
  return std::nullopt;
}

std::optional<Scalar> binary(OpKind k, const Scalar &a, const Scalar &b) {
  if (a.elem != b.elem)
    return std::nullopt;
  Scalar r;
  r.elem = a.elem;
  std::optional<int64_t> iv;
  switch (a.elem) {
  case ElemType::F64:
    if (auto v = binaryFloat<double>(k, a.f, b.f)) {
      r.f = *v;
      return r;
    }
    return std::nullopt;
  case ElemType::F32:
    if (auto v = binaryFloat<float>(k, static_cast<float>(a.f), static_cast<float>(b.f))) {
      r.f = static_cast<double>(*v);
      return r;
    }
    return std::nullopt;
  case ElemType::I64:
    iv = binaryInt(k, a.i, b.i);
    break;
  case ElemType::Bool:
    iv = binaryBool(k, a.i != 0, b.i != 0);
    break;
  }
  if (!iv)
    return std::nullopt;
  r.i = *iv;
  return r;
}

/// Rewrites op in place into `const v`.
void makeConstant(Op &op, const Scalar &v) {
  op.kind = OpKind::Const;
  op.operands.clear();
  op.dims.clear();
  op.ints.clear();
  op.callee.clear();
  op.note.clear();
  op.fval = isFloat(v.elem) ? v.f : 0;
  op.ival = isFloat(v.elem) ? 0 : v.i;
}

} // namespace

std::optional<Scalar> constantOf(const Value *v) {
  if (!v || !v->def || v->def->kind != OpKind::Const || !v->type.isScalar())
    return std::nullopt;
  const Op &op = *v->def;
  Scalar s;
  s.elem = v->type.elem;
  if (isFloat(s.elem))
    s.f = roundTo(s.elem, op.fval);
  else
    s.i = s.elem == ElemType::Bool ? (op.ival != 0) : op.ival;
  return s;
}

bool foldConstant(Op &op) {
  if (op.results.size() != 1 || !op.regions.empty())
    return false;
  const Type &rt = op.result()->type;
  if (!rt.isScalar())
    return false;
  if (op.kind == OpKind::DimValue) {
    if (op.dims.size() != 1 || !op.dims[0].isConstant() || rt.elem != ElemType::I64)
      return false;
    auto v = fitInt(op.dims[0].constantValue());
    if (!v)
      return false;
    Scalar s;
    s.elem = ElemType::I64;
    s.i = *v;
    makeConstant(op, s);
    return true;
  }
  OpClass cls = opClass(op.kind);
  if (cls == OpClass::Other && op.kind != OpKind::Cast)
    return false;
  if (op.operands.empty())
    return false;
  std::vector<Scalar> ins;
  for (const Value *v : op.operands) {
    auto c = constantOf(v);
    if (!c)
      return false;
    ins.push_back(*c);
  }
  std::optional<Scalar> r;
  if (op.kind == OpKind::Cast && ins.size() == 1)
    r = cast(ins[0], rt.elem);
  else if (cls == OpClass::Unary && ins.size() == 1)
    r = unary(op.kind, ins[0]);
  else if (cls == OpClass::Binary && ins.size() == 2)
    r = binary(op.kind, ins[0], ins[1]);
  else if (cls == OpClass::Compare && ins.size() == 2 && ins[0].elem == ins[1].elem) {
    if (auto c = compare(op.kind, ins[0], ins[1])) {
      r = Scalar{ElemType::Bool, 0, *c ? 1 : 0};
    }
  }
  if (!r || r->elem != rt.elem)
    return false;
  // NaN or inf from finite constants (log(0.0), 1.0 / 0.0) stays an op, so that --check-nan can
  // report it at run time like any other.
  auto finite = [](const Scalar &x) { return !isFloat(x.elem) || std::isfinite(x.f); };
  if (!finite(*r) && std::all_of(ins.begin(), ins.end(), finite))
    return false;
  makeConstant(op, *r);
  return true;
}

} // namespace diffc::passes::detail
