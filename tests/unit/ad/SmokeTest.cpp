#include "ADCheck.h"

using namespace diffc;
using namespace diffc::adtest;

TEST_CASE("smoke: scalar polynomial") {
  checkGradient("fn f(x: f64, y: f64) -> f64 = x * x * y + sin(y);", "f");
}

TEST_CASE("smoke: vector loss") {
  checkGradient(R"(
fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], y: f64[N]) -> f64 {
  let p = sigmoid(X @ w + b);
  -mean(y * log(p) + (1 - y) * log(1 - p))
})",
                "loss", opts().size("N", 4).size("D", 3).withHessian());
}
