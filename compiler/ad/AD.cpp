// The public entry points: checking the request, preparing the function (Prepare.h), running the
// transformation, then simplifying and verifying what it made.
#include "ad/AD.h"

#include "ad/Modes.h"
#include "ad/Prepare.h"
#include "ad/Reverse.h"
#include "ad/TapeMemory.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Simplify.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>

namespace diffc::ad {

using namespace ir;

namespace {

/// Parameter indices named by wrt (every float parameter when empty).
std::vector<unsigned> resolveWrt(const Function &f, const std::vector<std::string> &wrt) {
  std::vector<unsigned> out;
  const auto &ps = f.params();
  if (wrt.empty()) {
    for (unsigned i = 0; i < ps.size(); ++i)
      if (ps[i]->type.isFloat())
        out.push_back(i);
    return out;
  }
  for (const std::string &name : wrt) {
    unsigned i = 0;
    while (i < ps.size() && ps[i]->name != name)
      ++i;
    if (i == ps.size())
      throw ADError(fmt::format("'{}' is not a parameter of '{}'", name, f.name), f.loc);
    if (!ps[i]->type.isFloat())
      throw ADError(fmt::format("cannot differentiate '{}' with respect to '{}': it has type {}, "
                                "and only f64 and f32 values have derivatives",
                                f.name, name, ps[i]->type.str(f.sizeParams)),
                    f.loc);
    if (std::find(out.begin(), out.end(), i) != out.end())
      throw ADError(fmt::format("'{}' is named twice in the parameters to differentiate", name),
                    f.loc);
    out.push_back(i);
  }
  return out;
}

std::string freshName(const Module &m, std::string base) {
  if (!m.lookup(base))
    return base;
  for (unsigned k = 1;; ++k)
    if (!m.lookup(fmt::format("{}.{}", base, k)))
      return fmt::format("{}.{}", base, k);
}

Function *finish(Module &m, Function *g, const ADOptions &opts) {
  auto check = [&](const char *stage) {
    if (!opts.verify)
      return;
    std::vector<std::string> errs = verifyFunction(m, *g);
    if (errs.empty())
      return;
    std::string msg = fmt::format("ad: invalid IR {}:\n", stage);
    for (const std::string &e : errs)
      msg += "  " + e + "\n";
    msg += printFunction(*g);
    throw InternalError(msg);
  };
  check("from the transformation");
  if (opts.simplify) {
    passes::simplify(m, *g);
    check("after simplifying the derivative");
  }
  return g;
}

/// Adds a new function; removes it again when building it throws, so that a failed request
/// leaves the module as it was.
template <typename Build> Function *addFunction(Module &m, std::string name, Build &&build) {
  Function *g = m.addFunction(std::move(name));
  try {
    build(*g);
  } catch (...) {
    for (auto it = m.functions.begin(); it != m.functions.end(); ++it)
      if (it->get() == g) {
        m.functions.erase(it);
        break;
      }
    throw;
  }
  return g;
}

} // namespace

namespace {

/// Whether fn has the signature of callee's derivative function with respect to every float
/// parameter (a function of that name may exist already, made for another `wrt`).
bool fitsAsDerivative(const Function &fn, const Function &callee, bool reverse) {
  size_t floatParams = 0, floatResults = 0;
  for (const Value *p : callee.params())
    floatParams += p->type.isFloat() ? 1 : 0;
  for (const Type &t : callee.resultTypes)
    floatResults += t.isFloat() ? 1 : 0;
  size_t extraIn = reverse ? floatResults : floatParams;
  size_t extraOut = reverse ? floatParams : floatResults;
  return fn.params().size() == callee.params().size() + extraIn &&
         fn.resultTypes.size() == callee.resultTypes.size() + extraOut &&
         fn.sizeParams == callee.sizeParams;
}

} // namespace

std::string calleeDerivName(const Module &m, const std::string &f, bool reverse) {
  const Function *callee = m.lookup(f);
  std::string base = f + (reverse ? ".vjp" : ".jvp");
  for (unsigned k = 0;; ++k) {
    std::string name = k ? fmt::format("{}.{}", base, k) : base;
    const Function *existing = m.lookup(name);
    if (!existing || (callee && fitsAsDerivative(*existing, *callee, reverse)))
      return name;
  }
}

void ensureCalleeDerivatives(Module &m, const Function &src, bool reverse) {
  std::vector<std::string> callees;
  walk(*src.body, [&](const Op &op) {
    if (op.kind == OpKind::Call)
      callees.push_back(op.callee);
  });
  for (const std::string &c : callees) {
    const Function *callee = m.lookup(c);
    if (!callee)
      throw InternalError("ad: call of unknown function @" + c);
    if (reverse && !callee->vjpRule.empty())
      continue; // the user's rule is used instead
    std::string name = calleeDerivName(m, c, reverse);
    if (m.lookup(name))
      continue;
    ADOptions opts;
    opts.name = name;
    if (reverse)
      buildVjp(m, *callee, {}, opts);
    else
      buildJvp(m, *callee, {}, opts);
  }
}

void emitVjp(Module &m, const Function &src, Function &dst, const std::vector<unsigned> &wrt,
             bool seedOne) {
  std::vector<const Value *> seedsOfActivity;
  for (unsigned i : wrt)
    seedsOfActivity.push_back(src.params()[i]);
  Activity act(src, seedsOfActivity);
  ensureCalleeDerivatives(m, src, /*reverse=*/true);

  size_t nFloat = 0;
  for (const Type &t : src.resultTypes)
    nFloat += t.isFloat() ? 1 : 0;
  auto setup = [&](Function &fn) {
    fn.sizeParams = src.sizeParams;
    fn.loc = src.loc;
    for (const Value *p : src.params())
      fn.addParam(p->type, p->name);
    std::vector<Value *> seeds;
    Builder b(fn);
    b.setInsertionBlock(fn.body.get());
    for (size_t k = 0; k < src.resultTypes.size(); ++k) {
      const Type &t = src.resultTypes[k];
      if (!t.isFloat())
        continue;
      if (seedOne) {
        seeds.push_back(b.constF64(1.0, t.elem));
        continue;
      }
      std::string base = k < src.resultNames.size() && !src.resultNames[k].empty()
                             ? src.resultNames[k]
                             : (nFloat == 1 ? std::string("out") : fmt::format("out{}", k));
      seeds.push_back(fn.addParam(t, "d_" + base));
    }
    return seeds;
  };

  // Dry run: find out which primal values the reverse sweep reads.
  rev::ValueSet needed;
  {
    Function scratch;
    scratch.name = dst.name;
    std::vector<Value *> seeds = setup(scratch);
    rev::Reverse dry(m, src, scratch, act, nullptr);
    dry.run(seeds, wrt);
    needed = dry.needed();
  }
  std::vector<Value *> seeds = setup(dst);
  rev::Reverse real(m, src, dst, act, &needed);
  real.run(seeds, wrt);

  dst.resultTypes = src.resultTypes;
  dst.resultNames.assign(src.resultTypes.size(), "");
  for (size_t k = 0; k < src.resultNames.size() && k < dst.resultNames.size(); ++k)
    dst.resultNames[k] = src.resultNames[k];
  for (unsigned i : wrt) {
    const Value *p = src.params()[i];
    dst.resultTypes.push_back(p->type);
    dst.resultNames.push_back("d_" + (p->name.empty() ? fmt::format("p{}", i) : p->name));
  }
  dst.resultIsTuple = true;
}

Function *buildGradient(Module &m, const Function &f, const std::vector<std::string> &wrt,
                        const ADOptions &opts) {
  if (f.resultTypes.size() != 1 || !f.resultTypes[0].isScalar() || !f.resultTypes[0].isFloat())
    throw ADError(fmt::format("cannot take the gradient of '{}': it must return one f64 or f32 "
                              "scalar (use a vector-Jacobian product for other results)",
                              f.name),
                  f.loc);
  std::vector<unsigned> idx = resolveWrt(f, wrt);
  std::unique_ptr<Function> prep = prepare(m, f, /*forReverse=*/true);
  std::string name = opts.name.empty() ? freshName(m, f.name + ".grad") : opts.name;
  Function *g = addFunction(m, name, [&](Function &g) {
    emitVjp(m, *prep, g, idx, /*seedOne=*/true);
    g.resultNames[0] = "";
  });
  finish(m, g, opts);
  noteTapeMemory(*g);
  return g;
}

Function *buildVjp(Module &m, const Function &f, const std::vector<std::string> &wrt,
                   const ADOptions &opts) {
  std::vector<unsigned> idx = resolveWrt(f, wrt);
  std::unique_ptr<Function> prep = prepare(m, f, /*forReverse=*/true);
  std::string name = opts.name.empty() ? freshName(m, f.name + ".vjp") : opts.name;
  Function *g = addFunction(m, name, [&](Function &g) { emitVjp(m, *prep, g, idx, false); });
  finish(m, g, opts);
  noteTapeMemory(*g);
  return g;
}

Function *buildJvp(Module &m, const Function &f, const std::vector<std::string> &wrt,
                   const ADOptions &opts) {
  std::vector<unsigned> idx = resolveWrt(f, wrt);
  std::unique_ptr<Function> prep = prepare(m, f, /*forReverse=*/false);
  std::string name = opts.name.empty() ? freshName(m, f.name + ".jvp") : opts.name;
  Function *g = addFunction(m, name, [&](Function &g) { emitJvp(m, *prep, g, idx); });
  return finish(m, g, opts);
}

Function *buildGradient(Module &m, const Function &f, const std::vector<std::string> &wrt) {
  return buildGradient(m, f, wrt, ADOptions{});
}
Function *buildVjp(Module &m, const Function &f, const std::vector<std::string> &wrt) {
  return buildVjp(m, f, wrt, ADOptions{});
}
Function *buildJvp(Module &m, const Function &f, const std::vector<std::string> &wrt) {
  return buildJvp(m, f, wrt, ADOptions{});
}

} // namespace diffc::ad
