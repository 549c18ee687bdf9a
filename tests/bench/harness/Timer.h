// Interleaved timing: every function of a problem is sampled in turn (a, b, c, a, b, c, ...) so
// that all of them see the same machine state, which on a shared machine matters more than the
// number of samples. Ratios are taken between figures of the same run.
#pragma once

#include <functional>
#include <vector>

namespace diffc::bench {

struct Timing {
  double best_ns = 0;   // fastest sample (per call): the least disturbed figure
  double median_ns = 0; // median sample (per call)
  int samples = 0;
  long reps = 0; // calls per sample
};

/// Times each function: calibrates calls per sample so that a sample lasts at least
/// `sample_s`, then samples round-robin until `budget_s` has passed and each function has at
/// least `min_samples` samples.
std::vector<Timing> timeInterleaved(const std::vector<std::function<void()>> &fns, double budget_s,
                                    double sample_s = 0.002, int min_samples = 5);

} // namespace diffc::bench
