// The ADOL-C implementations of a problem, from the case's objective templated on the scalar
// type (the same template the hand-written value uses, instantiated with adouble):
//   "adolc"        replays a tape recorded once (zos_forward + fos_reverse): ADOL-C's best case,
//                  valid here because no case's control flow depends on the point;
//   "adolc_retape" records the tape and then replays it, what a program pays when its control
//                  flow may change between calls.
// Built without ADOL-C (DIFFC_BENCH_ADOLC undefined), every case has no ADOL-C implementation.
// Tape buffers are sized from a first recording so that the tape stays in memory (ADOL-C writes
// tapes larger than its default buffers to files). The tape is recorded at the first call and
// removed by release(), so that only the problem being timed has a tape (ADOL-C's replay of a
// small tape slowed down severalfold while the tapes of larger problems were held).
#pragma once

#include "Problem.h"

#ifdef DIFFC_BENCH_ADOLC
#include <adolc/adouble.h>
#endif

namespace diffc::bench {

/// The value of an active scalar as a constant (for a shift that does not change the derivative,
/// like the maximum in logsumexp).
inline double passive(double v) { return v; }

#ifdef DIFFC_BENCH_ADOLC
using AdolcObjective = std::function<adouble(const adouble *x)>;

/// Both ADOL-C implementations of the objective at `x`; `tag` names the tape (one per problem).
std::vector<Impl> adolcImpls(AdolcObjective objective, const std::vector<double> &x, short tag);

inline double passive(const adouble &v) { return v.getValue(); }
#endif

} // namespace diffc::bench
