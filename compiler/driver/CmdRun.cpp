#include "driver/Commands.h"
#include "driver/Executor.h"
#include "driver/HigherOrder.h"
#include "driver/Inputs.h"
#include "driver/Pipeline.h"
#include "interp/JsonIO.h"

#include <fmt/format.h>

#include <iostream>

namespace diffc::driver {

namespace {

/// `{"value": V}` or `{"value": V, "grad": {...}}` for one run.
std::string runOne(Executor &ex, const ir::Function &f, const ir::Function *g,
                   const HigherOrderPlan *plan, const nlohmann::json &inputs,
                   const std::string &where) {
  std::vector<interp::Tensor> args = bindCommandLineInputs(f, inputs, where);
  const ir::Function &target = g ? *g : f;
  std::string higher = plan ? ", " + higherOrderJson(ex, *plan, args) : std::string();
  std::vector<interp::Tensor> out = ex.call(target, std::move(args));
  std::string value;
  size_t nvalues = f.resultTypes.size();
  if (f.resultIsTuple) {
    value = "[";
    for (size_t i = 0; i < nvalues; ++i)
      value += (i ? ", " : "") + interp::formatValue(out[i]);
    value += "]";
  } else {
    value = interp::formatValue(out[0]);
  }
  std::string r = "{\"value\": " + value;
  if (g) {
    r += ", \"grad\": {";
    for (size_t i = nvalues; i < out.size(); ++i) {
      std::string name = i < g->resultNames.size() ? g->resultNames[i] : fmt::format("#{}", i);
      if (name.rfind("d_", 0) == 0)
        name = name.substr(2);
      r += fmt::format("{}\"{}\": {}", i > nvalues ? ", " : "", name, interp::formatValue(out[i]));
    }
    r += "}";
  }
  return r + higher + "}";
}

} // namespace

int cmdRun(const Options &o) {
  if (o.file.empty() || !o.get("fn")) {
    reportError("diffc run", o.file.empty() ? "missing FILE" : "missing --fn F");
    return 1;
  }
  if (o.get("inputs") == "-" && o.file == "-") {
    reportError("diffc run", "the program and the inputs cannot both come from standard input");
    return 1;
  }
  Session s;
  if (!compileFile(o.file, s, !o.has("no-opt")))
    return 1;
  ir::Function *f = findFunction(s, *o.get("fn"));
  if (!f)
    return 1;
  ir::Function *g = nullptr;
  std::optional<HigherOrderPlan> plan;
  if (o.has("hessian") || o.has("jacobian")) {
    if (o.has("hessian") && o.has("jacobian")) {
      reportError("diffc run", "--hessian and --jacobian cannot be combined");
      return 1;
    }
    plan.emplace();
    if (!planHigherOrder(s, *f, o.list("wrt"), o.has("hessian"), !o.has("no-opt"), *plan))
      return 1;
  }
  if (o.has("grad")) {
    g = gradientOf(s, *f, o.list("wrt"), !o.has("no-opt"));
    if (!g)
      return 1;
  } else if (o.get("wrt") && !plan) {
    reportError("diffc run", "--wrt needs --grad, --hessian or --jacobian");
    return 1;
  }
  auto inputs = readInputs(o.get("inputs"));
  if (!inputs)
    return 1;
  std::string inputsName = o.get("inputs").value_or("<no inputs>");
  if (inputsName == "-")
    inputsName = "<stdin>";
  // Only the function that runs needs machine code (`run --grad` never calls f itself); the
  // higher-order plans call functions of their own.
  std::vector<std::string> entries;
  if (!plan)
    entries.push_back(g ? g->name : f->name);
  auto ex = Executor::create(s, o, entries);
  if (!ex)
    return 1;
  auto one = [&](const nlohmann::json &j, const std::string &where) -> std::optional<std::string> {
    if (!j.is_object()) {
      reportError(where, "each input set must be a JSON object mapping parameter names to values");
      return std::nullopt;
    }
    try {
      return runOne(*ex, *f, g, plan ? &*plan : nullptr, j, where);
    } catch (const interp::InputError &e) {
      reportError(where, e.what());
    } catch (const interp::RuntimeError &e) {
      reportRuntimeError(s, e);
      if (inputs->is_array())
        noteInputSet(where);
    }
    return std::nullopt;
  };
  if (inputs->is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < inputs->size(); ++i) {
      auto r = one((*inputs)[i], fmt::format("{}: input set {}", inputsName, i));
      if (!r)
        return 1;
      out += (i ? ",\n " : "") + *r;
    }
    std::cout << out << "]\n";
    return 0;
  }
  auto r = one(*inputs, inputsName);
  if (!r)
    return 1;
  std::cout << *r << "\n";
  return 0;
}

} // namespace diffc::driver
