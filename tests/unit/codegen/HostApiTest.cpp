// The C++ host API (diffc/diffc.hpp) as LANGUAGE.md shows it: compile, call, gradients, errors,
// caller-owned outputs, and many threads at once.
#include "diffc/diffc.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <thread>

namespace {

const char *kLogistic = R"(// logistic.diff
fn loss[N, D](w: f64[D], b: f64, X: f64[N, D], y: f64[N]) -> f64 {
  let p = sigmoid(X @ w + b);
  -mean(y * log(p) + (1 - y) * log(1 - p))
}

fn pick[N](x: f64[N], i: i64) -> f64 = x[i] * 2.0;
)";

/// The logistic loss and its gradient computed by hand (the analytic formulas).
struct Reference {
  double loss = 0, gb = 0;
  std::vector<double> gw, gX, gy;
};

Reference reference(const std::vector<double> &w, double b, const std::vector<double> &X,
                    const std::vector<double> &y, size_t N, size_t D) {
  Reference r;
  r.gw.assign(D, 0);
  r.gX.assign(N * D, 0);
  r.gy.assign(N, 0);
  for (size_t n = 0; n < N; ++n) {
    double z = b;
    for (size_t d = 0; d < D; ++d)
      z += X[n * D + d] * w[d];
    double p = 1 / (1 + std::exp(-z));
    r.loss -= (y[n] * std::log(p) + (1 - y[n]) * std::log(1 - p)) / N;
    double dz = (p - y[n]) / N; // d loss / d z
    r.gb += dz;
    for (size_t d = 0; d < D; ++d) {
      r.gw[d] += dz * X[n * D + d];
      r.gX[n * D + d] = dz * w[d];
    }
    r.gy[n] = -(std::log(p) - std::log(1 - p)) / N;
  }
  return r;
}

} // namespace

TEST_CASE("host API: the LANGUAGE.md program, its value and gradient") {
  const int64_t N = 4, D = 3;
  std::vector<double> w = {0.5, -0.25, 1.0}, X(N * D), y = {1, 0, 1, 0};
  for (size_t i = 0; i < X.size(); ++i)
    X[i] = std::sin(static_cast<double>(i) + 0.5);
  double b = 0.1;

  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kLogistic, "logistic.diff");
  diffc::Function loss = m.function("loss");
  diffc::Function dloss = m.gradient("loss");
  Reference ref = reference(w, b, X, y, N, D);

  double v = loss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N})).scalar();
  CHECK(v == doctest::Approx(ref.loss).epsilon(1e-12));

  auto r = dloss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N}));
  CHECK(r.value() == doctest::Approx(ref.loss).epsilon(1e-12));
  REQUIRE(r.grad("w").data.size() == 3);
  for (int d = 0; d < D; ++d) {
    CHECK(r.grad("w").data[d] == doctest::Approx(ref.gw[d]).epsilon(1e-10));
    CHECK(r.grad(0).data[d] == r.grad("w").data[d]);
  }
  CHECK(r.grad("b").scalar() == doctest::Approx(ref.gb).epsilon(1e-10));
  CHECK(r.grad("X").shape == std::vector<int64_t>{N, D});
  for (size_t i = 0; i < X.size(); ++i)
    CHECK(r.grad("X").data[i] == doctest::Approx(ref.gX[i]).epsilon(1e-10));
  for (int n = 0; n < N; ++n)
    CHECK(r.grad("y").data[n] == doctest::Approx(ref.gy[n]).epsilon(1e-10));

  // The same, written into caller-owned buffers.
  std::vector<double> gw(D), gX(N * D), gy(N);
  double value = 0, gb = 0;
  dloss.call_into({diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N})},
                  {diffc::out(value), diffc::view(gw, {D}), diffc::out(gb), diffc::view(gX, {N, D}),
                   diffc::view(gy, {N})});
  CHECK(value == r.value());
  CHECK(gw == r.grad("w").data);
  CHECK(gb == r.grad("b").scalar());
  CHECK(gX == r.grad("X").data);
}

TEST_CASE("host API: shape and argument errors name the parameter and both shapes") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kLogistic, "logistic.diff");
  diffc::Function loss = m.function("loss");
  std::vector<double> w(3), X(8), y(4);
  try {
    loss(diffc::view(w, {3}), 0.0, diffc::view(X, {4, 2}), diffc::view(y, {4}));
    FAIL("expected diffc::Error");
  } catch (const diffc::Error &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'X'") != std::string::npos);
    CHECK(msg.find("[4, 2]") != std::string::npos);
    CHECK(msg.find("'w' (shape [3])") != std::string::npos);
  }
  try { // a shape that contradicts the sizes bound by earlier parameters
    loss(diffc::view(w, {3}), 0.0, diffc::view(X, {2, 3}), diffc::view(y, {4}));
    FAIL("expected diffc::Error");
  } catch (const diffc::Error &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'y'") != std::string::npos);
    CHECK(msg.find("[4]") != std::string::npos);
    CHECK(msg.find("[2, 3]") != std::string::npos);
  }
  CHECK_THROWS_AS(loss(diffc::view(w, {3}), 0.0), diffc::Error);
  std::vector<float> wf(3);
  CHECK_THROWS_WITH_AS(loss(diffc::view(wf, {3}), 0.0, diffc::view(X, {2, 3}), diffc::view(y, {2})),
                       doctest::Contains("expects f64 elements, got f32"), diffc::Error);
  CHECK_THROWS_WITH_AS(m.function("nope"), doctest::Contains("no function named 'nope'"),
                       diffc::Error);
  // Outputs are checked too.
  std::vector<double> gw(2);
  double v = 0, gb = 0;
  std::vector<double> gX(6), gy(2), X6(6), y2(2);
  CHECK_THROWS_WITH_AS(
      m.gradient("loss").call_into(
          {diffc::view(w, {3}), 0.0, diffc::view(X6, {2, 3}), diffc::view(y2, {2})},
          {diffc::out(v), diffc::view(gw, {2}), diffc::out(gb), diffc::view(gX, {2, 3}),
           diffc::view(gy, {2})}),
      doctest::Contains("d_w"), diffc::Error);
}

TEST_CASE("host API: runtime faults become diffc::Error with the source location") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kLogistic, "logistic.diff");
  diffc::Function pick = m.function("pick");
  std::vector<double> x = {1, 2, 3};
  CHECK(pick(diffc::view(x, {3}), int64_t(2)).scalar() == 6);
  try {
    pick(diffc::view(x, {3}), int64_t(3));
    FAIL("expected diffc::Error");
  } catch (const diffc::Error &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("logistic.diff:7:") == 0);
    CHECK(msg.find("index 3 out of range for axis 0 of size 3") != std::string::npos);
  }
}

TEST_CASE("host API: compile errors carry the diagnostics") {
  diffc::Jit jit;
  try {
    jit.compile_string("fn f(x: f64) -> f64 = x + y;\n", "bad.diff");
    FAIL("expected diffc::CompileError");
  } catch (const diffc::CompileError &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("bad.diff:1:") == 0);
    CHECK(msg.find("error:") != std::string::npos);
  }
  CHECK_THROWS_AS(jit.compile_file("/nonexistent/x.diff"), diffc::CompileError);
  // A directory opens as a stream that reads nothing: not an empty module.
  CHECK_THROWS_AS(jit.compile_file("."), diffc::CompileError);
}

TEST_CASE("host API: 8 threads calling one gradient concurrently get equal results") {
  const int64_t N = 64, D = 16;
  std::vector<double> w(D), X(N * D), y(N);
  for (int64_t i = 0; i < D; ++i)
    w[i] = 0.1 * static_cast<double>(i % 5) - 0.2;
  for (int64_t i = 0; i < N * D; ++i)
    X[i] = std::cos(0.37 * static_cast<double>(i));
  for (int64_t i = 0; i < N; ++i)
    y[i] = static_cast<double>(i % 2);
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kLogistic, "logistic.diff");
  diffc::Function dloss = m.gradient("loss");
  auto expect = dloss(diffc::view(w, {D}), 0.3, diffc::view(X, {N, D}), diffc::view(y, {N}));
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::vector<double> gw(D), gX(N * D), gy(N);
      double v = 0, gb = 0;
      for (int k = 0; k < 200; ++k) {
        dloss.call_into({diffc::view(w, {D}), 0.3, diffc::view(X, {N, D}), diffc::view(y, {N})},
                        {diffc::out(v), diffc::view(gw, {D}), diffc::out(gb),
                         diffc::view(gX, {N, D}), diffc::view(gy, {N})});
        if (v != expect.value() || gw != expect.grad("w").data || gb != expect.grad("b").scalar() ||
            gX != expect.grad("X").data || gy != expect.grad("y").data)
          ++mismatches[t];
      }
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < 8; ++t)
    CHECK(mismatches[t] == 0);
}

TEST_CASE("host API: Hessian-vector products (forward over reverse) against differences of the "
          "gradient") {
  // A loop (tapes in the gradient, tangents of tapes in the hvp) and a product of parameters.
  const char *src = R"(
fn energy[N](x: f64[N], a: f64) -> f64 {
  var e = 0.0;
  for i in 1..N { e += a * (x[i] - x[i - 1]) ^ 2 * exp(0.3 * x[i]); }
  e + sin(a * x[0])
})";
  const int64_t N = 4;
  std::vector<double> x = {0.3, -0.7, 1.1, 0.4}, vx = {1.0, -0.5, 0.25, 2.0};
  double a = 1.3, va = -0.75;
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(src, "energy.diff");
  diffc::Function g = m.gradient("energy");
  diffc::Function h = m.hvp("energy");
  auto r = h(diffc::view(x, {N}), a, diffc::view(vx, {N}), va);
  // value, d_x, d_a, then the tangents: of the value (the directional derivative), H v.
  REQUIRE(r.size() == 6);
  auto base = g(diffc::view(x, {N}), a);
  CHECK(r[0].scalar() == base.value());
  CHECK(r[1].data == base.grad("x").data);
  double dir = std::inner_product(vx.begin(), vx.end(), base.grad("x").data.begin(), 0.0) +
               va * base.grad("a").scalar();
  CHECK(r[3].scalar() == doctest::Approx(dir).epsilon(1e-12));
  // Central differences of the gradient along v.
  const double eps = 1e-5;
  std::vector<double> xp(N), xm(N);
  for (int64_t i = 0; i < N; ++i) {
    xp[i] = x[i] + eps * vx[i];
    xm[i] = x[i] - eps * vx[i];
  }
  auto gp = g(diffc::view(xp, {N}), a + eps * va), gm = g(diffc::view(xm, {N}), a - eps * va);
  for (int64_t i = 0; i < N; ++i) {
    double fd = (gp.grad("x").data[i] - gm.grad("x").data[i]) / (2 * eps);
    CHECK(r[4].data[i] == doctest::Approx(fd).epsilon(1e-6));
  }
  double fda = (gp.grad("a").scalar() - gm.grad("a").scalar()) / (2 * eps);
  CHECK(r[5].scalar() == doctest::Approx(fda).epsilon(1e-6));
  // With wrt: only x's block, H_xx v_x.
  auto rx = m.hvp("energy", {"x"})(diffc::view(x, {N}), a, diffc::view(vx, {N}));
  REQUIRE(rx.size() == 4);
  auto gpx = g(diffc::view(xp, {N}), a), gmx = g(diffc::view(xm, {N}), a);
  for (int64_t i = 0; i < N; ++i)
    CHECK(
        rx[3].data[i] ==
        doctest::Approx((gpx.grad("x").data[i] - gmx.grad("x").data[i]) / (2 * eps)).epsilon(1e-6));
}
