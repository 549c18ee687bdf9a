// Infix printing of canonical formulas (SymExpr.h) with only the parentheses the .diff grammar
// needs: sums print their negative terms as subtraction, products their negative powers as a
// denominator and their coefficient as a fraction where it is one (`x/3`, not `0.3333333333*x`).
#include "passes/SymExpr.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace diffc::sym {

namespace {

// Binding strength, loosest first; a child printed in a slot needing more gets parentheses.
enum Prec : int { kCmp = 0, kSum = 1, kProduct = 2, kUnary = 3, kPower = 4, kAtom = 5 };

struct Text {
  std::string s;
  int prec;
};

Text str(const ExprP &e);

std::string wrap(const ExprP &e, int need) {
  Text t = str(e);
  return t.prec < need ? "(" + t.s + ")" : t.s;
}

std::string numText(double v) {
  // The grammar has no literal for these; the quotients evaluate to them.
  if (std::isnan(v))
    return "(0.0/0.0)";
  if (std::isinf(v))
    return v > 0 ? "(1.0/0.0)" : "(-1.0/0.0)";
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

/// v as p/q with a small denominator when that is exact (0.5 -> 1/2), else {v, 1}.
std::pair<double, double> asFraction(double v) {
  for (int q = 1; q <= 100; ++q) {
    double p = v * q;
    if (std::fabs(p - std::round(p)) <= 1e-12 * std::fabs(p) && std::fabs(p) < 1e15)
      return {std::round(p), q};
  }
  return {v, 1};
}

bool isNegativeTerm(const ExprP &t) {
  if (t->kind == Kind::Num)
    return t->num < 0;
  return t->kind == Kind::Mul && t->args[0]->kind == Kind::Num && t->args[0]->num < 0;
}

/// The degree of a monomial in variables (`3*x^2*y` has 3), or -1 for anything else.
double monomialDegree(const ExprP &t) {
  std::vector<ExprP> factors = t->kind == Kind::Mul ? t->args : std::vector<ExprP>{t};
  double degree = 0;
  for (const ExprP &f : factors) {
    if (f->kind == Kind::Var)
      degree += 1;
    else if (f->kind == Kind::Pow && f->args[0]->kind == Kind::Var && f->args[1]->kind == Kind::Num)
      degree += f->args[1]->num;
    else if (f->kind != Kind::Num)
      return -1;
  }
  return degree;
}

/// The variables of a monomial in order, for sorting `y^2 + x^2` as `x^2 + y^2`.
std::string monomialVars(const ExprP &t) {
  std::string s;
  for (const ExprP &f : t->kind == Kind::Mul ? t->args : std::vector<ExprP>{t})
    if (f->kind != Kind::Num)
      s += (f->kind == Kind::Pow ? f->args[0]->name : f->name) + " ";
  return s;
}

Text sumText(const ExprP &e) {
  std::vector<ExprP> terms = e->args;
  // Terms otherwise keep the order AD wrote them in; monomials of one degree are ordered by
  // their variables, as in `x^2 + y^2`.
  double degree = monomialDegree(terms[0]);
  bool homogeneous = degree > 0, polynomial = true, ascending = true, descending = true;
  for (size_t i = 0; i < terms.size(); ++i) {
    double d = monomialDegree(terms[i]);
    homogeneous &= d == degree;
    polynomial &= d >= 0;
    if (i > 0) {
      double before = monomialDegree(terms[i - 1]);
      ascending &= before <= d;
      descending &= before >= d;
    }
  }
  if (homogeneous)
    std::stable_sort(terms.begin(), terms.end(), [](const ExprP &a, const ExprP &b) {
      return monomialVars(a) < monomialVars(b);
    });
  // A polynomial in no order (as multiplying out leaves it) is written by falling degree; one
  // already ordered either way (`1 + x^2`) keeps the order it came in.
  else if (polynomial && !ascending && !descending)
    std::stable_sort(terms.begin(), terms.end(), [](const ExprP &a, const ExprP &b) {
      return monomialDegree(a) > monomialDegree(b);
    });
  // A positive term goes first where there is one: `y - x` rather than `-x + y`.
  auto positive =
      std::find_if(terms.begin(), terms.end(), [](const ExprP &t) { return !isNegativeTerm(t); });
  if (positive != terms.end())
    std::rotate(terms.begin(), positive, positive + 1);
  std::string s = str(terms[0]).s;
  for (size_t i = 1; i < terms.size(); ++i) {
    const ExprP &t = terms[i];
    if (isNegativeTerm(t))
      s += " - " + wrap(neg(t), kProduct);
    else
      s += " + " + wrap(t, kProduct);
  }
  return {s, kSum};
}

/// A product, or a lone power with a negative exponent (printed as a quotient).
Text productText(const std::vector<ExprP> &factors) {
  double coeff = 1;
  std::vector<std::string> top, bottom;
  for (const ExprP &f : factors) {
    if (f->kind == Kind::Num) {
      coeff *= f->num;
    } else if (f->kind == Kind::Pow && f->args[1]->kind == Kind::Num && f->args[1]->num < 0) {
      bottom.push_back(wrap(pow(f->args[0], num(-f->args[1]->num)), kUnary));
    } else {
      top.push_back(wrap(f, kUnary));
    }
  }
  auto [p, q] = asFraction(std::fabs(coeff));
  // A fraction whose decimal is short reads better as the decimal (`2.5*x`, but `x/2`, `2*x/3`).
  int tens = static_cast<int>(q);
  while (tens % 2 == 0)
    tens /= 2;
  while (tens % 5 == 0)
    tens /= 5;
  if (p != 1 && q != 1 && tens == 1) {
    p = std::fabs(coeff);
    q = 1;
  }
  if (p != 1 || top.empty())
    top.insert(top.begin(), numText(p));
  if (q != 1)
    bottom.insert(bottom.begin(), numText(q));
  std::string s = coeff < 0 ? "-" : "";
  s += fmt::format("{}", fmt::join(top, "*"));
  if (bottom.size() == 1)
    s += "/" + bottom[0];
  else if (bottom.size() > 1)
    s += fmt::format("/({})", fmt::join(bottom, "*"));
  bool simple = top.size() == 1 && bottom.empty() && coeff > 0;
  return {s, simple ? str(factors.back()).prec : kProduct};
}

Text str(const ExprP &e) {
  switch (e->kind) {
  case Kind::Num:
    return {numText(e->num), e->num < 0 ? kUnary : kAtom};
  case Kind::Var:
    return {e->name, kAtom};
  case Kind::Add:
    return sumText(e);
  case Kind::Mul:
    return productText(e->args);
  case Kind::Pow: {
    const ExprP &x = e->args[1];
    if (x->kind == Kind::Num && x->num < 0)
      return productText({e});
    // The square root comes from sqrt (SymExpr.cpp) and goes back to it; x^1.5 stays a power.
    if (x->kind == Kind::Num && x->num == 0.5)
      return {"sqrt(" + str(e->args[0]).s + ")", kAtom};
    // `^` is right-associative, so a power as the base needs parentheses but not as exponent;
    // they are kept there anyway when the exponent is not a single atom, for the reader.
    return {wrap(e->args[0], kAtom) + "^" + wrap(x, kAtom), kPower};
  }
  case Kind::Call: {
    std::vector<std::string> args;
    for (const ExprP &a : e->args)
      args.push_back(str(a).s);
    return {fmt::format("{}({})", e->name, fmt::join(args, ", ")), kAtom};
  }
  case Kind::Cmp:
    return {wrap(e->args[0], kSum) + " " + e->name + " " + wrap(e->args[1], kSum), kCmp};
  }
  return {"?", kAtom};
}

} // namespace

std::string print(const ExprP &e) { return str(e).s; }

} // namespace diffc::sym
