// Helpers for the AD tests: compile a .diff program, build derivative functions, and check them
// against independent references:
//   - central finite differences (a five-point stencil, truncation error O(h^4)) of the primal
//     function run in the interpreter, at several seeded random points;
//   - the dot-product test <u, J v> == <J^T u, v> between forward mode (jvp) and reverse mode
//     (vjp), which must agree to rounding for any u, v;
//   - for nested AD, finite differences of the gradient along a direction (Hessian-vector).
#pragma once

#include "ProgramGen.h"
#include "ad/AD.h"
#include "interp/Interpreter.h"
#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"
#include "ir/SizeInference.h"
#include "ir/Verifier.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace diffc::adtest {

using interp::Tensor;

struct Program {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<ir::Module> module;
  ir::Function &fn(const std::string &name) const {
    ir::Function *f = module->lookup(name);
    REQUIRE_MESSAGE(f != nullptr, "no function " << name);
    return *f;
  }
};

inline Program compile(const std::string &text) {
  Program p;
  p.file = std::make_unique<SourceFile>("test.diff", text);
  p.diags = std::make_unique<DiagnosticEngine>(*p.file);
  p.module = compileModule(*p.file, *p.diags);
  if (!p.module) {
    std::ostringstream os;
    p.diags->print(os);
    FAIL("program does not compile:\n" << os.str() << "\n" << text);
  }
  return p;
}

/// Builds the functions that `grad(e, x)` / `jvp(e, x, v)` inside the program call, in request
/// order (what the driver does after sema).
inline void expandDerivatives(Program &p) {
  ir::Module &m = *p.module;
  for (size_t i = 0; i < m.derivatives.size(); ++i) {
    ir::DerivativeRequest req = m.derivatives[i];
    if (m.lookup(req.name))
      continue;
    ir::Function *base = m.lookup(req.base);
    REQUIRE(base != nullptr);
    ir::Function *d = req.kind == ir::DerivativeRequest::Kind::Grad
                          ? ad::buildGradient(m, *base, req.wrt)
                          : ad::buildJvp(m, *base, req.wrt);
    REQUIRE(d->name == req.name);
  }
  std::vector<std::string> errs = ir::verifyModule(m);
  REQUIRE_MESSAGE(errs.empty(), (errs.empty() ? "" : errs[0]));
}

using testgen::Rng;

/// Concrete shapes of fn's parameters for the given size values (by name).
inline std::vector<std::vector<int64_t>> paramShapes(const ir::Function &fn,
                                                     const std::map<std::string, int64_t> &sz) {
  std::vector<int64_t> sizes;
  for (const std::string &s : fn.sizeParams) {
    auto it = sz.find(s);
    REQUIRE_MESSAGE(it != sz.end(), "no value for size " << s);
    sizes.push_back(it->second);
  }
  std::vector<std::vector<int64_t>> out;
  for (const ir::Value *p : fn.params()) {
    auto s = ir::evalShape(p->type.shape, sizes);
    REQUIRE(s.has_value());
    out.push_back(*s);
  }
  return out;
}

inline Tensor randomTensor(Rng &r, ir::ElemType e, const std::vector<int64_t> &shape, double lo,
                           double hi) {
  Tensor t = Tensor::zeros(e, shape);
  for (double &x : t.data) {
    if (e == ir::ElemType::Bool)
      x = r.uniform(0, 1) < 0.5 ? 0 : 1;
    else if (e == ir::ElemType::I64)
      x = std::floor(r.uniform(0, 3)); // small non-negative integers (indices, counts)
    else if (e == ir::ElemType::F32)
      x = static_cast<float>(r.uniform(lo, hi));
    else
      x = r.uniform(lo, hi);
  }
  return t;
}

inline std::vector<Tensor> randomArgs(Rng &r, const ir::Function &fn,
                                      const std::map<std::string, int64_t> &sz, double lo,
                                      double hi) {
  auto shapes = paramShapes(fn, sz);
  std::vector<Tensor> args;
  for (size_t i = 0; i < shapes.size(); ++i)
    args.push_back(randomTensor(r, fn.params()[i]->type.elem, shapes[i], lo, hi));
  return args;
}

inline double dot(const Tensor &a, const Tensor &b) {
  REQUIRE(a.data.size() == b.data.size());
  double s = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    s += a.data[i] * b.data[i];
  return s;
}

/// Relative error with a floor on the scale, so that derivatives near zero are compared in
/// absolute terms (1e-6 relative of 1e-2).
inline double relErr(double got, double want, double floor = 1e-2) {
  if (std::isnan(got) || std::isnan(want))
    return std::isnan(got) && std::isnan(want) ? 0 : INFINITY;
  if (got == want)
    return 0;
  return std::fabs(got - want) / std::max({std::fabs(want), std::fabs(got), floor});
}

/// Five-point central difference of a scalar function of one coordinate.
template <typename F> double fivePoint(F &&f, double x, double h) {
  return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
}

struct CheckOptions {
  std::map<std::string, int64_t> sizes;
  double lo = -2, hi = 2; // range of the random float inputs
  int points = 3;
  double tol = 1e-6;
  double step = 1e-4; // relative finite-difference step
  uint64_t seed = 1;
  std::vector<std::string> wrt;
  bool dotTest = true;
  bool hessian = false; // also check jvp(grad) against finite differences of grad

  // Fluent setters (designated initializers warn about the members left out).
  CheckOptions &size(const std::string &n, int64_t v) {
    sizes[n] = v;
    return *this;
  }
  CheckOptions &range(double l, double h) {
    lo = l;
    hi = h;
    return *this;
  }
  CheckOptions &withTol(double t) {
    tol = t;
    return *this;
  }
  CheckOptions &withPoints(int n) {
    points = n;
    return *this;
  }
  CheckOptions &withSeed(uint64_t s) {
    seed = s;
    return *this;
  }
  CheckOptions &withStep(double s) {
    step = s;
    return *this;
  }
  CheckOptions &withWrt(std::vector<std::string> w) {
    wrt = std::move(w);
    return *this;
  }
  CheckOptions &noDotTest() {
    dotTest = false;
    return *this;
  }
  CheckOptions &withHessian() {
    hessian = true;
    return *this;
  }
};

inline CheckOptions opts() { return CheckOptions{}; }

inline std::string fnText(const ir::Function &f) { return ir::printFunction(f); }

inline void requireValid(const ir::Module &m, const ir::Function &f) {
  auto errs = ir::verifyFunction(m, f);
  std::string msg;
  for (auto &e : errs)
    msg += e + "\n";
  REQUIRE_MESSAGE(errs.empty(), msg << fnText(f));
}

/// The value of fn's first result at args.
inline double value0(const interp::Interpreter &in, const ir::Function &fn,
                     const std::vector<Tensor> &args) {
  return in.call(fn, args).at(0).item();
}

/// Gradient of f (one scalar float result) against finite differences at random points; the
/// jvp/vjp dot-product test; optionally the Hessian-vector product by jvp of the gradient.
inline void checkGradient(Program &p, const std::string &name, const CheckOptions &o) {
  ir::Module &m = *p.module;
  const ir::Function &f = p.fn(name);
  ir::Function *g = ad::buildGradient(m, f, o.wrt);
  requireValid(m, *g);
  std::vector<unsigned> wrt;
  for (unsigned i = 0; i < f.params().size(); ++i) {
    const ir::Value *pv = f.params()[i];
    bool want = o.wrt.empty() ? pv->type.isFloat()
                              : std::find(o.wrt.begin(), o.wrt.end(), pv->name) != o.wrt.end();
    if (want)
      wrt.push_back(i);
  }
  interp::Interpreter in(m);
  Rng r(o.seed);
  for (int pt = 0; pt < o.points; ++pt) {
    std::vector<Tensor> args = randomArgs(r, f, o.sizes, o.lo, o.hi);
    std::vector<Tensor> out = in.call(*g, args);
    REQUIRE(out.size() == 1 + wrt.size());
    double v = value0(in, f, args);
    CHECK_MESSAGE(relErr(out[0].item(), v, 1e-300) <= 1e-12, "gradient's value differs\n"
                                                                 << fnText(*g));
    for (size_t w = 0; w < wrt.size(); ++w) {
      unsigned pi = wrt[w];
      const Tensor &gr = out[1 + w];
      REQUIRE(gr.data.size() == args[pi].data.size());
      for (size_t k = 0; k < gr.data.size(); ++k) {
        double x0 = args[pi].data[k];
        double h = o.step * std::max(1.0, std::fabs(x0));
        auto at = [&](double x) {
          std::vector<Tensor> a = args;
          a[pi].data[k] = x;
          return value0(in, f, a);
        };
        double fd = fivePoint(at, x0, h);
        double err = relErr(gr.data[k], fd);
        CHECK_MESSAGE(err <= o.tol, name << ": d/d" << f.params()[pi]->name << "[" << k
                                         << "] = " << gr.data[k] << ", finite differences " << fd
                                         << " (rel. err " << err << ")\n"
                                         << fnText(*g));
      }
    }
  }
  if (o.dotTest) {
    ir::Function *jv = ad::buildJvp(m, f, o.wrt);
    ir::Function *vj = ad::buildVjp(m, f, o.wrt);
    requireValid(m, *jv);
    requireValid(m, *vj);
    Rng r2(o.seed + 100);
    for (int pt = 0; pt < o.points; ++pt) {
      std::vector<Tensor> args = randomArgs(r2, f, o.sizes, o.lo, o.hi);
      std::vector<Tensor> jargs = args, vargs = args;
      std::vector<Tensor> v;
      for (unsigned pi : wrt) {
        v.push_back(randomTensor(r2, f.params()[pi]->type.elem, args[pi].shape, -1, 1));
        jargs.push_back(v.back());
      }
      std::vector<Tensor> u;
      std::vector<Tensor> prim = in.call(f, args);
      for (const Tensor &res : prim)
        if (ir::isFloat(res.elem)) {
          u.push_back(randomTensor(r2, res.elem, res.shape, -1, 1));
          vargs.push_back(u.back());
        }
      std::vector<Tensor> jo = in.call(*jv, jargs), vo = in.call(*vj, vargs);
      double lhs = 0, rhs = 0;
      for (size_t k = 0; k < u.size(); ++k)
        lhs += dot(u[k], jo.at(prim.size() + k));
      for (size_t k = 0; k < v.size(); ++k)
        rhs += dot(vo.at(prim.size() + k), v[k]);
      CHECK_MESSAGE(relErr(lhs, rhs, 1e-8) <= 1e-10, name << ": <u, J v> = " << lhs
                                                          << " but <J^T u, v> = " << rhs << "\n"
                                                          << fnText(*jv) << fnText(*vj));
    }
  }
  if (o.hessian) {
    // jvp of the gradient function: H v, against finite differences of the gradient along v.
    ir::Function *hv = ad::buildJvp(m, *g, o.wrt);
    requireValid(m, *hv);
    Rng r3(o.seed + 200);
    std::vector<Tensor> args = randomArgs(r3, f, o.sizes, o.lo, o.hi);
    std::vector<Tensor> v;
    std::vector<Tensor> hargs = args;
    for (unsigned pi : wrt) {
      v.push_back(randomTensor(r3, f.params()[pi]->type.elem, args[pi].shape, -1, 1));
      hargs.push_back(v.back());
    }
    std::vector<Tensor> ho = in.call(*hv, hargs);
    // Outputs: value, grads..., then tangents of value and of each grad.
    size_t n = 1 + wrt.size();
    double h = o.step;
    auto gradAt = [&](double t) {
      std::vector<Tensor> a = args;
      for (size_t w = 0; w < wrt.size(); ++w)
        for (size_t k = 0; k < a[wrt[w]].data.size(); ++k)
          a[wrt[w]].data[k] += t * v[w].data[k];
      return in.call(*g, a);
    };
    auto gp2 = gradAt(2 * h), gp1 = gradAt(h), gm1 = gradAt(-h), gm2 = gradAt(-2 * h);
    for (size_t w = 0; w < wrt.size(); ++w) {
      const Tensor &hvw = ho.at(n + 1 + w);
      for (size_t k = 0; k < hvw.data.size(); ++k) {
        double fd = (-gp2[1 + w].data[k] + 8 * gp1[1 + w].data[k] - 8 * gm1[1 + w].data[k] +
                     gm2[1 + w].data[k]) /
                    (12 * h);
        double err = relErr(hvw.data[k], fd);
        CHECK_MESSAGE(err <= o.tol * 10, name << ": (H v)[" << k << "] = " << hvw.data[k]
                                              << ", finite differences " << fd << "\n"
                                              << fnText(*hv));
      }
    }
  }
}

/// Forward mode of any function (tensor or tuple results) against finite differences along a
/// random direction v of all float parameters: J v = d/dt f(x + t v) at t = 0.
inline void checkJvp(Program &p, const std::string &name, const CheckOptions &o) {
  ir::Module &m = *p.module;
  const ir::Function &f = p.fn(name);
  ir::Function *jv = ad::buildJvp(m, f);
  requireValid(m, *jv);
  interp::Interpreter in(m);
  Rng r(o.seed + 300);
  for (int pt = 0; pt < o.points; ++pt) {
    std::vector<Tensor> args = randomArgs(r, f, o.sizes, o.lo, o.hi), jargs = args, dir;
    for (size_t i = 0; i < args.size(); ++i)
      if (f.params()[i]->type.isFloat()) {
        dir.push_back(randomTensor(r, args[i].elem, args[i].shape, -1, 1));
        jargs.push_back(dir.back());
      } else {
        dir.push_back(Tensor());
      }
    std::vector<Tensor> jo = in.call(*jv, jargs);
    auto at = [&](double t) {
      std::vector<Tensor> a = args;
      for (size_t i = 0; i < a.size(); ++i)
        if (f.params()[i]->type.isFloat())
          for (size_t k = 0; k < a[i].data.size(); ++k)
            a[i].data[k] += t * dir[i].data[k];
      return in.call(f, a);
    };
    double h = o.step;
    auto p2 = at(2 * h), p1 = at(h), m1 = at(-h), m2 = at(-2 * h);
    size_t nres = p1.size(), t = nres;
    for (size_t k = 0; k < nres; ++k) {
      if (!ir::isFloat(p1[k].elem))
        continue;
      const Tensor &tan = jo.at(t++);
      for (size_t e = 0; e < tan.data.size(); ++e) {
        double fd =
            (-p2[k].data[e] + 8 * p1[k].data[e] - 8 * m1[k].data[e] + m2[k].data[e]) / (12 * h);
        CHECK_MESSAGE(relErr(tan.data[e], fd) <= o.tol, name << ": tangent of result " << k << "["
                                                             << e << "] = " << tan.data[e]
                                                             << ", fd " << fd << "\n"
                                                             << fnText(*jv));
      }
    }
  }
}

inline void checkGradient(const std::string &src, const std::string &name,
                          const CheckOptions &o = {}) {
  Program p = compile(src);
  checkGradient(p, name, o);
}

} // namespace diffc::adtest
