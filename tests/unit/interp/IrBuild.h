// Helpers for building small IR functions in interpreter tests (there is no front end to write
// them in source yet).
#pragma once

#include "interp/Interpreter.h"
#include "ir/IR.h"
#include "support/Diagnostics.h"

#include <cmath>
#include <doctest/doctest.h>
#include <functional>
#include <initializer_list>
#include <vector>

namespace diffc::interp::test {

using ir::Dim;
using ir::ElemType;
using ir::OpKind;
using ir::Type;
using ir::Value;

constexpr ElemType F64 = ElemType::F64;
constexpr ElemType F32 = ElemType::F32;
constexpr ElemType I64 = ElemType::I64;
constexpr ElemType Bool = ElemType::Bool;

/// A type with constant extents.
inline Type ty(ElemType e, std::vector<int64_t> shape = {}) {
  ir::Shape s;
  for (int64_t d : shape)
    s.push_back(Dim::constant(d));
  return Type(e, s);
}
inline Type typeOf(const Tensor &t) { return ty(t.elem, t.shape); }
inline Dim sym(uint32_t s) { return Dim::symbol(s); }
inline Dim cst(int64_t c) { return Dim::constant(c); }

inline Tensor vec(std::vector<double> v, ElemType e = F64) {
  auto n = static_cast<int64_t>(v.size());
  return Tensor::of(e, {n}, std::move(v));
}
inline Tensor mat(int64_t r, int64_t c, std::vector<double> v, ElemType e = F64) {
  return Tensor::of(e, {r, c}, std::move(v));
}
inline Tensor sc(double v, ElemType e = F64) { return Tensor::scalar(v, e); }
inline Tensor i64(int64_t v) { return Tensor::scalar(static_cast<double>(v), I64); }

/// A function under construction: `FnBuilder f(m, "f", {"N"}); auto *x = f.param(...); ...`.
struct FnBuilder {
  ir::Function *fn;
  ir::Builder b;
  uint32_t line = 1;

  FnBuilder(ir::Module &m, std::string name, std::vector<std::string> sizes = {})
      : fn(m.addFunction(std::move(name))), b(*fn) {
    fn->sizeParams = std::move(sizes);
    fn->loc = {1, 1};
    b.setInsertionBlock(fn->body.get());
  }
  Value *param(Type t, std::string name) { return fn->addParam(std::move(t), std::move(name)); }
  /// Appends an op at source line `line` (each call advances it, so errors have distinct locs).
  ir::Op *op(OpKind k, std::vector<Value *> operands, std::vector<Type> results) {
    b.setLoc({line++, 5});
    return b.create(k, std::move(operands), std::move(results));
  }
  Value *val(OpKind k, std::vector<Value *> operands, Type result) {
    return op(k, std::move(operands), {std::move(result)})->result();
  }
  Value *f64(double v) { return b.constF64(v); }
  Value *int64(int64_t v) { return b.constI64(v); }
  Value *boolean(bool v) { return b.constBool(v); }
  /// `return vs` and the function's result types from them.
  void ret(std::vector<Value *> vs) {
    for (Value *v : vs)
      fn->resultTypes.push_back(v->type);
    b.create(OpKind::Return, std::move(vs), {});
  }
  void yield(std::vector<Value *> vs) { b.create(OpKind::Yield, std::move(vs), {}); }
  /// Adds a region to op and moves the insertion point into it; call done() to come back.
  ir::Block *region(ir::Op *o, std::vector<Type> args = {}) {
    saved_.push_back(b.insertionBlock());
    ir::Block *r = b.addRegion(o, std::move(args));
    b.setInsertionBlock(r);
    return r;
  }
  void done() {
    b.setInsertionBlock(saved_.back());
    saved_.pop_back();
  }

private:
  std::vector<ir::Block *> saved_;
};

/// Runs `return op(args...)` with constant-shaped parameters; `attrs` may set ints/dims/fval.
inline std::vector<Tensor> runOps(OpKind k, std::vector<Tensor> args,
                                  std::vector<Type> results,
                                  const std::function<void(ir::Op &)> &attrs = {}) {
  ir::Module m;
  FnBuilder f(m, "f");
  std::vector<Value *> ps;
  for (size_t i = 0; i < args.size(); ++i)
    ps.push_back(f.param(typeOf(args[i]), "p" + std::to_string(i)));
  ir::Op *o = f.op(k, ps, std::move(results));
  if (attrs)
    attrs(*o);
  f.ret(o->results);
  return Interpreter(m).call(*f.fn, std::move(args));
}
inline Tensor runOp(OpKind k, std::vector<Tensor> args, Type result,
                    const std::function<void(ir::Op &)> &attrs = {}) {
  return runOps(k, std::move(args), {std::move(result)}, attrs).at(0);
}

/// Checks every element of t against want (NaN equals NaN; otherwise exact).
inline void checkData(const Tensor &t, const std::vector<double> &want) {
  REQUIRE(t.data.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    if (std::isnan(want[i]))
      CHECK(std::isnan(t.data[i]));
    else
      CHECK(t.data[i] == want[i]);
  }
}

/// The RuntimeError a callable throws (fails the test if it throws none).
template <typename F> RuntimeError runtimeError(F &&f) {
  try {
    f();
  } catch (const RuntimeError &e) {
    return e;
  }
  FAIL("expected a RuntimeError");
  return RuntimeError("");
}

} // namespace diffc::interp::test
