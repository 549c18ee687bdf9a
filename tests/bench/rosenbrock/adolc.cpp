// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#include <adolc/adolc.h>

namespace diffc::bench::rosenbrock {

std::vector<Impl> adolc(const std::vector<double> &x, short tag) {
  size_t n = x.size();
  return adolcImpls([n](const adouble *p) { return objective<adouble>(p, n); }, x, tag);
}

} // namespace diffc::bench::rosenbrock
