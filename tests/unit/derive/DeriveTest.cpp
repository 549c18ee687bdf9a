// `diffc derive` checked numerically: each printed derivative is compiled again as an expression,
// run in the interpreter and compared with central finite differences of the original, so the
// printed text itself (parentheses, signs, fractions) is verified, not only pinned.
#include "driver/DeriveExpr.h"
#include "interp/Interpreter.h"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <sstream>

using namespace diffc;
using diffc::interp::Tensor;

namespace {

struct Case {
  std::string expr;
  std::string wrt;
  std::vector<std::map<std::string, double>> points;
};

/// EXPR compiled over vars, as a callable of the interpreter.
struct Compiled {
  driver::Session s;
  std::vector<std::string> vars;

  Compiled(const std::string &expr, std::vector<std::string> v) : vars(std::move(v)) {
    std::ostringstream err;
    bool ok = driver::compileExpression(expr, vars, s, err);
    INFO(expr, "\n", err.str());
    REQUIRE(ok);
  }
  double operator()(const std::map<std::string, double> &at) const {
    std::vector<Tensor> args;
    for (const std::string &v : vars)
      args.push_back(Tensor::scalar(at.at(v)));
    interp::Interpreter in(*s.module);
    return in.call("__derive", args).at(0).item();
  }
};

void check(const Case &c) {
  std::ostringstream err;
  auto printed = driver::deriveExpression(c.expr, {c.wrt}, err);
  INFO("d/d", c.wrt, " ", c.expr, "\n", err.str());
  REQUIRE(printed);
  INFO("printed: ", (*printed)[0]);
  std::vector<std::string> vars = driver::expressionVariables(c.expr);
  Compiled f(c.expr, vars), df((*printed)[0], vars);
  for (const auto &at : c.points) {
    double x = at.at(c.wrt), h = 1e-5 * std::max(1.0, std::fabs(x));
    auto lo = at, hi = at;
    lo[c.wrt] = x - h;
    hi[c.wrt] = x + h;
    double fd = (f(hi) - f(lo)) / (2 * h);
    double got = df(at);
    INFO("at ", c.wrt, " = ", x, ": printed gives ", got, ", finite differences ", fd);
    CHECK(std::fabs(got - fd) <= 1e-6 * std::max(1.0, std::fabs(fd)));
  }
}

std::vector<std::map<std::string, double>> xs(std::vector<double> values) {
  std::vector<std::map<std::string, double>> out;
  for (double v : values)
    out.push_back({{"x", v}});
  return out;
}

} // namespace

TEST_CASE("printed derivatives of one-variable expressions match finite differences") {
  const std::vector<double> positive = {0.3, 1.0, 1.7, 2.5};
  const std::vector<double> anywhere = {-1.3, -0.4, 0.6, 2.1};
  const std::vector<Case> cases = {
      {"x^2*sin(x)", "x", xs(anywhere)},
      {"exp(2*x)", "x", xs(anywhere)},
      {"log(x)", "x", xs(positive)},
      {"sigmoid(x)", "x", xs(anywhere)},
      {"tanh(x)", "x", xs(anywhere)},
      {"sqrt(x)", "x", xs(positive)},
      {"1/x", "x", xs(positive)},
      {"pow(x, 3)", "x", xs(anywhere)},
      {"x^3 + 2*x^2 - x + 5", "x", xs(anywhere)},
      {"sin(x)*cos(x)", "x", xs(anywhere)},
      {"exp(-x^2/2)", "x", xs(anywhere)},
      {"log(1 + x^2)", "x", xs(anywhere)},
      {"x/(1 + x)", "x", xs(positive)},
      {"cos(3*x + 1)", "x", xs(anywhere)},
      {"asin(x)", "x", xs({-0.7, 0.1, 0.5})},
      {"atan(x)", "x", xs(anywhere)},
      {"x^x", "x", xs(positive)},
      {"softplus(x)", "x", xs(anywhere)},
      {"abs(x)", "x", xs({-1.5, 0.7})},
      {"x^2.5 - 3/x^2", "x", xs(positive)},
      {"1/(2*x + 1)^3", "x", xs(positive)},
      {"exp(x)/(1 + exp(x))", "x", xs(anywhere)},
      {"exp(x)*x", "x", xs(anywhere)},
      {"log(x^2)", "x", xs(anywhere)},
      {"sin(x)/x", "x", xs(anywhere)},
      {"x*exp(-x^2)", "x", xs(anywhere)},
      {"-x^2", "x", xs(anywhere)},
      {"2^x", "x", xs(anywhere)},
      {"sinh(x)*cosh(x)", "x", xs(anywhere)},
      {"sqrt(1 - x^2)", "x", xs({-0.6, 0.2, 0.8})},
      {"relu(x)", "x", xs({-1.2, 0.8})},
      {"min(x^2, 1)", "x", xs({-0.5, 0.3, 1.5})},
      {"clamp(x, 0, 1)", "x", xs({-0.5, 0.4, 1.6})},
      {"x/sqrt(1 + x^2)", "x", xs(anywhere)},
      {"(x^2 + 1)/(x - 1)", "x", xs({-1.5, 0.5, 2.5})},
      {"(x + 1)^2*(x - 1)", "x", xs(anywhere)},
      {"1/sqrt(x)", "x", xs(positive)},
      {"tanh(2*x + 1)^2", "x", xs(anywhere)},
      {"log(log(x))", "x", xs({1.5, 2.5, 4.0})},
  };
  for (const Case &c : cases)
    check(c);
}

TEST_CASE("printed partial derivatives of several-variable expressions") {
  const std::vector<std::map<std::string, double>> pts = {
      {{"x", 0.7}, {"y", -1.2}}, {{"x", -2.0}, {"y", 0.5}}, {{"x", 1.5}, {"y", 2.5}}};
  const std::vector<Case> cases = {
      {"x*y", "x", pts},         {"x*y^2", "y", pts},           {"atan2(y, x)", "x", pts},
      {"atan2(y, x)", "y", pts}, {"hypot(x, y)", "x", pts},     {"exp(x*y)*sin(x - y)", "y", pts},
      {"x/y - y/x", "x", pts},   {"(x + y)^3", "x", pts},       {"log(x^2 + y^2)", "y", pts},
      {"max(x, y)", "x", pts},   {"x^2*y^3 - 4*x*y", "y", pts},
  };
  for (const Case &c : cases)
    check(c);
}

TEST_CASE("several variables at once, and the errors") {
  std::ostringstream err;
  auto both = driver::deriveExpression("x*y^2", {"x", "y"}, err);
  REQUIRE(both);
  CHECK((*both)[0] == "y^2");
  CHECK((*both)[1] == "2*x*y");

  auto missing = driver::deriveExpression("x^2", {"z"}, err);
  REQUIRE(missing);
  CHECK((*missing)[0] == "0");
  CHECK(err.str().find("warning: --wrt: 'z' does not occur in the expression (its variables: "
                       "x); its derivative is 0") != std::string::npos);
  std::ostringstream notName;
  CHECK(!driver::deriveExpression("x^2", {"x y"}, notName));
  CHECK(notName.str() == "-e: error: --wrt: 'x y' is not a variable name\n");

  std::ostringstream syntax;
  CHECK(!driver::deriveExpression("x^2 +* 3", {"x"}, syntax));
  CHECK(syntax.str() == "-e:1:6: error: expected expression\n  x^2 +* 3\n       ^\n");

  std::ostringstream tensor;
  CHECK(!driver::deriveExpression("[x, x]", {"x"}, tensor));
  CHECK(tensor.str().find("the expression: expected f64, got f64[2]") != std::string::npos);
}

TEST_CASE("free variables are the identifiers not called as functions") {
  CHECK(driver::expressionVariables("sin(x) * y + x") == std::vector<std::string>{"x", "y"});
  CHECK(driver::expressionVariables("2 + 3").empty());
}
