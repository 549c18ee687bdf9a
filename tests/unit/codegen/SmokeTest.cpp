#include "Harness.h"

using namespace diffc::test;

TEST_CASE("codegen: logistic loss matches the interpreter and a hand computation") {
  auto m = fromSource(R"(
fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], y: f64[N]) -> f64 {
  let p = sigmoid(X @ w + b);
  -mean(y * log(p) + (1 - y) * log(1 - p))
}
)");
  auto j = jit(m);
  auto r = same(*j, "loss", {V({0, 0}), S(0), T({2, 2}, {1, 2, 3, 4}), V({1, 0})});
  REQUIRE(r.size() == 1);
  CHECK(r[0].data[0] == doctest::Approx(std::log(2.0)));
}
