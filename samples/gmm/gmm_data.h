// An ADBench GMM instance (data/README.md describes the file format) and the plain C++ objective
// the sample checks diffc's value against.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace diffc::sample {

struct GmmInstance {
  int64_t d = 0, k = 0, n = 0;
  std::vector<double> alphas; // [K]
  std::vector<double> means;  // [K, D]
  std::vector<double> icf;    // [K, D (D + 1) / 2]: log-diagonal, then strict lower triangle
  std::vector<double> x;      // [N, D]
  double gamma = 0;
  int64_t m = 0;
  int64_t icfSize() const { return d * (d + 1) / 2; }
  /// Number of parameters ADBench differentiates: alphas, means and icf.
  size_t paramCount() const { return alphas.size() + means.size() + icf.size(); }
};

/// Reads an ADBench `gmm_d<D>_K<K>.txt` file (whitespace-separated numbers). Throws
/// std::runtime_error naming the file on a short or malformed file. Replicate-point files (one
/// point line for a large n) are not supported.
GmmInstance readGmmInstance(const std::string &path);

/// Reads whitespace-separated numbers (an ADBench reference F or J file).
std::vector<double> readNumbers(const std::string &path);

/// The ADBench objective computed directly in C++ with long-double accumulation, independently of
/// diffc and gmm.diff: the oracle for the value.
double gmmObjectiveReference(const GmmInstance &g);

} // namespace diffc::sample
