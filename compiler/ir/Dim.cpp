#include "ir/Dim.h"

#include <algorithm>

namespace diffc::ir {

Dim Dim::constant(int64_t c) {
  Dim d;
  d.addTerm({}, c);
  return d;
}

Dim Dim::symbol(uint32_t sym) {
  Dim d;
  d.addTerm({sym}, 1);
  return d;
}

void Dim::addTerm(const Monomial &m, int64_t c) {
  if (c == 0)
    return;
  auto [it, inserted] = terms_.emplace(m, c);
  if (!inserted) {
    overflow_ |= __builtin_add_overflow(it->second, c, &it->second);
    if (it->second == 0)
      terms_.erase(it);
  }
}

bool Dim::isConstant() const {
  return terms_.empty() || (terms_.size() == 1 && terms_.begin()->first.empty());
}

int64_t Dim::constantValue() const { return terms_.empty() ? 0 : terms_.begin()->second; }

std::optional<uint32_t> Dim::asSymbol() const {
  if (terms_.size() == 1 && terms_.begin()->first.size() == 1 && terms_.begin()->second == 1)
    return terms_.begin()->first[0];
  return std::nullopt;
}

std::vector<uint32_t> Dim::symbols() const {
  std::vector<uint32_t> out;
  for (const auto &[m, c] : terms_)
    for (uint32_t s : m)
      if (std::find(out.begin(), out.end(), s) == out.end())
        out.push_back(s);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<DimLinear> Dim::linearIn(const std::vector<bool> &known) const {
  if (overflow_)
    return std::nullopt;
  std::optional<DimLinear> out;
  Dim rest;
  for (const auto &[m, c] : terms_) {
    bool allKnown = true;
    for (uint32_t s : m)
      allKnown &= s < known.size() && known[s];
    if (allKnown) {
      rest.addTerm(m, c);
      continue;
    }
    if (m.size() != 1 || out)
      return std::nullopt;
    out = DimLinear{m[0], c, Dim()};
  }
  if (out)
    out->rest = rest;
  return out;
}

std::optional<Dim> Dim::divExact(int64_t a) const {
  if (a == 0)
    return std::nullopt;
  if (a == -1) // INT64_MIN % -1 and INT64_MIN / -1 are undefined; negation reports overflow
    return -*this;
  Dim r;
  r.overflow_ = overflow_;
  for (const auto &[m, c] : terms_) {
    if (c % a != 0)
      return std::nullopt;
    r.addTerm(m, c / a);
  }
  return r;
}

Dim Dim::operator+(const Dim &o) const {
  Dim r = *this;
  r.overflow_ |= o.overflow_;
  for (const auto &[m, c] : o.terms_)
    r.addTerm(m, c);
  return r;
}

Dim Dim::operator-() const {
  Dim r;
  r.overflow_ = overflow_;
  for (const auto &[m, c] : terms_) {
    int64_t n = 0;
    r.overflow_ |= __builtin_sub_overflow(int64_t(0), c, &n);
    r.addTerm(m, n);
  }
  return r;
}

Dim Dim::operator-(const Dim &o) const { return *this + (-o); }

Dim Dim::operator*(const Dim &o) const {
  Dim r;
  r.overflow_ = overflow_ || o.overflow_;
  for (const auto &[m1, c1] : terms_)
    for (const auto &[m2, c2] : o.terms_) {
      Monomial m = m1;
      m.insert(m.end(), m2.begin(), m2.end());
      std::sort(m.begin(), m.end());
      int64_t c = 0;
      r.overflow_ |= __builtin_mul_overflow(c1, c2, &c);
      r.addTerm(m, c);
    }
  return r;
}

std::optional<int64_t> Dim::evaluate(std::span<const int64_t> vals) const {
  if (overflow_)
    return std::nullopt;
  int64_t total = 0;
  for (const auto &[m, c] : terms_) {
    int64_t term = c;
    for (uint32_t s : m) {
      if (s >= vals.size() || __builtin_mul_overflow(term, vals[s], &term))
        return std::nullopt;
    }
    if (__builtin_add_overflow(total, term, &total))
      return std::nullopt;
  }
  return total;
}

Dim Dim::substitute(std::span<const Dim> subst) const {
  Dim r;
  r.overflow_ = overflow_;
  for (const auto &[m, c] : terms_) {
    Dim term = Dim::constant(c);
    for (uint32_t s : m)
      term = term * (s < subst.size() ? subst[s] : Dim::symbol(s));
    r = r + term;
  }
  return r;
}

std::string Dim::str(std::span<const std::string> names) const {
  if (terms_.empty())
    return "0";
  // Highest-degree terms first, the constant last: `2*N + 1`, `N - 1`.
  std::vector<std::pair<Monomial, int64_t>> ordered(terms_.begin(), terms_.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
  std::string out;
  bool first = true;
  for (const auto &[m, c] : ordered) {
    // As unsigned: the magnitude of INT64_MIN (an overflowed dim's wrapped value) is 2^63.
    uint64_t mag = c < 0 ? 0 - static_cast<uint64_t>(c) : static_cast<uint64_t>(c);
    if (first)
      out += c < 0 ? "-" : "";
    else
      out += c < 0 ? " - " : " + ";
    first = false;
    bool needCoef = m.empty() || mag != 1;
    if (needCoef)
      out += std::to_string(mag);
    for (size_t i = 0; i < m.size(); ++i) {
      if (needCoef || i > 0)
        out += "*";
      out += m[i] < names.size() ? names[m[i]] : "$" + std::to_string(m[i]);
    }
  }
  return out;
}

} // namespace diffc::ir
