// Overflow-safe Dim arithmetic for code that handles dims from untrusted text (the IR parser)
// and for the verifier, which combines such dims (products of shapes, call substitutions).
// Dim's own operators do not check for int64 overflow; these refuse (nullopt) whenever the sum
// of absolute coefficients could pass kMaxDimMagnitude, which bounds every coefficient, and when a
// product would get more terms or a higher degree than any real shape needs (which keeps garbage
// input from using unbounded time and memory).
#pragma once

#include "ir/Dim.h"

#include <cstdint>
#include <optional>
#include <span>

namespace diffc::ir {

inline constexpr uint64_t kMaxDimMagnitude = uint64_t(1) << 62;
inline constexpr size_t kMaxDimTerms = 4096;
inline constexpr size_t kMaxDimDegree = 64;

inline size_t dimDegree(const Dim &d) {
  size_t m = 0;
  for (const auto &[mono, c] : d.terms())
    m = mono.size() > m ? mono.size() : m;
  return m;
}

/// Sum of the absolute values of the coefficients.
inline uint64_t dimMagnitude(const Dim &d) {
  uint64_t m = 0;
  for (const auto &[mono, c] : d.terms()) {
    uint64_t a = c < 0 ? uint64_t(0) - uint64_t(c) : uint64_t(c);
    if (__builtin_add_overflow(m, a, &m))
      return UINT64_MAX;
  }
  return m;
}

inline std::optional<Dim> checkedAdd(const Dim &a, const Dim &b) {
  uint64_t m;
  if (__builtin_add_overflow(dimMagnitude(a), dimMagnitude(b), &m) || m > kMaxDimMagnitude)
    return std::nullopt;
  return a + b;
}

inline std::optional<Dim> checkedMul(const Dim &a, const Dim &b) {
  uint64_t m;
  if (__builtin_mul_overflow(dimMagnitude(a), dimMagnitude(b), &m) || m > kMaxDimMagnitude ||
      a.terms().size() * b.terms().size() > kMaxDimTerms ||
      dimDegree(a) + dimDegree(b) > kMaxDimDegree)
    return std::nullopt;
  return a * b;
}

/// Dim::substitute, refusing when a coefficient could overflow.
inline std::optional<Dim> checkedSubstitute(const Dim &d, std::span<const Dim> subst) {
  Dim r;
  for (const auto &[mono, c] : d.terms()) {
    std::optional<Dim> term = Dim::constant(c);
    for (uint32_t s : mono) {
      term = checkedMul(*term, s < subst.size() ? subst[s] : Dim::symbol(s));
      if (!term)
        return std::nullopt;
    }
    std::optional<Dim> sum = checkedAdd(r, *term);
    if (!sum)
      return std::nullopt;
    r = *sum;
  }
  return r;
}

} // namespace diffc::ir
