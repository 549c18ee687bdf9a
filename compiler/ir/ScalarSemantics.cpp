#include "ir/ScalarSemantics.h"

namespace diffc::ir {

namespace {

constexpr const char *kDivisionByZero = "integer division by zero";

IntResult powInt(__int128 base, __int128 exp) {
  if (exp < 0) {
    if (base == 0)
      return {0, kDivisionByZero};
    // 1 / base^|exp| truncated toward zero.
    if (base == 1)
      return {1};
    if (base == -1)
      return {exp % 2 == 0 ? 1 : -1};
    return {0};
  }
  if (base == 0 || base == 1)
    return {exp == 0 ? 1 : base};
  if (base == -1)
    return {exp % 2 == 0 ? 1 : -1};
  // |base| >= 2: stop as soon as the power leaves the exact range (within 54 steps), before
  // 128 bits could overflow; the caller's range check then fails.
  __int128 r = 1;
  for (__int128 i = 0; i < exp && r <= kMaxExactInt && r >= -kMaxExactInt; ++i)
    r *= base;
  return {r};
}

} // namespace

std::optional<IntResult> unaryInt(OpKind k, __int128 x) {
  switch (k) {
  case OpKind::Neg:
    return IntResult{-x};
  case OpKind::Abs:
    return IntResult{x < 0 ? -x : x};
  case OpKind::Sign:
    return IntResult{x > 0 ? 1 : x < 0 ? -1 : 0};
  case OpKind::Relu:
    return IntResult{x > 0 ? x : 0};
  case OpKind::Floor:
  case OpKind::Ceil:
  case OpKind::Round:
    return IntResult{x};
  default:
    return std::nullopt;
  }
}

std::optional<IntResult> binaryInt(OpKind k, __int128 a, __int128 b) {
  switch (k) {
  case OpKind::Add:
    return IntResult{a + b};
  case OpKind::Sub:
    return IntResult{a - b};
  case OpKind::Mul:
    return IntResult{a * b};
  case OpKind::Div:
    if (b == 0)
      return IntResult{0, kDivisionByZero};
    return IntResult{a / b};
  case OpKind::Mod:
    if (b == 0)
      return IntResult{0, kDivisionByZero};
    return IntResult{a % b};
  case OpKind::Pow:
    return powInt(a, b);
  case OpKind::Min:
    return IntResult{a <= b ? a : b};
  case OpKind::Max:
    return IntResult{a >= b ? a : b};
  default:
    return std::nullopt;
  }
}

std::optional<bool> binaryBool(OpKind k, bool a, bool b) {
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

} // namespace diffc::ir
