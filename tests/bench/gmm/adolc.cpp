// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#ifdef DIFFC_BENCH_ADOLC
#include <adolc/adolc.h>
#endif

namespace diffc::bench::gmm {

std::vector<Impl> adolc(std::shared_ptr<const Data> dat, short tag) {
#ifdef DIFFC_BENCH_ADOLC
  return adolcImpls([dat](const adouble *p) { return objective<adouble>(*dat, p); }, dat->params,
                    tag);
#else
  (void)dat;
  (void)tag; // built without ADOL-C: no such peer
  return {};
#endif
}

} // namespace diffc::bench::gmm
