#include "Timer.h"

#include <algorithm>
#include <chrono>

namespace diffc::bench {

namespace {

using Clock = std::chrono::steady_clock;

double secondsFor(const std::function<void()> &f, long reps) {
  auto t0 = Clock::now();
  for (long i = 0; i < reps; ++i)
    f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

std::vector<Timing> timeInterleaved(const std::vector<std::function<void()>> &fns, double budget_s,
                                    double sample_s, int min_samples) {
  std::vector<Timing> out(fns.size());
  std::vector<std::vector<double>> samples(fns.size());
  for (size_t i = 0; i < fns.size(); ++i) {
    fns[i](); // warm up: first touch of memory, lazy compilation
    double one = std::min(secondsFor(fns[i], 1), secondsFor(fns[i], 1));
    out[i].reps = std::clamp(static_cast<long>(sample_s / std::max(one, 1e-9)), 1L, 1000000L);
  }
  auto start = Clock::now();
  for (int round = 0;; ++round) {
    for (size_t i = 0; i < fns.size(); ++i)
      samples[i].push_back(secondsFor(fns[i], out[i].reps) / out[i].reps * 1e9);
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (round + 1 >= min_samples && (elapsed > budget_s || round + 1 >= 1000))
      break;
  }
  for (size_t i = 0; i < fns.size(); ++i) {
    auto &s = samples[i];
    std::sort(s.begin(), s.end());
    out[i].best_ns = s.front();
    out[i].median_ns = s[s.size() / 2];
    out[i].samples = static_cast<int>(s.size());
  }
  return out;
}

} // namespace diffc::bench
