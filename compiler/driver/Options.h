// Command-line options of the `diffc` driver: `diffc COMMAND [FILE] [--flag [value]]...`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc::driver {

struct Options {
  std::string command;
  std::string file;                          // the positional argument, if any
  std::map<std::string, std::string> values; // --flag value / --flag=value / -o value
  std::vector<std::string> switches;         // --flag without a value

  bool has(const std::string &name) const;
  std::optional<std::string> get(const std::string &name) const;
  /// Comma-separated list (`--wrt a,b`), empty when absent.
  std::vector<std::string> list(const std::string &name) const;
};

/// Parses argv. Flags that take a value are listed per command in Options.cpp; an unknown flag or
/// a missing value is an error message (empty on success).
std::string parseOptions(int argc, char **argv, Options &out);

/// The whole of `text` as a decimal integer (an optional '-', then digits) in int64's range;
/// nullopt otherwise (`3abc`, `1e3`, an empty string, 2^63).
std::optional<int64_t> parseInteger(std::string_view text);
/// The whole of `text` as a finite number (`1e-6`, `0.5`); nullopt otherwise (`nan`, `1e-3x`).
std::optional<double> parseNumber(std::string_view text);

} // namespace diffc::driver
