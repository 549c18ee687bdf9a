// The example programs of LANGUAGE.md compile, and their values agree with plain C++ written
// independently here from the mathematics (not from diffc's output).
#include "Helpers.h"

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace diffc;
using namespace diffc::test;

TEST_CASE("every LANGUAGE.md program type-checks") {
  for (const char *name : {"logistic.diff", "mlp.diff", "gmm.diff", "projectile.diff", "lse.diff",
                           "statements.diff", "higher.diff"}) {
    CAPTURE(name);
    Compiled c = compile(readProgram(name), name);
    CHECK_MESSAGE(c.module != nullptr, c.messages());
  }
}

TEST_CASE("logistic loss matches the formula") {
  Compiled c = compile(readProgram("logistic.diff"));
  std::vector<double> w{0.5, -0.25}, X{1, 2, 3, 4, 5, 6}, y{1, 0, 1};
  double b = 0.1;
  auto out = run(c, "loss", {vec(w), interp::Tensor::scalar(b), mat(3, 2, X), vec(y)});
  double s = 0;
  for (int i = 0; i < 3; ++i) {
    double z = X[i * 2] * w[0] + X[i * 2 + 1] * w[1] + b;
    double p = 1 / (1 + std::exp(-z));
    s += y[i] * std::log(p) + (1 - y[i]) * std::log(1 - p);
  }
  CHECK(out[0].item() == doctest::Approx(-s / 3).epsilon(1e-14));
}

TEST_CASE("mlp loss matches a hand-written forward pass") {
  Compiled c = compile(readProgram("mlp.diff"));
  const size_t B = 4, I = 3, H = 5, O = 3;
  Lcg r(7);
  auto W1 = r.many(H * I), b1 = r.many(H), W2 = r.many(O * H), b2 = r.many(O), X = r.many(B * I);
  std::vector<double> labels{0, 2, 1, 2};
  auto out = run(c, "mlp_loss",
                 {mat(H, I, W1), vec(b1), mat(O, H, W2), vec(b2), mat(B, I, X), ivec(labels)});
  double total = 0;
  for (size_t b = 0; b < B; ++b) {
    std::vector<double> hid(H), logit(O);
    for (size_t h = 0; h < H; ++h) {
      double s = b1[h];
      for (size_t i = 0; i < I; ++i)
        s += X[b * I + i] * W1[h * I + i];
      hid[h] = s > 0 ? s : 0;
    }
    double m = -1e300;
    for (size_t o = 0; o < O; ++o) {
      double s = b2[o];
      for (size_t h = 0; h < H; ++h)
        s += hid[h] * W2[o * H + h];
      logit[o] = s;
      m = std::max(m, s);
    }
    double z = 0;
    for (double l : logit)
      z += std::exp(l - m);
    total += logit[static_cast<size_t>(labels[b])] - m - std::log(z);
  }
  CHECK(out[0].item() == doctest::Approx(-total / B).epsilon(1e-13));
}

namespace {
// ADBench's GMM objective without its constant term, as LANGUAGE.md writes it.
double gmmReference(size_t N, size_t K, size_t D, const std::vector<double> &alphas,
                    const std::vector<double> &means, const std::vector<double> &icf,
                    const std::vector<double> &x, double gamma, int m) {
  size_t T = D * (D + 1) / 2;
  auto lse = [](const std::vector<double> &v) {
    double mx = *std::max_element(v.begin(), v.end()), s = 0;
    for (double a : v)
      s += std::exp(a - mx);
    return mx + std::log(s);
  };
  std::vector<double> qs(K, 0);
  for (size_t k = 0; k < K; ++k)
    for (size_t d = 0; d < D; ++d)
      qs[k] += icf[k * T + d];
  double total = 0;
  for (size_t n = 0; n < N; ++n) {
    std::vector<double> terms(K);
    for (size_t k = 0; k < K; ++k) {
      std::vector<double> diff(D), q(D, 0);
      for (size_t d = 0; d < D; ++d)
        diff[d] = x[n * D + d] - means[k * D + d];
      // Q = diag(exp(q)) + L, L packed column by column.
      size_t idx = D;
      for (size_t d = 0; d < D; ++d)
        q[d] = std::exp(icf[k * T + d]) * diff[d];
      for (size_t j = 0; j < D; ++j)
        for (size_t i = j + 1; i < D; ++i)
          q[i] += icf[k * T + idx++] * diff[j];
      double sq = 0;
      for (double v : q)
        sq += v * v;
      terms[k] = alphas[k] + qs[k] - 0.5 * sq;
    }
    total += lse(terms);
  }
  // Wishart prior (ADBench log_wishart_prior).
  double n = static_cast<double>(D) + m + 1;
  double lgd = 0.25 * D * (D - 1.0) * std::log(M_PI);
  for (size_t j = 1; j <= D; ++j)
    lgd += std::lgamma(0.5 * n + 0.5 * (1.0 - j));
  double C = n * D * (std::log(gamma) - 0.5 * std::log(2.0)) - lgd;
  double prior = 0;
  for (size_t k = 0; k < K; ++k) {
    double frob = 0;
    for (size_t d = 0; d < D; ++d)
      frob += std::exp(icf[k * T + d]) * std::exp(icf[k * T + d]);
    for (size_t t = D; t < T; ++t)
      frob += icf[k * T + t] * icf[k * T + t];
    prior += 0.5 * gamma * gamma * frob - m * qs[k];
  }
  prior -= K * C;
  return total - N * lse(alphas) + prior;
}
} // namespace

TEST_CASE("gmm objective matches ADBench's formula") {
  Compiled c = compile(readProgram("gmm.diff"));
  for (auto [N, K, D, m] : {std::tuple<size_t, size_t, size_t, int>{5, 3, 2, 0},
                            {7, 4, 3, 2},
                            {3, 2, 4, 1}}) {
    CAPTURE(N);
    CAPTURE(K);
    CAPTURE(D);
    size_t T = D * (D + 1) / 2;
    Lcg r(N * 100 + K * 10 + D);
    auto alphas = r.many(K), means = r.many(K * D), icf = r.many(K * T), x = r.many(N * D);
    double gamma = 1.3;
    auto out = run(c, "gmm",
                   {vec(alphas), mat(K, D, means), mat(K, T, icf), mat(N, D, x),
                    interp::Tensor::scalar(gamma),
                    interp::Tensor::scalar(m, ir::ElemType::I64)});
    CHECK(out[0].item() ==
          doctest::Approx(gmmReference(N, K, D, alphas, means, icf, x, gamma, m)).epsilon(1e-12));
  }
}

TEST_CASE("projectile simulation matches a plain loop") {
  Compiled c = compile(readProgram("projectile.diff"));
  double v[2] = {3.0, 4.0}, p[2] = {0, 0}, target[2] = {1.5, 0.2};
  for (int t = 0; t < 1000; ++t) {
    double nv = std::sqrt(v[0] * v[0] + v[1] * v[1]);
    double a0 = 0.0 - 0.1 * nv * v[0], a1 = -9.81 - 0.1 * nv * v[1];
    v[0] = v[0] + 0.001 * a0;
    v[1] = v[1] + 0.001 * a1;
    p[0] = p[0] + 0.001 * v[0];
    p[1] = p[1] + 0.001 * v[1];
  }
  double want = (p[0] - target[0]) * (p[0] - target[0]) + (p[1] - target[1]) * (p[1] - target[1]);
  auto out = run(c, "miss", {vec({3.0, 4.0}), vec({1.5, 0.2})});
  CHECK(out[0].item() == doctest::Approx(want).epsilon(1e-13));
}

TEST_CASE("statements program follows the imperative semantics") {
  Compiled c = compile(readProgram("statements.diff"));
  std::vector<double> x{0.5, -1.0, 2.0}, h0{0.1, 0.2, 0.3}, c0{-0.1, 0.0, 0.4};
  double tol = 0.01;
  const int T = 4;
  auto out = run(c, "statements",
                 {vec(x), vec(h0), vec(c0), interp::Tensor::scalar(tol), vec({0, 0, 0, 0})});
  double z = 0, acc = 0;
  for (double v : x)
    z += v;
  for (double v : x)
    acc += v;
  acc += x[0];
  acc -= 1;
  acc *= 2;
  acc /= 2;
  double traj = 0, pos[2] = {0.0, 1.0}, dt = 0.1;
  for (int t = 0; t < T; ++t) {
    traj += pos[0] + dt + pos[1];
    pos[0] *= 0.5;
    pos[1] *= 0.5;
  }
  double err = 1.0;
  while (err > tol)
    err /= 2;
  acc = acc > 0 ? acc + 1 : acc - 1;
  double v = z > 0 ? z * z : -z;
  double sh = 0, sc = 0;
  for (int i = 0; i < 3; ++i) {
    double c2 = std::tanh(x[i] + h0[i]) * 0.5 + c0[i] * 0.5;
    sh += std::tanh(c2);
    sc += c2;
  }
  CHECK(out[0].item() == doctest::Approx(acc + traj + err + v + sh + sc).epsilon(1e-13));
}
