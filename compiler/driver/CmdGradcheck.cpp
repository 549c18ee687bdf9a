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
#include <functional>
#include <iostream>
#include <limits>
#include <random>
#include <set>
#include <tuple>
#include <utility>

namespace diffc::driver {

namespace {

/// The sizes --sizes gives (default 3 each); reports problems and returns nullopt.
std::optional<std::vector<int64_t>> givenSizes(const ir::Function &fn, const Options &o) {
  std::vector<int64_t> sizes(fn.sizeParams.size(), 3);
  for (const std::string &kv : o.list("sizes")) {
    auto eq = kv.find('=');
    bool found = false;
    if (eq != std::string::npos)
      for (size_t i = 0; i < fn.sizeParams.size(); ++i)
        if (fn.sizeParams[i] == kv.substr(0, eq)) {
          std::optional<int64_t> n = parseInteger(std::string_view(kv).substr(eq + 1));
          found = n && *n >= 0;
          sizes[i] = found ? *n : 0;
        }
    if (!found) {
      reportError("--sizes", fmt::format("expected NAME=COUNT with NAME a size parameter of '{}', "
                                         "got '{}'",
                                         fn.name, kv));
      return std::nullopt;
    }
  }
  return sizes;
}

/// Random arguments for fn at the given sizes: floats uniform in [-1, 1] (in [0.1, 1] when
/// `positive`), integers all `integer` (0 by default: a valid index). Nullopt when some parameter
/// has no valid shape at these sizes (a negative affine dim).
std::optional<std::vector<interp::Tensor>> randomArgs(const ir::Function &fn,
                                                      const std::vector<int64_t> &sizes,
                                                      uint64_t seed, bool positive = false,
                                                      int64_t integer = 0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(positive ? 0.1 : -1.0, 1.0);
  std::vector<interp::Tensor> args;
  for (ir::Value *p : fn.params()) {
    auto shape = ir::evalShape(p->type.shape, sizes);
    if (!shape)
      return std::nullopt;
    interp::Tensor t = interp::Tensor::zeros(p->type.elem, *shape);
    if (p->type.isFloat())
      for (double &x : t.data)
        x = p->type.elem == ir::ElemType::F32 ? static_cast<float>(u(rng)) : u(rng);
    else if (p->type.elem == ir::ElemType::I64)
      std::fill(t.data.begin(), t.data.end(), static_cast<double>(integer));
    args.push_back(std::move(t));
  }
  return args;
}

/// Size assignments to try when the default sizes make the program fault: every assignment of
/// 1..4 to each size, nearest to all-3 first. Programs often tie sizes together in ways the types
/// cannot say (gmm's T = D (D + 1) / 2 is only a comment), and random inputs must respect them.
std::vector<std::vector<int64_t>> sizeCandidates(size_t n) {
  std::vector<std::vector<int64_t>> out;
  if (n == 0 || n > 6) // 4^6 evaluations at most; beyond that --sizes is the way
    return out;
  std::vector<int64_t> cur(n, 1);
  for (;;) {
    out.push_back(cur);
    size_t i = 0;
    while (i < n && cur[i] == 4)
      cur[i++] = 1;
    if (i == n)
      break;
    ++cur[i];
  }
  auto dist = [](const std::vector<int64_t> &v) {
    int64_t d = 0;
    for (int64_t x : v)
      d += x > 3 ? x - 3 : 3 - x;
    return d;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto &a, const auto &b) { return dist(a) < dist(b); });
  return out;
}

/// Whether f (or a function it calls) computes anything in f32. Central differences of such a
/// function need a step and a tolerance sized for single precision: with the f64 step (6e-6) the
/// f32 rounding of the inputs and of the value alone is a 1e-2 relative error.
bool usesF32(const ir::Module &m, const ir::Function &f, std::set<const ir::Function *> &seen) {
  if (!seen.insert(&f).second)
    return false;
  auto isF32 = [](const ir::Value *v) { return v->type.elem == ir::ElemType::F32; };
  for (const ir::Type &t : f.resultTypes)
    if (t.elem == ir::ElemType::F32)
      return true;
  std::function<bool(const ir::Block &)> walk = [&](const ir::Block &b) {
    for (const ir::Value *a : b.args)
      if (isF32(a))
        return true;
    for (const auto &op : b.ops) {
      for (const ir::Value *r : op->results)
        if (isF32(r))
          return true;
      if (op->kind == ir::OpKind::Call)
        if (const ir::Function *callee = m.lookup(op->callee))
          if (usesF32(m, *callee, seen))
            return true;
      for (const auto &region : op->regions)
        if (walk(*region))
          return true;
    }
    return false;
  };
  return walk(*f.body);
}

/// The smallest scale the second finite-difference step follows (see checkPoint).
constexpr double kSmallScaleFloor = 1e-3;

struct ParamReport {
  std::string name;
  size_t checked = 0, total = 0;
  double maxAbs = 0, maxRel = 0;
};

/// Checks g (f's gradient) against central differences of f at x and prints the table; false
/// when some parameter is over the tolerance or the program faults (reported).
bool checkPoint(Session &s, Executor &in, const ir::Function &fref, const ir::Function &gref,
                const std::vector<interp::Tensor> &x, const std::string &where, double tol,
                bool tolGiven, bool inBatch = false) {
  const ir::Function *f = &fref, *g = &gref;
  try {
    std::vector<interp::Tensor> ga = in.call(*g, x);
    auto value = [&](std::vector<interp::Tensor> args) {
      return in.call(*f, std::move(args))[0].item();
    };
    // Which parameters the gradient has, in order (its results after the value).
    std::vector<size_t> wrtIdx;
    for (size_t r = 1; r < g->resultNames.size(); ++r)
      for (size_t i = 0; i < f->params().size(); ++i)
        if (g->resultNames[r] == "d_" + f->params()[i]->name)
          wrtIdx.push_back(i);
    if (wrtIdx.size() + 1 != ga.size())
      throw InternalError("gradcheck: cannot match gradient results to parameters");
    // The step balancing truncation (h^2) against rounding (eps / h) is cbrt(eps) of the
    // precision the function computes in; in f32 the achievable accuracy is about 1e-4, so the
    // default tolerance widens to 1e-3 (an explicit --tol still wins).
    std::set<const ir::Function *> seen;
    const bool single = usesF32(*s.module, *f, seen);
    const double eps = std::cbrt(single ? static_cast<double>(std::numeric_limits<float>::epsilon())
                                        : std::numeric_limits<double>::epsilon());
    if (single && !tolGiven)
      tol = 1e-3;
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
        // An f32 parameter holds the nearest float to x0 +- h: divide by the step it really took.
        auto stored = [&](double v) {
          return x[pi].elem == ir::ElemType::F32 ? static_cast<double>(static_cast<float>(v)) : v;
        };
        auto central = [&](double h) {
          auto xp = x, xm = x;
          xp[pi].data[j] = stored(x0 + h);
          xm[pi].data[j] = stored(x0 - h);
          return (value(xp) - value(xm)) / (xp[pi].data[j] - xm[pi].data[j]);
        };
        const double a = ga[r + 1].data[j];
        auto errors = [&](double fd) {
          double abs = std::abs(a - fd);
          double rel = abs / std::max(1.0, std::abs(fd));
          if (!std::isfinite(a) || !std::isfinite(fd))
            rel = abs = (std::isnan(a) != std::isnan(fd) || a != fd) ? INFINITY : 0.0;
          return std::pair{abs, rel};
        };
        auto [abs, rel] = errors(central(eps * std::max(1.0, std::abs(x0))));
        // A parameter much smaller than 1 (a time step dt = 1e-3) often sets the scale on which
        // the function varies; a step of eps * 1 is then a large fraction of it and the
        // truncation error (h^2 times the third derivative) dominates. Retry with a step scaled
        // to |x0| (floored at 1e-3 so that a zero still moves): both are valid difference
        // quotients and a wrong gradient matches neither, so the closer one stands.
        if (rel > tol && std::abs(x0) < 1) {
          auto [abs2, rel2] = errors(central(eps * std::max(kSmallScaleFloor, std::abs(x0))));
          if (rel2 < rel)
            std::tie(abs, rel) = std::tie(abs2, rel2);
        }
        rep.maxAbs = std::max(rep.maxAbs, abs);
        rep.maxRel = std::max(rep.maxRel, rel);
        ++rep.checked;
      }
      ok &= rep.maxRel <= tol;
      reports.push_back(rep);
    }
    std::cout << fmt::format("gradcheck {} at {}: central differences, h = {:.2e}*max(1,|x|), "
                             "tolerance {:.1e} on |g - fd| / max(1, |fd|) (for |x| < 1 also "
                             "h = {:.2e}*max({:g},|x|), the closer counts)\n",
                             f->name, where, eps, tol, eps, kSmallScaleFloor);
    std::cout << fmt::format("{:<16} {:>10} {:>14} {:>14}  {}\n", "parameter", "checked",
                             "max abs err", "max rel err", "status");
    for (const ParamReport &rep : reports)
      std::cout << fmt::format("{:<16} {:>10} {:>14.3e} {:>14.3e}  {}\n", rep.name,
                               rep.checked == rep.total
                                   ? std::to_string(rep.total)
                                   : fmt::format("{}/{}", rep.checked, rep.total),
                               rep.maxAbs, rep.maxRel, rep.maxRel <= tol ? "ok" : "FAILED");
    std::cout << (ok ? "gradcheck: passed\n" : "gradcheck: FAILED\n");
    return ok;
  } catch (const interp::RuntimeError &e) {
    reportRuntimeError(s, e);
    if (inBatch)
      noteInputSet(where);
    return false;
  }
}

} // namespace

int cmdGradcheck(const Options &o) {
  if (o.file.empty() || !o.get("fn")) {
    reportError("diffc gradcheck", o.file.empty() ? "missing FILE" : "missing --fn F");
    return 1;
  }
  double tol = 1e-6;
  bool tolGiven = o.get("tol").has_value();
  if (auto t = o.get("tol")) {
    std::optional<double> v = parseNumber(*t);
    if (!v || *v < 0) {
      reportError("--tol", fmt::format("expected a non-negative number, got '{}'", *t));
      return 1;
    }
    tol = *v;
  }
  uint64_t seed = 1;
  if (auto sd = o.get("seed")) {
    std::optional<int64_t> v = parseInteger(*sd);
    if (!v || *v < 0) {
      reportError("--seed", fmt::format("expected a non-negative integer, got '{}'", *sd));
      return 1;
    }
    seed = static_cast<uint64_t>(*v);
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
  std::vector<std::vector<interp::Tensor>> batch; // when --inputs holds an array of input sets
  std::string where;
  if (o.get("inputs")) {
    auto inputs = readInputs(o.get("inputs"));
    if (!inputs)
      return 1;
    where = *o.get("inputs") == "-" ? "<stdin>" : *o.get("inputs");
    // One object of inputs, or (as for run) an array of them, each checked in turn.
    bool isBatch = inputs->is_array();
    if (isBatch && inputs->empty()) {
      reportError(where, "the batch of input sets is empty");
      return 1;
    }
    for (size_t k = 0; k < (isBatch ? inputs->size() : 1); ++k) {
      const nlohmann::json &set = isBatch ? (*inputs)[k] : *inputs;
      std::string at = isBatch ? fmt::format("{}: input set {}", where, k) : where;
      if (!set.is_object()) {
        reportError(at, "each input set must be a JSON object mapping parameter names to values");
        return 1;
      }
      try {
        (isBatch ? batch.emplace_back() : x) = bindCommandLineInputs(*f, set, at);
      } catch (const interp::InputError &e) {
        reportError(at, e.what());
        return 1;
      }
    }
  } else {
    auto sizes = givenSizes(*f, o);
    if (!sizes)
      return 1;
    auto r = randomArgs(*f, *sizes, seed);
    if (!r) {
      reportError(
          "--sizes",
          fmt::format("some parameter of '{}' has no valid shape for these sizes", f->name));
      return 1;
    }
    x = std::move(*r);
    where = fmt::format("random inputs (seed {})", seed);
  }

  auto ex = Executor::create(s, o);
  if (!ex)
    return 1;
  Executor &in = *ex;
  if (!o.get("inputs")) {
    // Random inputs can miss the program's domain: a fault (sizes tied together in ways the types
    // cannot say, like gmm's T = D (D + 1) / 2) or a value or gradient that is not finite (log of
    // a negative number, x / n with an integer n = 0). Then look for a usable point: integers 1
    // and 2, positive floats, then other sizes (unless --sizes fixed them, see sizeCandidates).
    // If there is none, the first point stands and its fault or failure is reported below.
    auto usable = [&](const std::vector<interp::Tensor> &args) {
      try {
        if (!std::isfinite(in.call(*f, args)[0].item()))
          return false;
        for (const interp::Tensor &t : in.call(*g, args))
          for (double v : t.data)
            if (!std::isfinite(v))
              return false;
        return true;
      } catch (const interp::RuntimeError &) {
        return false;
      }
    };
    if (!usable(x)) {
      auto sizes = givenSizes(*f, o);
      std::vector<std::vector<int64_t>> tries{*sizes};
      if (!o.get("sizes"))
        for (auto &c : sizeCandidates(f->sizeParams.size()))
          tries.push_back(std::move(c));
      bool found = false;
      bool hasIntegers = std::any_of(f->params().begin(), f->params().end(), [](ir::Value *p) {
        return p->type.elem == ir::ElemType::I64;
      });
      for (size_t k = 0; k < tries.size() && !found; ++k)
        for (int positive = 0; positive < 2 && !found; ++positive)
          for (int64_t integer = 0; integer <= (hasIntegers ? 2 : 0); ++integer) {
            if (k == 0 && !positive && !integer)
              continue; // the point already tried
            auto r = randomArgs(*f, tries[k], seed, positive, integer);
            if (!r || !usable(*r))
              continue;
            x = std::move(*r);
            std::string named;
            for (size_t i = 0; i < tries[k].size(); ++i)
              named += fmt::format("{}{}={}", i ? ", " : ", sizes ", f->sizeParams[i], tries[k][i]);
            where = fmt::format("random inputs (seed {}{}{}{})", seed,
                                positive ? ", floats in [0.1, 1]" : "",
                                integer ? fmt::format(", integers {}", integer) : "", named);
            found = true;
            break;
          }
    }
  }
  if (batch.empty())
    return checkPoint(s, in, *f, *g, x, where, tol, tolGiven) ? 0 : 1;
  // A batch: every input set is checked (one table each); the exit code is 1 if any failed.
  bool ok = true;
  for (size_t k = 0; k < batch.size(); ++k) {
    if (k)
      std::cout << "\n";
    ok &= checkPoint(s, in, *f, *g, batch[k], fmt::format("{}[{}]", where, k), tol, tolGiven,
                     /*inBatch=*/true);
  }
  return ok ? 0 : 1;
}

} // namespace diffc::driver
