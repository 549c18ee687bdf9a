#include "driver/Options.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include <map>
#include <set>

namespace diffc::driver {

namespace {
// Flags that take a value, and flags that are switches, across all commands.
// Only flags some command reads are accepted: an option that would be silently ignored is an
// error instead.
const std::set<std::string> kValued = {"fn",  "wrt",        "inputs", "o",     "header",
                                       "e",   "tol",        "seed",   "sizes", "runs",
                                       "opt", "dump-after", "prefix", "cpu",   "max-memory"};
const std::set<std::string> kSwitches = {"grad",      "jvp",       "no-opt",  "interp",
                                         "fast-math", "help",      "no-grad", "hessian",
                                         "jacobian",  "check-nan", "no-cache"};
// The options each command reads (besides --help): another known option given to it would be
// silently ignored (`run --tol`, `check --fn`), so it is an error too.
const std::map<std::string, std::set<std::string>> kPerCommand = {
    {"check", {}},
    {"ir", {"fn", "grad", "jvp", "wrt", "no-opt", "dump-after"}},
    {"llvm", {"fn", "grad", "wrt", "no-opt", "fast-math", "check-nan"}},
    {"run",
     {"fn", "grad", "wrt", "inputs", "interp", "hessian", "jacobian", "no-opt", "fast-math",
      "check-nan", "no-cache", "max-memory"}},
    {"gradcheck",
     {"fn", "inputs", "wrt", "tol", "seed", "sizes", "interp", "fast-math", "no-cache"}},
    {"build",
     {"o", "header", "fn", "prefix", "wrt", "no-grad", "opt", "fast-math", "cpu", "no-opt"}},
    {"derive", {"e", "wrt"}},
    {"bench", {"fn", "inputs", "runs", "wrt", "fast-math", "check-nan", "no-cache"}},
};

/// The first option given that `command` does not read, as an error message (empty if none).
std::string checkApplies(const Options &o) {
  auto it = kPerCommand.find(o.command);
  if (it == kPerCommand.end())
    return {}; // an unknown command is reported by the caller
  auto bad = [&](const std::string &name) { return name != "help" && !it->second.count(name); };
  for (const std::string &name : o.switches)
    if (bad(name))
      return fmt::format("option '--{}' does not apply to 'diffc {}'", name, o.command);
  for (const auto &[name, value] : o.values)
    if (bad(name))
      return fmt::format("option '{}{}' does not apply to 'diffc {}'", name.size() > 1 ? "--" : "-",
                         name, o.command);
  return {};
}
} // namespace

bool Options::has(const std::string &name) const {
  for (const std::string &s : switches)
    if (s == name)
      return true;
  return values.count(name) != 0;
}

std::optional<std::string> Options::get(const std::string &name) const {
  auto it = values.find(name);
  if (it == values.end())
    return std::nullopt;
  return it->second;
}

std::vector<std::string> Options::list(const std::string &name) const {
  std::vector<std::string> out;
  auto v = get(name);
  if (!v)
    return out;
  std::string cur;
  for (char c : *v) {
    if (c == ',') {
      if (!cur.empty())
        out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

std::string parseOptions(int argc, char **argv, Options &out) {
  if (argc < 2)
    return "missing command";
  out.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-") {
      if (!out.file.empty())
        return fmt::format("unexpected argument '{}'", a);
      out.file = a;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a.substr(a[1] == '-' ? 2 : 1);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (name == "h")
        name = "help";
      if (kSwitches.count(name)) {
        if (value)
          return fmt::format("option '--{}' takes no value", name);
        out.switches.push_back(name);
        continue;
      }
      if (!kValued.count(name))
        return fmt::format("unknown option '{}'", a);
      if (!value) {
        if (i + 1 >= argc)
          return fmt::format("option '{}' needs a value", a);
        value = argv[++i];
      }
      out.values[name] = *value;
      continue;
    }
    if (!out.file.empty())
      return fmt::format("unexpected argument '{}'", a);
    out.file = a;
  }
  return checkApplies(out);
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return v;
}

std::optional<double> parseNumber(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

} // namespace diffc::driver
