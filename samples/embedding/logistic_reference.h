// The logistic loss of logistic.diff and its gradient derived by hand, so that the embedding
// samples check what diffc computes against something diffc did not compute:
//   z_i = X_i . w + b,  p_i = sigmoid(z_i),  L = -1/N sum_i (y_i log p_i + (1 - y_i) log(1 - p_i))
//   dL/dz_i = (p_i - y_i) / N            (the sigmoid's derivative cancels the logs' quotients)
//   dL/dw = X^T dL/dz,  dL/db = sum_i dL/dz_i,  dL/dX_ij = dL/dz_i w_j
//   dL/dy_i = -(log p_i - log(1 - p_i)) / N = -z_i / N
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace logistic {

// The data of the README's example: N = 3 samples of D = 2 features.
constexpr int64_t N = 3, D = 2;
inline const std::vector<double> w = {0.5, -0.25}, X = {1, 2, 3, 4, 5, 6}, y = {1, 0, 1};
constexpr double b = 0.1;

struct Gradient {
  double value = 0, b = 0;
  std::vector<double> w = std::vector<double>(D), X = std::vector<double>(N * D),
                      y = std::vector<double>(N);
};

inline Gradient reference() {
  Gradient g;
  for (int64_t i = 0; i < N; ++i) {
    double z = b;
    for (int64_t j = 0; j < D; ++j)
      z += X[i * D + j] * w[j];
    double p = 1 / (1 + std::exp(-z));
    g.value -= (y[i] * std::log(p) + (1 - y[i]) * std::log(1 - p)) / N;
    double dz = (p - y[i]) / N;
    for (int64_t j = 0; j < D; ++j) {
      g.w[j] += X[i * D + j] * dz;
      g.X[i * D + j] = dz * w[j];
    }
    g.b += dz;
    g.y[i] = -z / N;
  }
  return g;
}

/// Prints `name = got` and returns whether it is within 1e-12 (relative to max(1, |want|)).
inline bool check(const std::string &name, double got, double want) {
  bool ok = std::abs(got - want) <= 1e-12 * std::fmax(1.0, std::abs(want));
  std::printf("%-8s = %.17g%s\n", name.c_str(), got, ok ? "" : "   MISMATCH");
  if (!ok)
    std::printf("%-8s   expected %.17g\n", "", want);
  return ok;
}

inline bool check(const std::string &name, const double *got, const std::vector<double> &want) {
  bool ok = true;
  for (size_t i = 0; i < want.size(); ++i)
    ok &= check(name + "[" + std::to_string(i) + "]", got[i], want[i]);
  return ok;
}

} // namespace logistic
