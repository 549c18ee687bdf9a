// Results built in the caller's buffer from the start (FnLowering::findDirectResults: a gradient's
// `fill` accumulator updated in place by one loop): whatever the output held before is
// overwritten, the result returned twice or read after the loop is right, and the host API
// refuses outputs that share memory with an argument or another output.
#include "Harness.h"

#include "diffc/diffc.hpp"

using namespace diffc::test;

namespace {

const char *kRosen = R"(
fn rosen[N](x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N - 1 {
    let a = x[i + 1] - x[i] * x[i];
    acc += 100.0 * a * a + (1.0 - x[i]) * (1.0 - x[i]);
  }
  acc
}
fn twice[N](x: f64[N]) -> (f64[N], f64, f64[N]) {
  var g = zeros(N);
  for i in 0..N { g[i] += x[i] * 2.0; }
  (g, sum(g), g)
}
)";

/// Rosenbrock's gradient by the formulas.
std::vector<double> rosenGrad(const std::vector<double> &x) {
  std::vector<double> g(x.size(), 0.0);
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    double a = x[i + 1] - x[i] * x[i];
    g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
    g[i + 1] += 200.0 * a;
  }
  return g;
}

} // namespace

TEST_CASE("direct results: JIT and interpreter agree, the result returned twice included") {
  auto m = fromSource(kRosen);
  diffc::ad::buildGradient(*m, *m->lookup("rosen"), {});
  auto j = jit(m);
  for (int64_t n : {0, 1, 2, 5, 33}) {
    INFO("N = " << n);
    std::vector<double> x;
    for (int64_t i = 0; i < n; ++i)
      x.push_back(std::sin(static_cast<double>(i)) * 1.5);
    auto g = same(*j, "rosen.grad", {V(x)});
    std::vector<double> want = rosenGrad(x);
    REQUIRE(g[1].data.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(g[1].data[i] == doctest::Approx(want[i]).epsilon(1e-13));
    auto t = same(*j, "twice", {V(x)});
    double total = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      CHECK(t[0].data[i] == x[i] * 2.0);
      total += x[i] * 2.0;
    }
    CHECK(t[2].data == t[0].data);
    CHECK(t[1].data[0] == total);
  }
}

TEST_CASE("direct results: a dirty output is overwritten; overlapping outputs are refused") {
  diffc::Jit jitter;
  diffc::Module m = jitter.compile_string(kRosen, "rosen.diff");
  diffc::Function grad = m.gradient("rosen");
  std::vector<double> x = {0.5, -1.25, 2.0, 0.75, -0.5};
  std::vector<double> want = rosenGrad(x);
  double v = 0;
  std::vector<double> g(5, std::nan(""));
  for (int call = 0; call < 2; ++call) { // the second call starts from the first's gradient
    grad.call_into({diffc::view(x, {5})}, {diffc::out(v), diffc::view(g, {5})});
    for (size_t i = 0; i < 5; ++i)
      CHECK(g[i] == doctest::Approx(want[i]).epsilon(1e-13));
  }
  // The gradient written over its own argument, or over part of it: refused before running.
  std::vector<double> xs = x;
  CHECK_THROWS_WITH_AS(
      grad.call_into({diffc::view(xs, {5})}, {diffc::out(v), diffc::view(xs, {5})}),
      doctest::Contains("output for result 'd_x' overlaps argument 'x'"), diffc::Error);
  std::vector<double> both(9, 0.0);
  std::copy(x.begin(), x.end(), both.begin());
  CHECK_THROWS_WITH_AS(grad.call_into({diffc::view(both.data(), {5})},
                                      {diffc::out(v), diffc::view(both.data() + 4, {5})}),
                       doctest::Contains("overlaps argument 'x'"), diffc::Error);
  CHECK_THROWS_WITH_AS(
      grad.call_into({diffc::view(x, {5})}, {diffc::out(both[2]), diffc::view(both.data(), {5})}),
      doctest::Contains("overlaps the output for result"), diffc::Error);
  CHECK(xs == x); // nothing ran
  // Adjacent, not overlapping: fine.
  std::vector<double> adj(10, 0.0);
  std::copy(x.begin(), x.end(), adj.begin());
  grad.call_into({diffc::view(adj.data(), {5})}, {diffc::out(v), diffc::view(adj.data() + 5, {5})});
  for (size_t i = 0; i < 5; ++i)
    CHECK(adj[5 + i] == doctest::Approx(want[i]).epsilon(1e-13));
}
