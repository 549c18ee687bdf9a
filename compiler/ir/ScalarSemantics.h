// What the IR's scalar ops compute on one element, defined once. The interpreter evaluates them
// (interp/Elementwise.cpp) and constant folding (passes/ConstFold.cpp) must agree with it bit for
// bit; codegen emits the same formulas (codegen/Scalar.cpp). f32 is computed in float, i64 exactly.
//
// Every function returns nullopt when the op is not defined on the element type: the interpreter
// turns that into an internal error, constant folding into "leave the op alone".
#pragma once

#include "ir/FloatPow.h"
#include "ir/IR.h"

#include <cmath>
#include <cstdint>
#include <math.h> // lgamma_r, lgammaf_r (thread-safe variants; glibc)
#include <optional>
#include <type_traits>

namespace diffc::ir {

template <typename T> T reluOf(T x) { return std::isnan(x) ? x : (x > 0 ? x : T(0)); }

/// min and max propagate NaN; ties pick the first operand.
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

/// Unary op k on a float (T is float or double).
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
    // Never exponentiate a positive number: no overflow, no inf/inf.
    if (x >= 0)
      return T(1) / (T(1) + std::exp(-x));
    T z = std::exp(x);
    return z / (T(1) + z);
  }
  case OpKind::Relu:
    return reluOf(x);
  case OpKind::Softplus:
    // log(1 + e^x) = log1p(e^-|x|) + max(x, 0): exact for large |x|, no overflow.
    return std::log1p(std::exp(-std::fabs(x))) + reluOf(x);
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
    return std::nullopt;
  }
}

/// Binary op k on floats (T is float or double).
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
    return floatPow(a, b);
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

/// The exact value of an i64 op, or the runtime error it raises. Whether the value is in the
/// interpreter's range (|v| <= kMaxExactInt) is the caller's check: the interpreter reports an
/// overflow, constant folding leaves the op for the runtime to report.
struct IntResult {
  __int128 value = 0;
  const char *error = nullptr; // "integer division by zero"
};

/// Unary op k on an i64.
std::optional<IntResult> unaryInt(OpKind k, __int128 x);
/// Binary op k on i64s: / truncates toward zero, % has the sign of the dividend, a negative power
/// is 1 / base^|exp| truncated.
std::optional<IntResult> binaryInt(OpKind k, __int128 a, __int128 b);
/// Binary op k on bools (and / min, or / max).
std::optional<bool> binaryBool(OpKind k, bool a, bool b);

/// Comparison op k.
template <typename T> std::optional<bool> compareScalars(OpKind k, T a, T b) {
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
    return std::nullopt;
  }
}

} // namespace diffc::ir
