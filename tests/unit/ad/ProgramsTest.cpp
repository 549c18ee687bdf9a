// The example programs of LANGUAGE.md (tests/programs) differentiate: gradients against finite
// differences, forward against reverse, and Hessian-vector products where cheap.
#include "ADCheck.h"

#include <fstream>
#include <sstream>

using namespace diffc;
using namespace diffc::adtest;

namespace {

std::string readProgram(const std::string &name) {
  std::ifstream in(std::string(DIFFC_SOURCE_DIR) + "/tests/programs/" + name);
  REQUIRE_MESSAGE(in.good(), "cannot open tests/programs/" << name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

TEST_CASE("logistic.diff") {
  checkGradient(readProgram("logistic.diff"), "loss",
                opts().size("N", 5).size("D", 3).withHessian());
}

TEST_CASE("mlp.diff") {
  checkGradient(readProgram("mlp.diff"), "mlp_loss",
                opts().size("B", 3).size("I", 4).size("H", 5).size("O", 3).range(-1, 1));
}

TEST_CASE("gmm.diff") {
  // T = D (D + 1) / 2 with D = 3; wishart_m is an i64 (0..2), not differentiated.
  checkGradient(readProgram("gmm.diff"), "gmm",
                opts().size("N", 3).size("K", 2).size("D", 3).size("T", 6).range(0.2, 1.5));
}

TEST_CASE("projectile.diff") {
  checkGradient(readProgram("projectile.diff"), "miss", opts().range(1, 5).withPoints(2));
}

TEST_CASE("statements.diff") {
  // tol stays positive (the while loop halves err until it is below tol).
  checkGradient(readProgram("statements.diff"), "statements",
                opts().size("D", 3).size("T", 4).range(0.1, 0.9));
}

TEST_CASE("lse.diff: a call with a @vjp rule inside a loop program") {
  checkGradient(readProgram("lse.diff"), "rollout", opts().size("T", 5).range(-1, 1));
}

TEST_CASE("higher.diff: grad and jvp inside the language (forward over reverse)") {
  // What the driver does: build each requested derivative function, in request order.
  Program p = compile(readProgram("higher.diff"));
  expandDerivatives(p);
  interp::Interpreter in(*p.module);
  // newton_step: x - f'(x) / f''(x) with f = x^3 - 2x + exp(x/2).
  for (double x : {-1.0, 0.5, 2.0}) {
    double g = 3 * x * x - 2 + 0.5 * std::exp(0.5 * x), h = 6 * x + 0.25 * std::exp(0.5 * x);
    double got = in.call("newton_step", {Tensor::scalar(x)})[0].item();
    CHECK(got == doctest::Approx(x - g / h).epsilon(1e-14));
  }
  // hvp of energy = sum(x^2)/2 + sum(sin(x)): H v = v - sin(x) v.
  std::vector<double> x{0.3, -2.0, 1.0}, v{1.0, 0.5, -2.0};
  auto hv = in.call(
      "hvp", {Tensor::of(ir::ElemType::F64, {3}, x), Tensor::of(ir::ElemType::F64, {3}, v)})[0];
  for (size_t i = 0; i < 3; ++i)
    CHECK(hv.data[i] == doctest::Approx(v[i] - std::sin(x[i]) * v[i]).epsilon(1e-14));
}
