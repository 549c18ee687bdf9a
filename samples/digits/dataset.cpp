#include "dataset.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace diffc::sample {

Digits loadDigits(const std::string &path) {
  std::ifstream f(path);
  if (!f)
    throw std::runtime_error("cannot open " + path);
  Digits d;
  std::string line;
  int lineNo = 0;
  while (std::getline(f, line)) {
    ++lineNo;
    if (line.empty())
      continue;
    std::istringstream row(line);
    std::string cell;
    std::vector<int> values;
    while (std::getline(row, cell, ','))
      values.push_back(std::stoi(cell));
    if (values.size() != Digits::kPixels + 1 || values.back() < 0 ||
        values.back() >= Digits::kClasses)
      throw std::runtime_error(path + ":" + std::to_string(lineNo) +
                               ": expected 64 pixel counts and a label 0-9");
    // The counts are 0..16 (pixels set in a 4x4 block of the 32x32 original); [0, 1] inputs keep
    // the first layer's pre-activations at the scale its initialisation assumes.
    for (int64_t p = 0; p < Digits::kPixels; ++p)
      d.X.push_back(values[static_cast<size_t>(p)] / 16.0);
    d.labels.push_back(values.back());
  }
  if (d.labels.empty())
    throw std::runtime_error(path + ": no rows");
  return d;
}

void shuffleIndices(std::vector<int64_t> &idx, uint64_t &rng_state) {
  for (size_t i = idx.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(nextRandom(rng_state) % i); // bias ~1e-16 for n < 2^11
    std::swap(idx[i - 1], idx[j]);
  }
}

Split splitTrainTest(const Digits &all, double test_fraction, uint64_t seed) {
  std::vector<int64_t> idx(static_cast<size_t>(all.size()));
  for (size_t i = 0; i < idx.size(); ++i)
    idx[i] = static_cast<int64_t>(i);
  shuffleIndices(idx, seed);
  auto nTest = static_cast<size_t>(std::lround(test_fraction * static_cast<double>(idx.size())));
  Split s;
  for (size_t k = 0; k < idx.size(); ++k) {
    Digits &to = k < nTest ? s.test : s.train;
    const double *row = all.X.data() + idx[k] * Digits::kPixels;
    to.X.insert(to.X.end(), row, row + Digits::kPixels);
    to.labels.push_back(all.labels[static_cast<size_t>(idx[k])]);
  }
  return s;
}

} // namespace diffc::sample
