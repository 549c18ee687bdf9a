// The GMM gradient derived by hand: per point, the weights w_k = softmax_k(beta_k) scale the
// derivatives of beta_k = alpha_k + sum(q_k) - |Q_k (x - mu_k)|^2 / 2, which with z = Q_k d,
// d = x - mu_k are: d/dmu = Q_k^T z, d/dq_r = 1 - z_r exp(q_r) d_r, d/dL_rc = -z_r d_c.
#include "../harness/Tensors.h"
#include "objective.h"

#include <algorithm>
#include <cmath>

namespace diffc::bench::gmm {

double logGammaDistrib(double a, int p) {
  double out = 0.25 * p * (p - 1) * std::log(M_PI);
  for (int j = 1; j <= p; ++j)
    out += std::lgamma(a + 0.5 * (1 - j));
  return out;
}

Data read(const std::string &path) {
  std::vector<double> v = readNumbers(path);
  Data dat;
  size_t at = 0;
  dat.d = static_cast<int>(v.at(at++));
  dat.k = static_cast<int>(v.at(at++));
  dat.n = static_cast<int>(v.at(at++));
  size_t nparams = dat.k * (1 + dat.d + dat.icfSize());
  dat.params.assign(v.begin() + at, v.begin() + at + nparams);
  at += nparams;
  dat.x.assign(v.begin() + at, v.begin() + at + size_t(dat.n) * dat.d);
  at += size_t(dat.n) * dat.d;
  dat.gamma = v.at(at++);
  dat.m = static_cast<int>(v.at(at++));
  return dat;
}

double handGradient(const Data &dat, const double *params, double *g) {
  const int d = dat.d, k = dat.k, n = dat.n, ts = dat.icfSize();
  const double *alphas = params, *means = params + k, *icf = params + k + k * d;
  double *galphas = g, *gmeans = g + k, *gicf = g + k + k * d;
  std::fill(g, g + k * (1 + d + ts), 0.0);
  std::vector<double> qs(k, 0.0), qdiag(k * d), beta(k), z(k * d), diff(k * d), qtz(d);
  for (int c = 0; c < k; ++c)
    for (int j = 0; j < d; ++j) {
      qs[c] += icf[c * ts + j];
      qdiag[c * d + j] = std::exp(icf[c * ts + j]);
    }
  double slse = 0;
  for (int i = 0; i < n; ++i) {
    const double *xi = &dat.x[size_t(i) * d];
    double mx = -INFINITY;
    for (int c = 0; c < k; ++c) {
      double *dc = &diff[c * d], *zc = &z[c * d];
      for (int j = 0; j < d; ++j) {
        dc[j] = xi[j] - means[c * d + j];
        zc[j] = qdiag[c * d + j] * dc[j];
      }
      const double *l = icf + c * ts + d;
      for (int col = 0; col < d; ++col)
        for (int row = col + 1; row < d; ++row)
          zc[row] += *l++ * dc[col];
      double sq = 0;
      for (int j = 0; j < d; ++j)
        sq += zc[j] * zc[j];
      beta[c] = alphas[c] + qs[c] - 0.5 * sq;
      mx = std::max(mx, beta[c]);
    }
    double s = 0;
    for (int c = 0; c < k; ++c)
      s += std::exp(beta[c] - mx);
    double lse = std::log(s) + mx;
    slse += lse;
    for (int c = 0; c < k; ++c) {
      double w = std::exp(beta[c] - lse);
      const double *dc = &diff[c * d], *zc = &z[c * d];
      galphas[c] += w;
      // Q^T z, and the L part of the icf gradient, walking L in its packed order
      const double *l = icf + c * ts + d;
      double *gl = gicf + c * ts + d;
      for (int j = 0; j < d; ++j)
        qtz[j] = qdiag[c * d + j] * zc[j];
      for (int col = 0; col < d; ++col)
        for (int row = col + 1; row < d; ++row) {
          qtz[col] += *l++ * zc[row];
          *gl++ -= w * zc[row] * dc[col];
        }
      for (int j = 0; j < d; ++j) {
        gmeans[c * d + j] += w * qtz[j];
        gicf[c * ts + j] += w * (1.0 - zc[j] * qdiag[c * d + j] * dc[j]);
      }
    }
  }
  // - n logsumexp(alphas)
  double mx = *std::max_element(alphas, alphas + k), s = 0;
  for (int c = 0; c < k; ++c)
    s += std::exp(alphas[c] - mx);
  double lseAlphas = std::log(s) + mx;
  for (int c = 0; c < k; ++c)
    galphas[c] -= n * std::exp(alphas[c] - lseAlphas);
  // the Wishart prior
  double prior = 0, g2 = dat.gamma * dat.gamma;
  for (int c = 0; c < k; ++c) {
    double frob = 0;
    for (int j = 0; j < d; ++j) {
      double e = qdiag[c * d + j];
      frob += e * e;
      gicf[c * ts + j] += g2 * e * e - dat.m;
    }
    for (int j = d; j < ts; ++j) {
      frob += icf[c * ts + j] * icf[c * ts + j];
      gicf[c * ts + j] += g2 * icf[c * ts + j];
    }
    prior += 0.5 * g2 * frob - dat.m * qs[c];
  }
  int nn = d + dat.m + 1;
  double cst = nn * d * (std::log(dat.gamma) - 0.5 * std::log(2.0)) - logGammaDistrib(0.5 * nn, d);
  return slse - n * lseAlphas - 0.5 * n * d * std::log(2 * M_PI) + prior - k * cst;
}

} // namespace diffc::bench::gmm
