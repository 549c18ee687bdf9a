// Random expressions: whatever the canonical forms and the printer make of them must still be
// the derivative. Catches a missing parenthesis or a wrong sign that the hand-picked cases miss.
#include "driver/DeriveExpr.h"
#include "interp/Interpreter.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <sstream>

using namespace diffc;
using diffc::interp::Tensor;

namespace {

/// A random expression in x and y over operators whose derivatives are smooth where defined.
std::string randomExpr(std::mt19937 &rng, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  if (depth == 0 || pick(4) == 0) {
    const char *leaves[] = {"x", "y", "x", "2", "0.5", "3"};
    return leaves[pick(6)];
  }
  std::string a = randomExpr(rng, depth - 1), b = randomExpr(rng, depth - 1);
  switch (pick(10)) {
  case 0:
    return "(" + a + " + " + b + ")";
  case 1:
    return "(" + a + " - " + b + ")";
  case 2:
  case 3:
    return "(" + a + " * " + b + ")";
  case 4:
    return "(" + a + " / (1 + " + b + "^2))";
  case 5:
    return "(" + a + ")^" + std::to_string(pick(4) + 1);
  case 6:
    return "sin(" + a + ")";
  case 7:
    return "exp(" + a + " / 4)";
  case 8:
    return pick(2) ? "log(1 + " + a + "^2)" : "sqrt(1 + " + a + "^2)";
  default:
    return "-" + a;
  }
}

double eval(const driver::Session &s, double x, double y) {
  interp::Interpreter in(*s.module);
  return in.call("__derive", {Tensor::scalar(x), Tensor::scalar(y)}).at(0).item();
}

} // namespace

TEST_CASE("derivatives of random expressions match finite differences") {
  std::mt19937 rng(20261128);
  const std::vector<std::string> vars = {"x", "y"};
  int checked = 0;
  for (int n = 0; n < 400; ++n) {
    std::string e = randomExpr(rng, 5);
    // Both variables appear, so that the parameter list is always (x, y).
    std::string expr = "x*0 + y*0 + " + e;
    std::ostringstream err;
    auto d = driver::deriveExpression(expr, {"x"}, err);
    INFO(expr, "\n", err.str());
    REQUIRE(d);
    INFO("printed: ", (*d)[0]);
    driver::Session f, df;
    REQUIRE(driver::compileExpression(expr, vars, f, err));
    REQUIRE(driver::compileExpression((*d)[0], vars, df, err));
    for (double x : {-0.8, 0.35, 1.3}) {
      double y = 0.7, h = 1e-6;
      double fd = (eval(f, x + h, y) - eval(f, x - h, y)) / (2 * h);
      double got = eval(df, x, y);
      if (!std::isfinite(fd) || std::fabs(fd) > 1e4)
        continue;
      INFO("at x = ", x, ": printed gives ", got, ", finite differences ", fd);
      CHECK(std::fabs(got - fd) <= 1e-5 * std::max(1.0, std::fabs(fd)));
      ++checked;
    }
  }
  CHECK(checked > 800);
}
