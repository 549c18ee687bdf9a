// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#ifdef DIFFC_BENCH_ADOLC
#include <adolc/adolc.h>
#endif

namespace diffc::bench::rosenbrock {

std::vector<Impl> adolc(const std::vector<double> &x, short tag) {
#ifdef DIFFC_BENCH_ADOLC
  size_t n = x.size();
  return adolcImpls([n](const adouble *p) { return objective<adouble>(p, n); }, x, tag);
#else
  (void)x;
  (void)tag; // built without ADOL-C: no such peer
  return {};
#endif
}

} // namespace diffc::bench::rosenbrock
