// Small helpers the samples share: finding a sample's files, central finite differences, and the
// relative error the gradient checks compare with a tolerance.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace diffc::sample {

/// The directory holding `file`: next to the executable (an installed or copied sample), else
/// `source_dir` (the directory the sample was built from). Empty when neither has it.
std::string findSampleFile(const std::string &file, const std::string &source_dir);

/// (f(x + h) - f(x - h)) / 2h, perturbing `x` in place and restoring it exactly.
double centralDifference(const std::function<double()> &f, double &x, double h);

/// |a - b| / max(|a|, |b|, floor): relative where the values are large, absolute below `floor`
/// (where a finite difference's rounding noise would make a tiny gradient look wrong).
double relativeError(double a, double b, double floor);

/// splitmix64: a tiny generator whose output is fixed by its definition; returns the next number
/// and advances `state`.
uint64_t nextRandom(uint64_t &state);

/// A small seeded generator (splitmix64) with uniform and normal draws: the same numbers on every
/// platform, unlike the distributions of <random>.
class Rng {
public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform(); // in (0, 1)
  double normal();  // standard normal (Box-Muller)

private:
  uint64_t state_;
};

} // namespace diffc::sample
