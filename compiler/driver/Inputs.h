// Reading `--inputs FILE.json` (or `-` for standard input) for `run`, `gradcheck` and `bench`.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace diffc::driver {

/// Parses the inputs file; reports malformed JSON (with line and column) and returns nullopt.
/// Without --inputs the result is an empty object.
std::optional<nlohmann::json> readInputs(const std::optional<std::string> &path);

} // namespace diffc::driver
