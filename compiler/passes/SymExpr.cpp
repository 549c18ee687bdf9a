// The canonicalising constructors of SymExpr.h: the algebra that turns what AD writes
// (`(2*x)*1*sin(x) + x^2*(cos(x)*1)`) into what a person writes (`2*x*sin(x) + x^2*cos(x)`).
#include "passes/SymExpr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

namespace diffc::sym {

namespace {

std::string numKey(double v) {
  if (v == 0)
    return "0"; // -0 and +0 are one number in a formula
  return fmt::format("{}", v);
}

/// A node built as given (its parts already canonical), with its key.
ExprP node(Kind k, std::vector<ExprP> args, std::string name = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->name = std::move(name);
  e->args = std::move(args);
  const char *head = k == Kind::Add ? "+" : k == Kind::Mul ? "*" : k == Kind::Pow ? "^" : "";
  std::string key = "(" + (e->name.empty() ? std::string(head) : e->name);
  for (const ExprP &a : e->args)
    key += " " + a->key;
  e->key = key + ")";
  return e;
}

bool isInteger(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15; }

/// Splits a term of a sum into its numeric coefficient and the rest (null for a constant), so
/// that `3*x*y` and `x*y` are recognised as like terms.
void splitTerm(const ExprP &t, double &coeff, ExprP &rest) {
  if (t->kind == Kind::Num) {
    coeff = t->num;
    rest = nullptr;
    return;
  }
  if (t->kind == Kind::Mul && t->args[0]->kind == Kind::Num) {
    coeff = t->args[0]->num;
    std::vector<ExprP> others(t->args.begin() + 1, t->args.end());
    rest = others.size() == 1 ? others[0] : node(Kind::Mul, std::move(others));
    return;
  }
  coeff = 1;
  rest = t;
}

/// Ordering class of a factor: numbers, then variables and their powers, then calls and their
/// powers, then everything else (sums): the order in `2*x^2*y*cos(x)*(1 + x)`.
int factorRank(const ExprP &f) {
  const ExprP &base = f->kind == Kind::Pow ? f->args[0] : f;
  switch (base->kind) {
  case Kind::Num:
    return f->kind == Kind::Num ? 0 : 3;
  case Kind::Var:
    return 1;
  case Kind::Call:
    return 2;
  default:
    return 3;
  }
}

const std::string &baseKey(const ExprP &f) {
  return f->kind == Kind::Pow ? f->args[0]->key : f->key;
}

/// Folds calls on numbers only where the result is an integer (`cos(0)` -> 1), so that
/// `log(2)` stays exact instead of becoming 0.6931471805599453.
ExprP foldCall(const std::string &fn, const std::vector<ExprP> &args) {
  if (args.size() != 1 || args[0]->kind != Kind::Num)
    return nullptr;
  double x = args[0]->num;
  static const std::map<std::string, double (*)(double)> kFns = {{"exp", [](double v) { return std::exp(v); }},
                                                                 {"log", [](double v) { return std::log(v); }},
                                                                 {"sqrt", [](double v) { return std::sqrt(v); }},
                                                                 {"sin", [](double v) { return std::sin(v); }},
                                                                 {"cos", [](double v) { return std::cos(v); }},
                                                                 {"tan", [](double v) { return std::tan(v); }},
                                                                 {"sinh", [](double v) { return std::sinh(v); }},
                                                                 {"cosh", [](double v) { return std::cosh(v); }},
                                                                 {"tanh", [](double v) { return std::tanh(v); }},
                                                                 {"abs", [](double v) { return std::fabs(v); }},
                                                                 {"atan", [](double v) { return std::atan(v); }}};
  auto it = kFns.find(fn);
  if (it == kFns.end())
    return nullptr;
  double r = it->second(x);
  return isInteger(r) ? num(r) : nullptr;
}

/// The integer that divides every coefficient of a sum (negative when every term is), else 1.
double sumContent(const ExprP &sum) {
  double g = 0;
  bool allNegative = true;
  for (const ExprP &t : sum->args) {
    double c;
    ExprP rest;
    splitTerm(t, c, rest);
    if (!isInteger(c))
      return 1;
    g = std::gcd(static_cast<long long>(g), static_cast<long long>(std::fabs(c)));
    allNegative &= c < 0;
  }
  if (g == 0)
    return 1;
  return allNegative ? -g : g;
}

} // namespace

bool isNum(const ExprP &e, double v) { return e->kind == Kind::Num && e->num == v; }

ExprP num(double v) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::Num;
  e->num = v == 0 ? 0.0 : v;
  e->key = numKey(v);
  return e;
}

ExprP var(const std::string &name) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::Var;
  e->name = name;
  e->key = name;
  return e;
}

ExprP call(const std::string &fn, std::vector<ExprP> args) {
  if (ExprP folded = foldCall(fn, args))
    return folded;
  // sqrt is a power, so that sqrt(u)^2 cancels against u and quotients of sqrt(u) and u can be
  // put over one denominator; the printer writes it as sqrt again.
  if (fn == "sqrt" && args.size() == 1)
    return pow(args[0], num(0.5));
  // log(exp(a)) = a holds for every real a (the converse needs a > 0).
  if (fn == "log" && args.size() == 1 && args[0]->kind == Kind::Call && args[0]->name == "exp")
    return args[0]->args[0];
  // Selects AD wrote for a case that cannot happen here (`pow(2, x)` guarding a zero base).
  if (fn == "select" && args.size() == 3) {
    if (args[0]->kind == Kind::Var && (args[0]->name == "true" || args[0]->name == "false"))
      return args[0]->name == "true" ? args[1] : args[2];
    if (args[1]->key == args[2]->key)
      return args[1];
  }
  // AD writes the derivative of abs as this select chain; people write sign(a).
  if (fn == "select" && args.size() == 3 && args[0]->kind == Kind::Cmp && args[0]->name == ">" &&
      isNum(args[0]->args[1], 0) && isNum(args[1], 1) && args[2]->kind == Kind::Call &&
      args[2]->name == "select") {
    const auto &inner = args[2]->args;
    if (inner[0]->kind == Kind::Cmp && inner[0]->name == "<" &&
        inner[0]->args[0]->key == args[0]->args[0]->key && isNum(inner[0]->args[1], 0) &&
        isNum(inner[1], -1) && isNum(inner[2], 0))
      return call("sign", {args[0]->args[0]});
  }
  return node(Kind::Call, std::move(args), fn);
}

ExprP cmp(const std::string &op, ExprP a, ExprP b) {
  if (a->kind == Kind::Num && b->kind == Kind::Num) {
    double x = a->num, y = b->num;
    bool r = op == "=="   ? x == y
             : op == "!=" ? x != y
             : op == "<"  ? x < y
             : op == "<=" ? x <= y
             : op == ">"  ? x > y
                          : x >= y;
    return var(r ? "true" : "false");
  }
  return node(Kind::Cmp, {a, b}, op);
}

ExprP add(std::vector<ExprP> terms) {
  std::vector<ExprP> flat;
  for (const ExprP &t : terms) {
    if (t->kind == Kind::Add)
      flat.insert(flat.end(), t->args.begin(), t->args.end());
    else
      flat.push_back(t);
  }
  // Like terms are merged into the place of their first appearance, so the order AD wrote the
  // product rule in (`a'*b + a*b'`) is the order printed.
  struct Term {
    double coeff;
    ExprP rest;
  };
  std::vector<Term> acc;
  std::unordered_map<std::string, size_t> where;
  for (const ExprP &t : flat) {
    double c;
    ExprP rest;
    splitTerm(t, c, rest);
    std::string k = rest ? rest->key : std::string();
    auto [it, fresh] = where.emplace(k, acc.size());
    if (fresh)
      acc.push_back({c, rest});
    else
      acc[it->second].coeff += c;
  }
  std::vector<ExprP> out;
  for (const Term &t : acc) {
    if (t.coeff == 0)
      continue;
    if (!t.rest)
      out.push_back(num(t.coeff));
    else if (t.coeff == 1)
      out.push_back(t.rest);
    else
      out.push_back(mul({num(t.coeff), t.rest}));
  }
  if (out.empty())
    return num(0);
  if (out.size() == 1)
    return out[0];
  return node(Kind::Add, std::move(out));
}

ExprP mul(std::vector<ExprP> factors) {
  std::vector<ExprP> flat;
  for (const ExprP &f : factors) {
    if (f->kind == Kind::Mul)
      flat.insert(flat.end(), f->args.begin(), f->args.end());
    else
      flat.push_back(f);
  }
  double coeff = 1;
  struct Group {
    ExprP base;
    std::vector<ExprP> exps;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> where;
  for (const ExprP &f : flat) {
    if (f->kind == Kind::Num) {
      coeff *= f->num;
      continue;
    }
    ExprP base = f->kind == Kind::Pow ? f->args[0] : f;
    ExprP exp = f->kind == Kind::Pow ? f->args[1] : num(1);
    auto [it, fresh] = where.emplace(base->key, groups.size());
    if (fresh)
      groups.push_back({base, {exp}});
    else
      groups[it->second].exps.push_back(exp);
  }
  if (coeff == 0)
    return num(0);
  std::vector<ExprP> rebuilt;
  bool again = false; // a merged power folded to a number or split into a product
  for (const Group &g : groups) {
    ExprP p = pow(g.base, add(g.exps));
    if (isNum(p, 1))
      continue;
    again |= p->kind == Kind::Num || p->kind == Kind::Mul;
    rebuilt.push_back(p);
  }
  if (again) {
    rebuilt.push_back(num(coeff));
    return mul(std::move(rebuilt));
  }
  // Beside other factors a sum gives up its common integer factor and sign to the coefficient:
  // `4*t*(1 - t^2)` rather than `2*t*(2 - 2*t^2)`.
  if (rebuilt.size() > 1) {
    for (ExprP &f : rebuilt) {
      double content = f->kind == Kind::Add ? sumContent(f) : 1;
      if (content == 1)
        continue;
      std::vector<ExprP> terms;
      for (const ExprP &t : f->args)
        terms.push_back(mul({num(1 / content), t}));
      f = add(std::move(terms));
      coeff *= content;
    }
  }
  // A number times one sum is distributed, as people write `2*x - 2` rather than `2*(x - 1)`
  // and `b - a` rather than `-(a - b)`.
  if (coeff != 1 && rebuilt.size() == 1 && rebuilt[0]->kind == Kind::Add) {
    std::vector<ExprP> terms;
    for (const ExprP &t : rebuilt[0]->args)
      terms.push_back(mul({num(coeff), t}));
    return add(std::move(terms));
  }
  std::stable_sort(rebuilt.begin(), rebuilt.end(), [](const ExprP &a, const ExprP &b) {
    int ra = factorRank(a), rb = factorRank(b);
    if (ra != rb)
      return ra < rb;
    if (baseKey(a) != baseKey(b))
      return baseKey(a) < baseKey(b);
    return a->key < b->key;
  });
  if (rebuilt.empty())
    return num(coeff);
  if (coeff == 1 && rebuilt.size() == 1)
    return rebuilt[0];
  if (coeff != 1)
    rebuilt.insert(rebuilt.begin(), num(coeff));
  return node(Kind::Mul, std::move(rebuilt));
}

ExprP pow(ExprP base, ExprP exponent) {
  if (isNum(exponent, 0))
    return num(1);
  if (isNum(exponent, 1))
    return base;
  if (isNum(base, 1))
    return num(1);
  if (exponent->kind == Kind::Num) {
    double e = exponent->num;
    if (base->kind == Kind::Num) {
      double r = std::pow(base->num, e);
      // Integer powers fold (1/3 prints as a fraction again); others only when exact, so that
      // 2^0.5 stays readable.
      if (std::isfinite(r) && r != 0 && (isInteger(e) || isInteger(r)))
        return num(r);
    }
    if (isNum(base, 0) && e > 0)
      return num(0);
    if (isInteger(e)) {
      // (a^b)^n = a^(b*n) and (a*b)^n = a^n*b^n hold for integer n.
      if (base->kind == Kind::Pow)
        return pow(base->args[0], mul({base->args[1], exponent}));
      if (base->kind == Kind::Mul) {
        std::vector<ExprP> parts;
        for (const ExprP &f : base->args)
          parts.push_back(pow(f, exponent));
        return mul(std::move(parts));
      }
    }
  }
  return node(Kind::Pow, {base, exponent});
}

ExprP neg(ExprP a) { return mul({num(-1), a}); }
ExprP sub(ExprP a, ExprP b) { return add({a, neg(b)}); }
ExprP div(ExprP a, ExprP b) { return mul({a, pow(b, num(-1))}); }

} // namespace diffc::sym
