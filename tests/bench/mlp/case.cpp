// MLP training-step gradients at a small (digits-like) and a medium batch and width.
#include "../harness/DiffcImpl.h"
#include "../harness/Tensors.h"
#include "objective.h"

#include <fmt/format.h>

namespace diffc::bench {

namespace {

Problem problem(const std::string &root, int b, int i, int h, int o, short tag,
                const std::string &tier) {
  auto dat = std::make_shared<mlp::Data>(mlp::make(b, i, h, o));
  const int64_t nb = b, ni = i, nh = h, no = o;
  Problem p;
  p.tier = tier;
  p.kase = "mlp";
  p.size = fmt::format("B{}_I{}_H{}_O{}", b, i, h, o);
  p.scaleName = "multiply-adds B(IH + HO)";
  p.scale = double(nb) * (ni * nh + nh * no);
  p.wrt = {"W1", "b1", "W2", "b2"};
  p.x = dat->params;
  const double *w1 = dat->params.data(), *b1 = w1 + nh * ni, *w2 = b1 + nh, *b2 = w2 + no * nh;
  p.inputs = {{"W1", tensorJson(w1, {nh, ni})},           {"b1", tensorJson(b1, {nh})},
              {"W2", tensorJson(w2, {no, nh})},           {"b2", tensorJson(b2, {no})},
              {"X", tensorJson(dat->x.data(), {nb, ni})}, {"labels", dat->labels}};
  p.valueAt = [dat](const double *x) { return mlp::objective<double>(*dat, x); };
  Impl hand;
  hand.name = "hand";
  hand.gradient = [dat](double *g) { return mlp::handGradient(*dat, dat->params.data(), g); };
  hand.value = [dat] { return mlp::objective<double>(*dat, dat->params.data()); };
  p.impls.push_back(hand);
  p.impls.push_back(diffcImpl(
      root + "/mlp/model.diff", "mlp_loss", p.wrt,
      {diffc::view(w1, {nh, ni}), diffc::view(b1, {nh}), diffc::view(w2, {no, nh}),
       diffc::view(b2, {no}), diffc::view(dat->x.data(), {nb, ni}), diffc::view(dat->labels, {nb})},
      {{nh, ni}, {nh}, {no, nh}, {no}}, dat));
  for (Impl &impl : mlp::adolc(dat, tag))
    p.impls.push_back(impl);
  p.tol = 1e-9;
  return p;
}

} // namespace

std::vector<Problem> mlpProblems(Mode mode, const std::string &root) {
  std::vector<Problem> ps;
  ps.push_back(problem(root, 32, 64, 32, 10, 41, "small"));
  if (mode == Mode::full)
    ps.push_back(problem(root, 128, 256, 64, 10, 42, "medium"));
  return ps;
}

} // namespace diffc::bench
