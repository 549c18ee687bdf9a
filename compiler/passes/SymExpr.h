// Scalar symbolic expressions for `diffc derive`: the straight-line scalar IR of a derivative is
// read back into a small expression tree, normalised the way a computer-algebra system would, and
// printed infix with as few parentheses as the grammar needs.
//
// The smart constructors (add, mul, pow, ...) keep every tree in one canonical form:
//   sums      flat, like terms collected (x + x -> 2*x), zero terms dropped
//   products  flat, one numeric coefficient first, equal bases merged (x*x -> x^2), factors
//             ordered numbers, variables, powers of variables, calls, sums; a number times
//             one sum is distributed (2*(x - 1) -> 2*x - 2), a sum beside other factors gives
//             its integer content and sign to the coefficient (2*t*(2 - 2*u) -> 4*t*(1 - u))
//   powers    numeric folding, x^1 -> x, x^0 -> 1, (a^b)^n and (a*b)^n for integer n;
//             sqrt(a) is a^0.5 (printed as sqrt again), so sqrt(a)^2 -> a
//   calls     on numbers folded only to integers (cos(0) -> 1, log(2) stays), log(exp(a)) -> a,
//             comparisons of numbers and selects on them decided, abs' select chain -> sign
// SymPrint.cpp prints; SymRewrite.cpp has the optional rewrites (expand, together) that tidy()
// applies when they shorten the result.
// These rewrites are exact over the reals but NOT IEEE-safe (x*0 -> 0 ignores x = inf, x - x -> 0
// ignores NaN), which is why they live here, used only for printing a formula, and not in the IR
// simplifier (SimplifyRules.h), which must keep every value bit for bit.
#pragma once

#include "ir/IR.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace diffc::sym {

enum class Kind { Num, Var, Add, Mul, Pow, Call, Cmp };

struct Expr;
using ExprP = std::shared_ptr<const Expr>;

struct Expr {
  Kind kind = Kind::Num;
  double num = 0;          // Num
  std::string name;        // Var: the variable; Call: the function; Cmp: the operator ("<")
  std::vector<ExprP> args; // Add: terms; Mul: factors; Pow: base, exponent; Call, Cmp: operands
  std::string key;         // canonical fully-parenthesised text, for structural equality
};

ExprP num(double v);
ExprP var(const std::string &name);
ExprP call(const std::string &fn, std::vector<ExprP> args);
ExprP cmp(const std::string &op, ExprP a, ExprP b);
ExprP add(std::vector<ExprP> terms);
ExprP mul(std::vector<ExprP> factors);
ExprP pow(ExprP base, ExprP exponent);
ExprP neg(ExprP a);
ExprP sub(ExprP a, ExprP b);
ExprP div(ExprP a, ExprP b);

bool isNum(const ExprP &e, double v);

/// Products of sums multiplied out (small integer powers of sums too); gives up and returns e
/// when that would make hundreds of terms.
ExprP expand(const ExprP &e);
/// A sum of quotients over one common denominator, its numerator multiplied out.
ExprP together(const ExprP &e);
/// A sum with the powers common to all its terms taken out: `exp(x)*(sin(x) + x*cos(x))`.
ExprP factorOut(const ExprP &e);
/// Whichever of e, expand(e), together(e) and factorOut (of e or of expand(e)) prints shortest;
/// e unless another is clearly (3 characters and 5%) shorter.
ExprP tidy(const ExprP &e);

/// Infix text in the .diff expression grammar: `2*x*sin(x) + x^2*cos(x)`, `-y/(x^2 + y^2)`.
std::string print(const ExprP &e);

/// A user-level reason why IR cannot be read as one scalar formula (a loop, a tensor).
class NotAFormula : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Result `resultIndex` of fn (straight-line scalar code) as a formula in fn's parameters. The
/// parameters listed in `constants` (by position) are replaced by the given numbers, so a JVP's
/// tangent parameter can be fixed to 1. Throws NotAFormula for anything else.
ExprP fromIR(const ir::Function &fn, unsigned resultIndex,
             const std::vector<std::pair<unsigned, double>> &constants = {});

} // namespace diffc::sym
