// Reading `--inputs FILE.json` (or `-` for standard input) for `run`, `gradcheck` and `bench`.
#pragma once

#include "interp/JsonIO.h"

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

/// interp::bindInputs for the command line: a member that is not a parameter of fn is ignored
/// with a warning at `where` (one inputs file may serve several functions of a module).
std::vector<interp::Tensor> bindCommandLineInputs(const ir::Function &fn, const nlohmann::json &obj,
                                                  const std::string &where);

/// After a runtime fault in one input set of a batch (`--inputs` holding an array), names that set.
void noteInputSet(const std::string &where);

} // namespace diffc::driver
