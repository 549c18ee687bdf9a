// Small helpers the cases share: nested JSON arrays of row-major data (the PyTorch runner's
// inputs), whitespace-separated number files (the ADBench inputs) and a seeded generator.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace diffc::bench {

/// `data` (row-major, of `shape`) as nested JSON arrays; a number for rank 0.
nlohmann::json tensorJson(const double *data, const std::vector<int64_t> &shape);

/// Every number of a whitespace-separated text file, in order; exits with a message when the
/// file cannot be read.
std::vector<double> readNumbers(const std::string &path);

/// `count` numbers uniform in [lo, hi) from a fixed seed.
std::vector<double> uniform(size_t count, double lo, double hi, uint32_t seed);

} // namespace diffc::bench
