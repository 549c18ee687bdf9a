// The 8x8 handwritten digits (UCI, see data/README.md): loading and a deterministic train/test
// split.
#pragma once

#include "sample_util.h" // nextRandom: the splitmix64 generator the samples share

#include <cstdint>
#include <string>
#include <vector>

namespace diffc::sample {

struct Digits {
  static constexpr int64_t kPixels = 64; // 8 x 8, row-major
  static constexpr int64_t kClasses = 10;
  std::vector<double> X;       // n x kPixels, pixel counts 0..16 scaled to [0, 1]
  std::vector<int64_t> labels; // n, 0..9
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

/// Reads the CSV (per row: 64 pixel counts, then the label). Throws std::runtime_error naming the
/// file and line on a malformed row.
Digits loadDigits(const std::string &path);

struct Split {
  Digits train, test;
};

/// Shuffles the rows with a generator seeded by `seed` and puts the first round(test_fraction * n)
/// into `test`. The same seed gives the same split on every platform (the shuffle is written here,
/// not std::shuffle, whose algorithm the standard leaves open).
Split splitTrainTest(const Digits &all, double test_fraction, uint64_t seed);

/// A permutation of 0..n-1, shuffled with `rng`'s next draws (Fisher-Yates).
void shuffleIndices(std::vector<int64_t> &idx, uint64_t &rng_state);

} // namespace diffc::sample
