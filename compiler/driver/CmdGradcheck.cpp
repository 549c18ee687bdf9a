// `diffc gradcheck`: the gradient diffc derives against central finite differences of the function
// itself, parameter by parameter, at the given inputs or at seeded random ones.
#include "driver/Commands.h"
#include "driver/Executor.h"
#include "driver/Inputs.h"
#include "driver/Pipeline.h"
#include "interp/Interpreter.h"
#include "interp/JsonIO.h"
#include "ir/SizeInference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <random>

namespace diffc::driver {

namespace {

/// Random arguments for fn: sizes from --sizes (default 3), floats uniform in [-1, 1], integers 0.
std::optional<std::vector<interp::Tensor>> randomArgs(const ir::Function &fn, const Options &o,
                                                      uint64_t seed) {
  std::vector<int64_t> sizes(fn.sizeParams.size(), 3);
  for (const std::string &kv : o.list("sizes")) {
    auto eq = kv.find('=');
    bool found = false;
    if (eq != std::string::npos)
      for (size_t i = 0; i < fn.sizeParams.size(); ++i)
        if (fn.sizeParams[i] == kv.substr(0, eq)) {
          try {
            sizes[i] = std::stoll(kv.substr(eq + 1));
            found = sizes[i] >= 0;
          } catch (const std::exception &) {
          }
        }
    if (!found) {
      reportError("--sizes", fmt::format("expected NAME=COUNT with NAME a size parameter of '{}', "
                                         "got '{}'",
                                         fn.name, kv));
      return std::nullopt;
    }
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<interp::Tensor> args;
  for (ir::Value *p : fn.params()) {
    auto shape = ir::evalShape(p->type.shape, sizes);
    if (!shape) {
      reportError("--sizes", fmt::format("parameter '{}' of type {} has no valid shape for these "
                                         "sizes",
                                         p->name, p->type.str(fn.sizeParams)));
      return std::nullopt;
    }
    interp::Tensor t = interp::Tensor::zeros(p->type.elem, *shape);
    if (p->type.isFloat())
      for (double &x : t.data)
        x = p->type.elem == ir::ElemType::F32 ? static_cast<float>(u(rng)) : u(rng);
    args.push_back(std::move(t));
  }
  return args;
}

struct ParamReport {
  std::string name;
  size_t checked = 0, total = 0;
  double maxAbs = 0, maxRel = 0;
};

} // namespace

int cmdGradcheck(const Options &o) {
  if (o.file.empty() || !o.get("fn")) {
    reportError("diffc gradcheck", o.file.empty() ? "missing FILE" : "missing --fn F");
    return 1;
  }
  double tol = 1e-6;
  if (auto t = o.get("tol")) {
    try {
      tol = std::stod(*t);
    } catch (const std::exception &) {
      reportError("--tol", "expected a number");
      return 1;
    }
  }
  Session s;
  if (!compileFile(o.file, s, true))
    return 1;
  ir::Function *f = findFunction(s, *o.get("fn"));
  if (!f)
    return 1;
  ir::Function *g = gradientOf(s, *f, o.list("wrt"), true);
  if (!g)
    return 1;
  std::vector<interp::Tensor> x;
  std::string where;
  if (o.get("inputs")) {
    auto inputs = readInputs(o.get("inputs"));
    if (!inputs)
      return 1;
    where = *o.get("inputs");
    if (!inputs->is_object()) {
      reportError(where, "gradcheck takes one JSON object of inputs");
      return 1;
    }
    try {
      x = interp::bindInputs(*f, *inputs);
    } catch (const interp::InputError &e) {
      reportError(where, e.what());
      return 1;
    }
  } else {
    uint64_t seed = 1;
    if (auto sd = o.get("seed"))
      seed = std::strtoull(sd->c_str(), nullptr, 10);
    auto r = randomArgs(*f, o, seed);
    if (!r)
      return 1;
    x = std::move(*r);
    where = fmt::format("random inputs (seed {})", seed);
  }

  auto ex = Executor::create(s, o);
  if (!ex)
    return 1;
  Executor &in = *ex;
  try {
    std::vector<interp::Tensor> ga = in.call(*g, x);
    auto value = [&](std::vector<interp::Tensor> args) { return in.call(*f, std::move(args))[0].item(); };
    // Which parameters the gradient has, in order (its results after the value).
    std::vector<size_t> wrtIdx;
    for (size_t r = 1; r < g->resultNames.size(); ++r)
      for (size_t i = 0; i < f->params().size(); ++i)
        if (g->resultNames[r] == "d_" + f->params()[i]->name)
          wrtIdx.push_back(i);
    if (wrtIdx.size() + 1 != ga.size())
      throw InternalError("gradcheck: cannot match gradient results to parameters");
    const double eps = std::cbrt(std::numeric_limits<double>::epsilon());
    const size_t maxChecks = 2000; // per parameter; larger ones are sampled evenly
    std::vector<ParamReport> reports;
    bool ok = true;
    for (size_t r = 0; r < wrtIdx.size(); ++r) {
      size_t pi = wrtIdx[r];
      ParamReport rep;
      rep.name = f->params()[pi]->name;
      rep.total = x[pi].size();
      size_t stride = rep.total > maxChecks ? (rep.total + maxChecks - 1) / maxChecks : 1;
      for (size_t j = 0; j < rep.total; j += stride) {
        double x0 = x[pi].data[j];
        double h = eps * std::max(1.0, std::abs(x0));
        auto xp = x, xm = x;
        xp[pi].data[j] = x0 + h;
        xm[pi].data[j] = x0 - h;
        double fd = (value(xp) - value(xm)) / ((x0 + h) - (x0 - h));
        double a = ga[r + 1].data[j];
        double abs = std::abs(a - fd);
        double rel = abs / std::max(1.0, std::abs(fd));
        if (!std::isfinite(a) || !std::isfinite(fd))
          rel = abs = (std::isnan(a) != std::isnan(fd) || a != fd) ? INFINITY : 0.0;
        rep.maxAbs = std::max(rep.maxAbs, abs);
        rep.maxRel = std::max(rep.maxRel, rel);
        ++rep.checked;
      }
      ok &= rep.maxRel <= tol;
      reports.push_back(rep);
    }
    std::cout << fmt::format("gradcheck {} at {}: central differences, h = {:.2e}*max(1,|x|), "
                             "tolerance {:.1e} on |g - fd| / max(1, |fd|)\n",
                             f->name, where, eps, tol);
    std::cout << fmt::format("{:<16} {:>10} {:>14} {:>14}  {}\n", "parameter", "checked",
                             "max abs err", "max rel err", "status");
    for (const ParamReport &rep : reports)
      std::cout << fmt::format("{:<16} {:>10} {:>14.3e} {:>14.3e}  {}\n", rep.name,
                               rep.checked == rep.total
                                   ? std::to_string(rep.total)
                                   : fmt::format("{}/{}", rep.checked, rep.total),
                               rep.maxAbs, rep.maxRel, rep.maxRel <= tol ? "ok" : "FAILED");
    std::cout << (ok ? "gradcheck: passed\n" : "gradcheck: FAILED\n");
    return ok ? 0 : 1;
  } catch (const interp::RuntimeError &e) {
    reportRuntimeError(s, e);
    return 1;
  }
}

} // namespace diffc::driver
