#include "gradcheck.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace diffc::sample {

std::vector<GradCheckEntry> checkGradient(const MlpProgram &prog, const MlpLayout &layout,
                                          std::vector<double> &theta,
                                          const std::vector<double> &grad, const double *X,
                                          const int64_t *labels, int64_t batch, int per_tensor,
                                          uint64_t seed) {
  // Copies of the batch: the check runs once, so clarity beats saving a few kilobytes.
  std::vector<double> Xb(X, X + batch * layout.in);
  std::vector<int64_t> yb(labels, labels + batch);
  std::vector<diffc::Arg> args;
  for (size_t t = 0; t < layout.tensors.size(); ++t)
    args.emplace_back(layout.view(t, theta));
  args.emplace_back(diffc::view(Xb, {batch, layout.in}));
  args.emplace_back(diffc::view(yb, {batch}));
  auto loss = [&] { return prog.loss.call(args).scalar(); };

  // h balances truncation (~h^2 L''') against rounding (~eps L / h) for parameters of order 0.1-1.
  constexpr double h = 1e-5;
  std::vector<GradCheckEntry> out;
  for (const ParamTensor &t : layout.tensors) {
    // Distinct random coordinates, those with a nonzero gradient first: weights of always-blank
    // pixels and of units no image of the batch activates have gradient exactly 0 on both sides,
    // which checks nothing of the chain rule.
    std::vector<int64_t> idx(t.count);
    std::iota(idx.begin(), idx.end(), int64_t{0});
    shuffleIndices(idx, seed);
    std::stable_partition(idx.begin(), idx.end(),
                          [&](int64_t i) { return grad[t.offset + static_cast<size_t>(i)] != 0; });
    for (size_t k = 0; k < std::min(static_cast<size_t>(per_tensor), t.count); ++k) {
      size_t i = static_cast<size_t>(idx[k]);
      double &p = theta[t.offset + i];
      const double saved = p;
      p = saved + h;
      double up = loss();
      p = saved - h;
      double down = loss();
      p = saved;
      double numeric = (up - down) / (2 * h);
      double analytic = grad[t.offset + i];
      double scale = std::max({std::fabs(analytic), std::fabs(numeric), kGradCheckFloor});
      std::string where = t.shape.size() == 2
                              ? "[" + std::to_string(i / static_cast<size_t>(t.shape[1])) + ", " +
                                    std::to_string(i % static_cast<size_t>(t.shape[1])) + "]"
                              : "[" + std::to_string(i) + "]";
      out.push_back({t.name, where, analytic, numeric, std::fabs(analytic - numeric) / scale});
    }
  }
  return out;
}

} // namespace diffc::sample
