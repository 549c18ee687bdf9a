// The GMM problems: ADBench inputs copied into gmm/data (see gmm/data/README.md), checked against
// ADBench's reference objective and gradient where the reference exists.
#include "../harness/DiffcImpl.h"
#include "../harness/Tensors.h"
#include "objective.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace diffc::bench {

namespace {

/// ADBench's hand-written C++ result for gmm_1k_d10_K25: our hand gradient must match it.
void checkReference(const gmm::Data &dat, const std::string &dir) {
  double f = readNumbers(dir + "/gmm_d10_K25_F_Manual.txt").at(0);
  std::vector<double> j = readNumbers(dir + "/gmm_d10_K25_J_Manual.txt");
  std::vector<double> g(dat.params.size());
  double v = gmm::handGradient(dat, dat.params.data(), g.data());
  double err = std::abs(v - f) / std::abs(f);
  for (size_t i = 0; i < g.size(); ++i)
    err = std::max(err, std::abs(g[i] - j.at(i)) / std::max(1.0, std::abs(j[i])));
  if (j.size() != g.size() || err > 1e-8) {
    std::cerr << fmt::format("diffc_bench: gmm: hand gradient differs from ADBench's reference "
                             "by {:.3g}\n",
                             err);
    std::exit(1);
  }
}

Problem problem(const std::string &root, const std::string &name, short tag,
                const std::string &tier) {
  auto dat = std::make_shared<gmm::Data>(gmm::read(root + "/gmm/data/gmm_" + name + ".txt"));
  if (name == "1k_d10_K25")
    checkReference(*dat, root + "/gmm/data");
  const int64_t d = dat->d, k = dat->k, n = dat->n, ts = dat->icfSize();
  Problem p;
  p.tier = tier;
  p.kase = "gmm";
  p.size = fmt::format("d{}_K{}_n{}", d, k, n);
  p.scaleName = "points n";
  p.scale = static_cast<double>(n);
  p.wrt = {"alphas", "means", "icf"};
  p.x = dat->params;
  const double *a = dat->params.data(), *mu = a + k, *icf = mu + k * d;
  p.inputs = {{"alphas", tensorJson(a, {k})},    {"means", tensorJson(mu, {k, d})},
              {"icf", tensorJson(icf, {k, ts})}, {"x", tensorJson(dat->x.data(), {n, d})},
              {"wishart_gamma", dat->gamma},     {"wishart_m", dat->m}};
  p.valueAt = [dat](const double *x) { return gmm::objective<double>(*dat, x); };
  Impl hand;
  hand.name = "hand";
  hand.gradient = [dat](double *g) { return gmm::handGradient(*dat, dat->params.data(), g); };
  hand.value = [dat] { return gmm::objective<double>(*dat, dat->params.data()); };
  p.impls.push_back(hand);
  p.impls.push_back(
      diffcImpl(root + "/gmm/model.diff", "gmm", p.wrt,
                {diffc::view(a, {k}), diffc::view(mu, {k, d}), diffc::view(icf, {k, ts}),
                 diffc::view(dat->x.data(), {n, d}), dat->gamma, static_cast<int64_t>(dat->m)},
                {{k}, {k, d}, {k, ts}}, dat));
  for (Impl &impl : gmm::adolc(dat, tag))
    p.impls.push_back(impl);
  p.tol = 1e-9;
  p.fdCheap = p.x.size() <= 100;
  return p;
}

} // namespace

std::vector<Problem> gmmProblems(Mode mode, const std::string &root) {
  std::vector<Problem> ps;
  ps.push_back(problem(root, "1k_d2_K10", 1, "small"));
  ps.push_back(problem(root, "1k_d10_K25", 2, "medium"));
  if (mode == Mode::full)
    ps.push_back(problem(root, "10k_d10_K25", 3, "large"));
  return ps;
}

} // namespace diffc::bench
