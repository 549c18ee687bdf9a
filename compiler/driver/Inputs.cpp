#include "driver/Inputs.h"

#include "support/SourceFile.h"

#include <fmt/format.h>

#include <iostream>

namespace diffc::driver {

std::optional<nlohmann::json> readInputs(const std::optional<std::string> &path) {
  if (!path)
    return nlohmann::json::object();
  const std::string name = *path == "-" ? "<stdin>" : *path;
  std::string why;
  std::optional<std::string> text = *path == "-"
                                        ? readStream(std::cin, kMaxInputsBytes, &why, "inputs")
                                        : readFile(*path, kMaxInputsBytes, &why, "inputs file");
  if (!text) {
    std::cerr << fmt::format("{}: error: {}\n", name, why);
    return std::nullopt;
  }
  std::string error;
  auto j = parseInputs(*text, name, error);
  if (!j)
    std::cerr << error;
  return j;
}

std::optional<nlohmann::json> parseInputs(const std::string &text, const std::string &name,
                                          std::string &error) {
  try {
    // No exceptions from the parser: a parse error carries the byte offset, turned into line:col.
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/true,
                                             /*ignore_comments=*/false);
    if (!j.is_object() && !j.is_array()) {
      error = fmt::format("{}: error: inputs must be a JSON object mapping parameter names to "
                          "values, or an array of such objects\n",
                          name);
      return std::nullopt;
    }
    return j;
  } catch (const nlohmann::json::parse_error &e) {
    size_t off = e.byte > 0 ? e.byte - 1 : 0;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at ...: ".
    if (auto p = what.find(": "); p != std::string::npos && what.rfind("[json", 0) == 0)
      what = what.substr(p + 2);
    error = fmt::format("{}:{}:{}: error: malformed JSON: {}\n", name, line, col, what);
    return std::nullopt;
  } catch (const nlohmann::json::exception &e) {
    // Not a syntax error but still unreadable input, e.g. out_of_range.406 for `1e400`; it has no
    // byte offset.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos && what.rfind("[json", 0) == 0)
      what = what.substr(p + 2);
    error = fmt::format("{}: error: malformed JSON: {}\n", name, what);
    return std::nullopt;
  }
}

std::vector<interp::Tensor> bindCommandLineInputs(const ir::Function &fn, const nlohmann::json &obj,
                                                  const std::string &where) {
  std::vector<std::string> ignored;
  std::vector<interp::Tensor> args = interp::bindInputs(fn, obj, &ignored);
  for (const std::string &key : ignored)
    std::cerr << fmt::format("{}: warning: input '{}' is not a parameter of '{}'; ignored\n", where,
                             key, fn.name);
  return args;
}

void noteInputSet(const std::string &where) {
  std::cerr << fmt::format("{}: note: on this input set\n", where);
}

} // namespace diffc::driver
