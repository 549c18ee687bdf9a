// Rosenbrock at n = 1000, 10000 (and 100000 in a full run), at a seeded point in [-2, 2): the
// growth of the gradient's cost with n is the point of this case.
#include "../harness/DiffcImpl.h"
#include "../harness/Tensors.h"
#include "objective.h"

#include <fmt/format.h>

namespace diffc::bench {

namespace {

Problem problem(const std::string &root, int64_t n, short tag, const std::string &tier) {
  auto x = std::make_shared<std::vector<double>>(uniform(n, -2.0, 2.0, 42));
  Problem p;
  p.tier = tier;
  p.kase = "rosenbrock";
  p.size = fmt::format("n{}", n);
  p.scaleName = "n";
  p.scale = static_cast<double>(n);
  p.wrt = {"x"};
  p.x = *x;
  p.inputs = {{"x", tensorJson(x->data(), {n})}};
  size_t un = static_cast<size_t>(n);
  p.valueAt = [un](const double *xs) { return rosenbrock::objective<double>(xs, un); };
  Impl hand;
  hand.name = "hand";
  hand.gradient = [x](double *g) { return rosenbrock::handGradient(x->data(), x->size(), g); };
  hand.value = [x] { return rosenbrock::objective<double>(x->data(), x->size()); };
  p.impls.push_back(hand);
  p.impls.push_back(diffcImpl(root + "/rosenbrock/model.diff", "rosenbrock", p.wrt,
                              {diffc::view(x->data(), {n})}, {{n}}, x));
  for (Impl &impl : rosenbrock::adolc(*x, tag))
    p.impls.push_back(impl);
  p.tol = 1e-12;
  p.fdCheap = n <= 1000;
  return p;
}

} // namespace

std::vector<Problem> rosenbrockProblems(Mode mode, const std::string &root) {
  std::vector<Problem> ps;
  ps.push_back(problem(root, 1000, 11, "small"));
  ps.push_back(problem(root, 10000, 12, "medium"));
  if (mode == Mode::full)
    ps.push_back(problem(root, 100000, 13, "large"));
  return ps;
}

} // namespace diffc::bench
