// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#ifdef DIFFC_BENCH_ADOLC
#include <adolc/adolc.h>
#endif

namespace diffc::bench::projectile {

std::vector<Impl> adolc(const std::vector<double> &x, long steps, short tag) {
#ifdef DIFFC_BENCH_ADOLC
  return adolcImpls([steps](const adouble *p) { return objective<adouble>(p, steps); }, x, tag);
#else
  (void)x;
  (void)steps;
  (void)tag; // built without ADOL-C: no such peer
  return {};
#endif
}

} // namespace diffc::bench::projectile
