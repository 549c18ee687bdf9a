// Reading `--inputs FILE.json` (or `-` for standard input) for `run`, `gradcheck` and `bench`.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace diffc::driver {

/// Parses the inputs file; reports malformed JSON (with line and column) and returns nullopt.
/// Without --inputs the result is an empty object.
std::optional<nlohmann::json> readInputs(const std::optional<std::string> &path);

/// Parses inputs text read from `name`; on malformed JSON (or JSON that is neither an object nor
/// an array) returns nullopt with `error` set to a diagnostic ("NAME:LINE:COL: error: ..." or
/// "NAME: error: ..."), without printing it.
std::optional<nlohmann::json> parseInputs(const std::string &text, const std::string &name,
                                          std::string &error);

} // namespace diffc::driver
