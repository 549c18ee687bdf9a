// The canonical forms and the printer of passes/SymExpr.h, one rule per check.
#include "passes/SymExpr.h"

#include <doctest/doctest.h>

using namespace diffc::sym;

TEST_CASE("sums and products collect like terms and order factors") {
  ExprP x = var("x"), y = var("y");
  CHECK(print(add({x, x})) == "2*x");
  CHECK(print(sub(x, x)) == "0");
  CHECK(print(mul({x, x})) == "x^2");
  CHECK(print(mul({x, num(2)})) == "2*x");
  CHECK(print(mul({call("sin", {x}), y, x})) == "x*y*sin(x)");
  CHECK(print(mul({x, num(0)})) == "0");
  CHECK(print(mul({num(-1), sub(x, y)})) == "y - x");
  CHECK(print(div(mul({x, y}), x)) == "y");
  CHECK(print(pow(pow(x, num(2)), num(3))) == "x^6");
  CHECK(print(pow(num(2), num(3))) == "8");
}

TEST_CASE("printing uses the fewest parentheses the grammar allows") {
  ExprP x = var("x"), y = var("y");
  CHECK(print(pow(add({x, y}), num(2))) == "(x + y)^2");
  CHECK(print(div(x, mul({num(2), y}))) == "x/(2*y)");
  CHECK(print(div(num(1), pow(x, num(2)))) == "1/x^2");
  CHECK(print(neg(pow(x, num(2)))) == "-x^2");
  CHECK(print(pow(x, sub(y, num(1)))) == "x^(y - 1)");
  CHECK(print(add({x, neg(y)})) == "x - y");
  CHECK(print(add({x, mul({num(-3), y})})) == "x - 3*y");
  CHECK(print(mul({num(1.0 / 3), x})) == "x/3");
  CHECK(print(pow(neg(x), y)) == "(-x)^y");
  CHECK(print(mul({num(0.25), x})) == "x/4");
  CHECK(print(num(1.5)) == "1.5");
  CHECK(print(call("atan2", {y, x})) == "atan2(y, x)");
}

TEST_CASE("tidy multiplies out or combines quotients only when that is clearly shorter") {
  ExprP x = var("x"), s = call("sigmoid", {x});
  ExprP quotient = sub(div(num(1), add({num(1), x})), div(x, pow(add({num(1), x}), num(2))));
  CHECK(print(together(quotient)) == "1/(1 + x)^2");
  CHECK(print(tidy(quotient)) == "1/(1 + x)^2");
  CHECK(print(expand(mul({add({x, num(1)}), add({x, num(-1)})}))) == "x^2 - 1");
  CHECK(print(expand(pow(add({x, num(1)}), num(2)))) == "x^2 + 2*x + 1");
  ExprP logistic = mul({s, sub(num(1), s)});
  CHECK(print(tidy(logistic)) == "sigmoid(x)*(1 - sigmoid(x))");
  CHECK(print(factorOut(add({mul({x, call("exp", {x})}), call("exp", {x})}))) == "exp(x)*(x + 1)");
  CHECK(print(call("sqrt", {x})) == "sqrt(x)");
  CHECK(print(pow(call("sqrt", {x}), num(2))) == "x");
  CHECK(print(mul({num(2), x, sub(num(2), mul({num(2), s}))})) == "4*x*(1 - sigmoid(x))");
}
