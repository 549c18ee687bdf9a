// The digits command line, and where the sample finds mlp.diff and its data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace diffc::sample {

struct Options {
  int epochs = 30;
  std::string optimizer = "adam"; // "adam" or "sgd" (with momentum)
  std::string out_dir = "digits-out";
  int64_t batch = 32;
  int64_t hidden = 64;
  double lr = 0; // 0: the default, Adam 3e-3 or SGD 0.05 (tuned on this data, see README.md)
  uint64_t seed = 1;
  double min_accuracy = 0.95; // exit status 1 when the final test accuracy is below this
  std::string sample_dir;     // holds mlp.diff and data/digits.csv; found when empty
};

/// Parses argv; prints usage and returns nullopt on --help (exit 0) or an error (exit 2, with
/// `*exit_code` set accordingly).
std::optional<Options> parseOptions(int argc, char **argv, int *exit_code);

/// The directory holding mlp.diff and data/digits.csv: next to the executable (an installed or
/// copied sample), else the source directory this binary was built from. Empty when neither has
/// them.
std::string findSampleDir();

} // namespace diffc::sample
