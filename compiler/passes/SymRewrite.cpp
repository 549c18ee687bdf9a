// Rewrites that are not canonical forms but sometimes shorter: multiplying out products of sums,
// and putting a sum of quotients over one denominator (the quotient rule's usual result).
// tidy() tries them and keeps whichever prints shortest, which is the "as a person would write
// it" criterion made measurable.
#include "passes/SymExpr.h"

#include <algorithm>
#include <map>

namespace diffc::sym {

namespace {

/// Beyond this many terms multiplying out is abandoned: it would only get longer.
constexpr size_t kMaxTerms = 256;

/// The product of `factors` with every sum among them multiplied out, or null when that gives
/// more than kMaxTerms terms.
ExprP distribute(const std::vector<ExprP> &factors) {
  std::vector<std::vector<ExprP>> products = {{}};
  for (const ExprP &f : factors) {
    if (f->kind != Kind::Add) {
      for (auto &p : products)
        p.push_back(f);
      continue;
    }
    if (products.size() * f->args.size() > kMaxTerms)
      return nullptr;
    std::vector<std::vector<ExprP>> next;
    for (const auto &p : products) {
      for (const ExprP &t : f->args) {
        next.push_back(p);
        next.back().push_back(t);
      }
    }
    products = std::move(next);
  }
  std::vector<ExprP> terms;
  for (auto &p : products)
    terms.push_back(mul(std::move(p)));
  return add(std::move(terms));
}

/// A term split into its numerator and its denominator powers (base key -> base, exponent).
struct Quotient {
  std::vector<ExprP> top;
  std::map<std::string, std::pair<ExprP, double>> bottom;
};

Quotient splitQuotient(const ExprP &term) {
  Quotient q;
  for (const ExprP &f : term->kind == Kind::Mul ? term->args : std::vector<ExprP>{term}) {
    if (f->kind == Kind::Pow && f->args[1]->kind == Kind::Num && f->args[1]->num < 0)
      q.bottom[f->args[0]->key] = {f->args[0], -f->args[1]->num};
    else
      q.top.push_back(f);
  }
  return q;
}

} // namespace

ExprP expand(const ExprP &e) {
  switch (e->kind) {
  case Kind::Add: {
    std::vector<ExprP> terms;
    for (const ExprP &t : e->args)
      terms.push_back(expand(t));
    return add(std::move(terms));
  }
  case Kind::Mul:
  case Kind::Pow: {
    std::vector<ExprP> factors;
    for (const ExprP &f : e->kind == Kind::Mul ? e->args : std::vector<ExprP>{e}) {
      // Small positive integer powers of a sum are multiplied out like products.
      if (f->kind == Kind::Pow && f->args[0]->kind == Kind::Add && f->args[1]->kind == Kind::Num &&
          f->args[1]->num >= 2 && f->args[1]->num <= 4 &&
          f->args[1]->num == static_cast<int>(f->args[1]->num)) {
        ExprP base = expand(f->args[0]);
        for (int i = 0; i < static_cast<int>(f->args[1]->num); ++i)
          factors.push_back(base);
      } else {
        factors.push_back(f->kind == Kind::Add ? expand(f) : f);
      }
    }
    ExprP out = distribute(factors);
    return out ? out : e;
  }
  default:
    return e;
  }
}

ExprP together(const ExprP &e) {
  if (e->kind != Kind::Add)
    return e;
  std::vector<Quotient> parts;
  std::map<std::string, std::pair<ExprP, double>> common;
  for (const ExprP &t : e->args) {
    parts.push_back(splitQuotient(t));
    for (const auto &[key, be] : parts.back().bottom) {
      auto [it, fresh] = common.emplace(key, be);
      if (!fresh)
        it->second.second = std::max(it->second.second, be.second);
    }
  }
  if (common.empty())
    return e;
  std::vector<ExprP> numerators;
  for (const Quotient &q : parts) {
    std::vector<ExprP> factors = q.top;
    for (const auto &[key, be] : common) {
      auto mine = q.bottom.find(key);
      double have = mine == q.bottom.end() ? 0 : mine->second.second;
      factors.push_back(pow(be.first, num(be.second - have)));
    }
    numerators.push_back(mul(std::move(factors)));
  }
  std::vector<ExprP> result = {expand(add(std::move(numerators)))};
  for (const auto &[key, be] : common)
    result.push_back(pow(be.first, num(-be.second)));
  return mul(std::move(result));
}

ExprP factorOut(const ExprP &e) {
  if (e->kind != Kind::Add)
    return e;
  // base key -> (base, exponent) of each term, numeric exponents only.
  auto powers = [](const ExprP &t) {
    std::map<std::string, std::pair<ExprP, double>> out;
    for (const ExprP &f : t->kind == Kind::Mul ? t->args : std::vector<ExprP>{t}) {
      if (f->kind == Kind::Num)
        continue;
      bool numericPower = f->kind == Kind::Pow && f->args[1]->kind == Kind::Num;
      out[numericPower ? f->args[0]->key : f->key] = {numericPower ? f->args[0] : f,
                                                      numericPower ? f->args[1]->num : 1.0};
    }
    return out;
  };
  auto common = powers(e->args[0]);
  for (size_t i = 1; i < e->args.size() && !common.empty(); ++i) {
    auto mine = powers(e->args[i]);
    for (auto it = common.begin(); it != common.end();) {
      auto m = mine.find(it->first);
      double a = it->second.second, b = m == mine.end() ? 0 : m->second.second;
      // A base common to all terms with exponents of one sign gives up the smallest power.
      if (m == mine.end() || (a > 0) != (b > 0)) {
        it = common.erase(it);
        continue;
      }
      it->second.second = a > 0 ? std::min(a, b) : std::max(a, b);
      ++it;
    }
  }
  if (common.empty())
    return e;
  std::vector<ExprP> pulled, rest;
  for (const auto &[key, be] : common)
    pulled.push_back(pow(be.first, num(be.second)));
  ExprP divisor = mul(pulled);
  for (const ExprP &t : e->args)
    rest.push_back(div(t, divisor));
  pulled.push_back(add(std::move(rest)));
  return mul(std::move(pulled));
}

ExprP tidy(const ExprP &e) {
  ExprP best = e;
  size_t bestLength = print(e).size();
  ExprP expanded = expand(e);
  for (const ExprP &candidate : {expanded, together(e), factorOut(e), factorOut(expanded)}) {
    size_t length = print(candidate).size();
    // Only a clear gain (3 characters and 5%) replaces the form AD's rules give: `s*(1 - s)`
    // for the sigmoid, not the two characters shorter `s - s^2`.
    if (length + std::max<size_t>(3, bestLength / 20) <= bestLength) {
      best = candidate;
      bestLength = length;
    }
  }
  return best;
}

} // namespace diffc::sym
