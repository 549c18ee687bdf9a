// A symbolic tensor dimension: a polynomial with integer coefficients over the size parameters of
// the enclosing function (`N`, `N - 1`, `2 * N + 1`, `N * D`). Dims are kept in a canonical form
// (sorted monomials, no zero coefficients), so two dims are equal exactly when their canonical
// forms are equal, and a dim with no symbols is a known constant.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace diffc::ir {

struct DimLinear;

class Dim {
public:
  /// A product of size symbols (indices into the function's size list); empty means the constant 1.
  using Monomial = std::vector<uint32_t>;

  Dim() = default; // the constant 0
  static Dim constant(int64_t c);
  static Dim symbol(uint32_t sym);

  bool isConstant() const;
  /// The constant value; only valid when isConstant().
  int64_t constantValue() const;
  /// The symbol when this dim is exactly one size parameter (`N`), else nullopt.
  std::optional<uint32_t> asSymbol() const;
  /// Every symbol this dim mentions.
  std::vector<uint32_t> symbols() const;

  /// `a*s + rest` with a != 0, where s is the only symbol not marked in `known` and appears only
  /// linearly, and `rest` mentions known symbols only.
  std::optional<DimLinear> linearIn(const std::vector<bool> &known) const;
  /// This dim divided by `a` when every coefficient is divisible by it, else nullopt.
  std::optional<Dim> divExact(int64_t a) const;

  Dim operator+(const Dim &o) const;
  Dim operator-(const Dim &o) const;
  Dim operator*(const Dim &o) const;
  Dim operator-() const;
  bool operator==(const Dim &o) const { return terms_ == o.terms_ && overflow_ == o.overflow_; }
  bool operator!=(const Dim &o) const { return !(*this == o); }
  bool operator<(const Dim &o) const {
    return terms_ != o.terms_ ? terms_ < o.terms_ : overflow_ < o.overflow_;
  }

  /// Whether a coefficient left int64 while this dim was computed (`9223372036854775807 + 1`,
  /// `2^40 * 2^40`): it then stands for no value (evaluate gives nullopt) and sema reports it.
  /// The coefficients hold the wrapped results, so arithmetic on it stays defined.
  bool overflowed() const { return overflow_; }

  /// Value of the dim given a value for every symbol. Overflow is reported by returning nullopt.
  std::optional<int64_t> evaluate(std::span<const int64_t> symbolValues) const;
  /// Replaces every symbol s by `subst[s]` (used to map a callee's dims into a caller's).
  Dim substitute(std::span<const Dim> subst) const;

  /// Renders as written in source: `N`, `N - 1`, `2*N + 1`, `N*D`, `3`.
  std::string str(std::span<const std::string> symbolNames) const;

  const std::map<Monomial, int64_t> &terms() const { return terms_; }

private:
  void addTerm(const Monomial &m, int64_t c);
  std::map<Monomial, int64_t> terms_;
  bool overflow_ = false;
};

/// See Dim::linearIn: the dim is `coeff * sym + rest`.
struct DimLinear {
  uint32_t sym;
  int64_t coeff;
  Dim rest;
};

using Shape = std::vector<Dim>;

} // namespace diffc::ir
