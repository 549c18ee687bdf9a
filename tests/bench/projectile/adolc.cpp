// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#include <adolc/adolc.h>

namespace diffc::bench::projectile {

std::vector<Impl> adolc(const std::vector<double> &x, long steps, short tag) {
  return adolcImpls([steps](const adouble *p) { return objective<adouble>(p, steps); }, x, tag);
}

} // namespace diffc::bench::projectile
