#include "gmm_data.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <stdexcept>

namespace diffc::sample {

namespace {

struct Reader {
  std::ifstream in;
  std::string path;
  double next() {
    double v;
    if (!(in >> v))
      throw std::runtime_error(path + ": file ends early or holds a non-number");
    return v;
  }
  void fill(std::vector<double> &v, size_t count) {
    v.resize(count);
    for (double &e : v)
      e = next();
  }
};

long double logSumExp(const std::vector<long double> &v) {
  long double mx = *std::max_element(v.begin(), v.end()), s = 0;
  for (long double e : v)
    s += std::exp(e - mx);
  return mx + std::log(s);
}

} // namespace

GmmInstance readGmmInstance(const std::string &path) {
  Reader r{std::ifstream(path), path};
  if (!r.in)
    throw std::runtime_error("cannot open " + path);
  GmmInstance g;
  g.d = static_cast<int64_t>(r.next());
  g.k = static_cast<int64_t>(r.next());
  g.n = static_cast<int64_t>(r.next());
  if (g.d < 1 || g.k < 1 || g.n < 1)
    throw std::runtime_error(path + ": bad header (D K n)");
  r.fill(g.alphas, static_cast<size_t>(g.k));
  r.fill(g.means, static_cast<size_t>(g.k * g.d));
  r.fill(g.icf, static_cast<size_t>(g.k * g.icfSize()));
  r.fill(g.x, static_cast<size_t>(g.n * g.d));
  g.gamma = r.next();
  g.m = static_cast<int64_t>(r.next());
  return g;
}

std::vector<double> readNumbers(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::vector<double> v;
  for (double e; in >> e;)
    v.push_back(e);
  return v;
}

double gmmObjectiveReference(const GmmInstance &g) {
  const int64_t D = g.d, K = g.k, T = g.icfSize();
  const long double pi = std::numbers::pi_v<long double>;
  std::vector<long double> sumQ(static_cast<size_t>(K), 0), terms(static_cast<size_t>(K));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0; j < D; ++j)
      sumQ[k] += g.icf[k * T + j];
  // Builds each Q_k densely (row r, column c) and multiplies: a different route from gmm.diff's
  // packed walk, so an indexing slip in either shows up.
  std::vector<long double> Q(static_cast<size_t>(K * D * D), 0);
  for (int64_t k = 0; k < K; ++k) {
    long double *q = &Q[k * D * D];
    for (int64_t j = 0; j < D; ++j)
      q[j * D + j] = std::exp(static_cast<long double>(g.icf[k * T + j]));
    int64_t idx = D;
    for (int64_t c = 0; c < D; ++c)
      for (int64_t r = c + 1; r < D; ++r)
        q[r * D + c] = g.icf[k * T + idx++];
  }
  long double total = 0;
  std::vector<long double> diff(static_cast<size_t>(D));
  for (int64_t i = 0; i < g.n; ++i) {
    for (int64_t k = 0; k < K; ++k) {
      for (int64_t j = 0; j < D; ++j)
        diff[j] = static_cast<long double>(g.x[i * D + j]) - g.means[k * D + j];
      long double sq = 0;
      for (int64_t r = 0; r < D; ++r) {
        long double row = 0;
        for (int64_t c = 0; c <= r; ++c)
          row += Q[k * D * D + r * D + c] * diff[c];
        sq += row * row;
      }
      terms[k] = g.alphas[k] + sumQ[k] - 0.5L * sq;
    }
    total += logSumExp(terms);
  }
  std::vector<long double> alphas(g.alphas.begin(), g.alphas.end());
  long double f = -0.5L * g.n * D * std::log(2 * pi) + total - g.n * logSumExp(alphas);

  // Wishart prior: sum_k [ gamma^2 / 2 ||Q_k||_F^2 - m sum(q_k) ] - K C(gamma, m, D).
  const int64_t nW = D + g.m + 1;
  long double prior = 0;
  for (int64_t k = 0; k < K; ++k) {
    long double frob = 0;
    for (int64_t e = 0; e < D * D; ++e)
      frob += Q[k * D * D + e] * Q[k * D * D + e];
    prior += 0.5L * g.gamma * g.gamma * frob - g.m * sumQ[k];
  }
  long double logMvGamma = 0.25L * D * (D - 1) * std::log(pi);
  for (int64_t j = 1; j <= D; ++j)
    logMvGamma += std::lgamma(0.5L * nW + 0.5L * (1 - j));
  long double C =
      nW * D * (std::log(static_cast<long double>(g.gamma)) - 0.5L * std::log(2.0L)) - logMvGamma;
  return static_cast<double>(f + prior - K * C);
}

} // namespace diffc::sample
