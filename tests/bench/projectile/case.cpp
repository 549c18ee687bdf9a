// The projectile simulated for 1000 and 10000 steps (and 100000 in a full run): the gradient's
// cost should grow like the step count.
#include "../harness/DiffcImpl.h"
#include "../harness/Tensors.h"
#include "objective.h"

#include <fmt/format.h>

namespace diffc::bench {

namespace {

Problem problem(const std::string &root, long steps, short tag, const std::string &tier) {
  auto x = std::make_shared<std::vector<double>>(std::vector<double>{3.0, 4.0, 2.0, 0.5});
  Problem p;
  p.tier = tier;
  p.kase = "projectile";
  p.size = fmt::format("steps{}", steps);
  p.scaleName = "steps";
  p.scale = static_cast<double>(steps);
  p.wrt = {"v0", "target"};
  p.x = *x;
  p.inputs = {{"v0", tensorJson(x->data(), {2})},
              {"target", tensorJson(x->data() + 2, {2})},
              {"steps", steps}};
  p.valueAt = [steps](const double *xs) { return projectile::objective<double>(xs, steps); };
  Impl hand;
  hand.name = "hand";
  hand.gradient = [x, steps](double *g) { return projectile::handGradient(x->data(), steps, g); };
  hand.value = [x, steps] { return projectile::objective<double>(x->data(), steps); };
  p.impls.push_back(hand);
  p.impls.push_back(diffcImpl(
      root + "/projectile/model.diff", "miss", p.wrt,
      {diffc::view(x->data(), {2}), diffc::view(x->data() + 2, {2}), static_cast<int64_t>(steps)},
      {{2}, {2}}, x));
  for (Impl &impl : projectile::adolc(*x, steps, tag))
    p.impls.push_back(impl);
  p.tol = 1e-9;
  p.fdCheap = true;
  return p;
}

} // namespace

std::vector<Problem> projectileProblems(Mode mode, const std::string &root) {
  std::vector<Problem> ps;
  ps.push_back(problem(root, 1000, 21, "small"));
  ps.push_back(problem(root, 10000, 22, "medium"));
  if (mode == Mode::full)
    ps.push_back(problem(root, 100000, 23, "large"));
  return ps;
}

} // namespace diffc::bench
