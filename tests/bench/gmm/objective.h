// The ADBench GMM objective in plain C++, templated on the scalar type: the hand-written value
// (double) and the function ADOL-C tapes (adouble) are this one code.
#pragma once

#include "../harness/AdolcImpl.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace diffc::bench::gmm {

struct Data {
  int d = 0, k = 0, n = 0;
  std::vector<double> params; // alphas [K], means [K, D], icf [K, D (D + 1) / 2]
  std::vector<double> x;      // points [N, D]
  double gamma = 1;
  int m = 0;
  int icfSize() const { return d * (d + 1) / 2; }
};

/// Reads an ADBench gmm_d*_K*.txt file.
Data read(const std::string &path);

/// log Gamma_D(a), the multivariate log-gamma function.
double logGammaDistrib(double a, int p);

template <class T> T logsumexp(const T *v, int count) {
  using std::exp, std::log;
  double mx = passive(v[0]); // any shift gives the same value and derivative
  for (int i = 1; i < count; ++i)
    mx = std::max(mx, passive(v[i]));
  T s = 0;
  for (int i = 0; i < count; ++i)
    s += exp(v[i] - mx);
  return log(s) + mx;
}

template <class T> T objective(const Data &dat, const T *params) {
  using std::exp, std::log;
  const int d = dat.d, k = dat.k, n = dat.n, ts = dat.icfSize();
  const T *alphas = params, *means = params + k, *icf = params + k + k * d;
  std::vector<T> qs(k), qdiag(k * d), beta(k), z(d), diff(d);
  for (int c = 0; c < k; ++c) {
    qs[c] = 0;
    for (int j = 0; j < d; ++j) {
      qs[c] += icf[c * ts + j];
      qdiag[c * d + j] = exp(icf[c * ts + j]);
    }
  }
  T slse = 0;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < k; ++c) {
      for (int j = 0; j < d; ++j) {
        diff[j] = dat.x[i * d + j] - means[c * d + j];
        z[j] = qdiag[c * d + j] * diff[j];
      }
      int idx = c * ts + d;
      for (int col = 0; col < d; ++col)
        for (int row = col + 1; row < d; ++row)
          z[row] += icf[idx++] * diff[col];
      T sq = 0;
      for (int j = 0; j < d; ++j)
        sq += z[j] * z[j];
      beta[c] = alphas[c] + qs[c] - 0.5 * sq;
    }
    slse += logsumexp(beta.data(), k);
  }
  T prior = 0;
  for (int c = 0; c < k; ++c) {
    T frob = 0;
    for (int j = 0; j < d; ++j)
      frob += qdiag[c * d + j] * qdiag[c * d + j];
    for (int j = d; j < ts; ++j)
      frob += icf[c * ts + j] * icf[c * ts + j];
    prior += 0.5 * dat.gamma * dat.gamma * frob - double(dat.m) * qs[c];
  }
  int nn = d + dat.m + 1;
  double cst = nn * d * (log(dat.gamma) - 0.5 * log(2.0)) - logGammaDistrib(0.5 * nn, d);
  return slse - double(n) * logsumexp(alphas, k) - 0.5 * n * d * log(2 * M_PI) + prior - k * cst;
}

/// The gradient derived by hand (hand.cpp); returns the value.
double handGradient(const Data &dat, const double *params, double *g);

/// ADOL-C's implementations (adolc.cpp).
std::vector<Impl> adolc(std::shared_ptr<const Data> dat, short tag);

} // namespace diffc::bench::gmm
