// ADOL-C tapes the same templated objective the hand-written value uses.
#include "objective.h"

#include <adolc/adolc.h>

namespace diffc::bench::mlp {

std::vector<Impl> adolc(std::shared_ptr<const Data> dat, short tag) {
  return adolcImpls([dat](const adouble *p) { return objective<adouble>(*dat, p); }, dat->params,
                    tag);
}

} // namespace diffc::bench::mlp
