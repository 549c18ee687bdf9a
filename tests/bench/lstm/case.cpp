// The LSTM problems: ADBench inputs copied into lstm/data (see lstm/data/README.md), checked
// against ADBench's reference objective and gradient for lstm_l2_c1024.
#include "../harness/DiffcImpl.h"
#include "../harness/Tensors.h"
#include "objective.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace diffc::bench {

namespace {

void checkReference(const lstm::Data &dat, const std::string &dir) {
  double f = readNumbers(dir + "/lstm_l2_c1024_F_Manual.txt").at(0);
  std::vector<double> j = readNumbers(dir + "/lstm_l2_c1024_J_Manual.txt");
  std::vector<double> g(dat.params.size());
  double v = lstm::handGradient(dat, dat.params.data(), g.data());
  double err = std::abs(v - f) / std::abs(f);
  for (size_t i = 0; i < g.size(); ++i)
    err = std::max(err, std::abs(g[i] - j.at(i)) / std::max(1e-3, std::abs(j[i])));
  if (j.size() != g.size() || err > 1e-7) {
    std::cerr << fmt::format("diffc_bench: lstm: hand gradient differs from ADBench's reference "
                             "by {:.3g}\n",
                             err);
    std::exit(1);
  }
}

Problem problem(const std::string &root, const std::string &name, short tag,
                const std::string &tier) {
  auto dat = std::make_shared<lstm::Data>(lstm::read(root + "/lstm/data/lstm_" + name + ".txt"));
  if (name == "l2_c1024")
    checkReference(*dat, root + "/lstm/data");
  const int64_t l = dat->l, c = dat->c, b = dat->b;
  Problem p;
  p.tier = tier;
  p.kase = "lstm";
  p.size = fmt::format("l{}_c{}", l, c);
  p.scaleName = "characters c";
  p.scale = static_cast<double>(c);
  p.wrt = {"main_params", "extra_params"};
  p.x = dat->params;
  const double *mainp = dat->params.data(), *extra = mainp + dat->mainSize();
  p.inputs = {{"main_params", tensorJson(mainp, {2 * l, 4, b})},
              {"extra_params", tensorJson(extra, {3, b})},
              {"state", tensorJson(dat->state.data(), {2 * l, b})},
              {"sequence", tensorJson(dat->sequence.data(), {c, b})}};
  p.valueAt = [dat](const double *x) { return lstm::objective<double>(*dat, x); };
  Impl hand;
  hand.name = "hand";
  hand.gradient = [dat](double *g) { return lstm::handGradient(*dat, dat->params.data(), g); };
  hand.value = [dat] { return lstm::objective<double>(*dat, dat->params.data()); };
  p.impls.push_back(hand);
  p.impls.push_back(diffcImpl(root + "/lstm/model.diff", "lstm", p.wrt,
                              {diffc::view(mainp, {2 * l, 4, b}), diffc::view(extra, {3, b}),
                               diffc::view(dat->state.data(), {2 * l, b}),
                               diffc::view(dat->sequence.data(), {c, b})},
                              {{2 * l, 4, b}, {3, b}}, dat));
  for (Impl &impl : lstm::adolc(dat, tag))
    p.impls.push_back(impl);
  p.tol = 1e-9;
  return p;
}

} // namespace

std::vector<Problem> lstmProblems(Mode mode, const std::string &root) {
  std::vector<Problem> ps;
  ps.push_back(problem(root, "l2_c1024", 31, "small"));
  if (mode == Mode::full) {
    ps.push_back(problem(root, "l4_c1024", 32, "medium"));
    ps.push_back(problem(root, "l2_c4096", 33, "large"));
  }
  return ps;
}

} // namespace diffc::bench
