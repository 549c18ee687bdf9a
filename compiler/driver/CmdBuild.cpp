// `diffc build FILE -o OUT.o [--header OUT.h] [--fn F,G] [--prefix P] [--no-grad] [--wrt a,b]
// [--opt N] [--fast-math] [--cpu NAME]`: ahead-of-time compilation. The object holds one C entry
// point per function of FILE (or per --fn), named PREFIX + name, and for each of them with one
// scalar float result a second entry point PREFIX + name + "_grad" returning the value and the
// gradient with respect to every float parameter (or those in --wrt). The header declares them
// (calling convention: diffc/abi.h). The object needs only the diffc_rt library and libm, never
// LLVM. It is tuned for this machine's CPU unless --cpu names another (LLVM's names: x86-64,
// x86-64-v3).
#include "codegen/Build.h"
#include "codegen/Codegen.h"
#include "driver/Commands.h"
#include "driver/Pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

namespace diffc::driver {

namespace {

/// The functions to export: those named by --fn, else every function written in the source
/// (AD-generated ones have a '.' in their name and stay internal).
std::optional<std::vector<ir::Function *>> selectFunctions(const Session &s, const Options &o) {
  std::vector<ir::Function *> out;
  std::vector<std::string> names = o.list("fn");
  if (!names.empty()) {
    for (const std::string &n : names) {
      ir::Function *f = findFunction(s, n);
      if (!f)
        return std::nullopt;
      out.push_back(f);
    }
    return out;
  }
  for (const auto &f : s.module->functions)
    if (f->name.find('.') == std::string::npos && codegen::hasEntryPoint(*f))
      out.push_back(f.get());
  return out;
}

bool hasScalarFloatResult(const ir::Function &f) {
  return !f.resultIsTuple && f.resultTypes.size() == 1 && f.resultTypes[0].isScalar() &&
         f.resultTypes[0].isFloat();
}

/// An include guard from the header's file name: "out/logistic.h" -> "LOGISTIC_H".
std::string guardFor(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1), g;
  for (char c : base)
    g += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  if (g.empty() || std::isdigit(static_cast<unsigned char>(g[0])))
    g = "DIFFC_" + g;
  return g;
}

std::optional<unsigned> optLevel(const Options &o) {
  auto v = o.get("opt");
  if (!v)
    return 2;
  if (v->size() == 1 && (*v)[0] >= '0' && (*v)[0] <= '3')
    return static_cast<unsigned>((*v)[0] - '0');
  reportError("diffc build", fmt::format("--opt takes 0, 1, 2 or 3, not '{}'", *v));
  return std::nullopt;
}

} // namespace

int cmdBuild(const Options &o) {
  if (o.file.empty() || !o.get("o")) {
    reportError("diffc build", o.file.empty() ? "missing FILE" : "missing -o OUT.o");
    return 1;
  }
  auto level = optLevel(o);
  if (!level)
    return 1;
  if (o.has("no-grad") && o.get("wrt")) { // --wrt picks gradients that --no-grad leaves out
    reportError("diffc build", "--wrt and --no-grad cannot be combined");
    return 1;
  }
  bool optimize = !o.has("no-opt");
  Session s;
  if (!compileFile(o.file, s, optimize))
    return 1;
  auto selected = selectFunctions(s, o);
  if (!selected)
    return 1;
  std::string prefix = o.get("prefix").value_or("");
  // Entry symbols per function of the module; the gradients are added to the module first, so
  // that every function exists before symbols are assigned.
  std::vector<std::pair<ir::Function *, std::string>> exports;
  for (ir::Function *f : *selected) {
    if (!codegen::hasEntryPoint(*f)) {
      reportError(s.file->name(), fmt::format("'{}' cannot be called from C", f->name));
      return 1;
    }
    std::string base = prefix + codegen::sanitizeSymbol(f->name);
    exports.emplace_back(f, base);
    if (o.has("no-grad") || !hasScalarFloatResult(*f))
      continue;
    ir::Function *g = gradientOf(s, *f, o.list("wrt"), optimize);
    if (!g) {
      reportError(
          "diffc build",
          fmt::format("cannot differentiate '{}' (--no-grad builds the functions only)", f->name));
      return 1;
    }
    exports.emplace_back(g, base + "_grad");
  }
  // Two exports can sanitize to one symbol (`f` and `f_grad` written in the source as well as
  // the gradient of `f`): functions written in the source keep their names and the gradient gets
  // a numeric suffix, which the header shows.
  std::stable_partition(exports.begin(), exports.end(), [&](const auto &e) {
    return std::find(selected->begin(), selected->end(), e.first) != selected->end();
  });
  std::set<std::string> used;
  std::vector<std::string> symbols(s.module->functions.size());
  for (auto &[fn, sym] : exports) {
    // `fn double(...)` cannot be declared in C as `double`: it becomes `double_`.
    if (codegen::isCKeyword(sym))
      sym += "_";
    std::string unique = sym;
    for (int k = 2; !used.insert(unique).second; ++k)
      unique = fmt::format("{}_{}", sym, k);
    for (size_t i = 0; i < s.module->functions.size(); ++i)
      if (s.module->functions[i].get() == fn)
        symbols[i] = unique;
  }
  codegen::CodegenOptions opts;
  opts.optLevel = *level;
  opts.fastMath = o.has("fast-math");
  try {
    std::string cpu = o.get("cpu").value_or("native");
    codegen::emitObjectNamed(*s.module, *o.get("o"), symbols, opts, cpu == "native" ? "" : cpu);
  } catch (const codegen::CodegenError &e) {
    reportError("diffc build", e.what());
    return 1;
  }
  if (auto header = o.get("header")) {
    std::ofstream out(*header, std::ios::binary);
    out << codegen::emitHeader(*s.module, symbols, guardFor(*header));
    out.close();
    if (!out) {
      reportError(*header, "cannot write the header");
      return 1;
    }
  }
  return 0;
}

} // namespace diffc::driver
