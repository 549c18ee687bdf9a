// Builder-made sample functions shared by the IR unit tests. Together they use every op kind
// listed in Ops.def (checked by a test), and each is valid IR.
#pragma once

#include "ir/IR.h"

#include <string>
#include <vector>

namespace diffc::ir::test {

inline Type T(ElemType e, Shape s = {}) { return Type(e, std::move(s)); }
inline Type F64(Shape s = {}) { return Type(ElemType::F64, std::move(s)); }
inline Dim C(int64_t c) { return Dim::constant(c); }
inline Dim S(uint32_t s) { return Dim::symbol(s); }

/// A function under construction, with its builder appending to the body.
struct FnBuilder {
  Function *fn;
  Builder b;
  FnBuilder(Module &m, std::string name, std::vector<std::string> sizes)
      : fn(m.addFunction(std::move(name))), b(*fn) {
    fn->sizeParams = std::move(sizes);
    b.setInsertionBlock(fn->body.get());
  }
  Value *param(Type t, std::string name) { return fn->addParam(std::move(t), std::move(name)); }
  Value *op(OpKind k, std::vector<Value *> operands, Type t, std::string name = {}) {
    return b.value(k, std::move(operands), std::move(t), std::move(name));
  }
  Value *named(Value *v, std::string name) {
    v->name = std::move(name);
    return v;
  }
  void ret(std::vector<Value *> vs) { b.create(OpKind::Return, std::move(vs), {}); }
  void yield(std::vector<Value *> vs) { b.create(OpKind::Yield, std::move(vs), {}); }
};

/// loss[N, D](w, b, X, y): a logistic-style loss.
inline void buildLoss(Module &m) {
  FnBuilder f(m, "loss", {"N", "D"});
  Dim N = S(0), D = S(1);
  Value *w = f.param(F64({D}), "w");
  Value *b = f.param(F64(), "b");
  Value *X = f.param(F64({N, D}), "X");
  Value *y = f.param(F64({N}), "y");
  f.fn->resultTypes = {F64()};
  Value *xw = f.op(OpKind::MatMul, {X, w}, F64({N}));
  Value *bb = f.op(OpKind::Broadcast, {b}, F64({N}));
  Value *z = f.op(OpKind::Add, {xw, bb}, F64({N}), "z");
  Value *p = f.op(OpKind::Sigmoid, {z}, F64({N}), "p");
  p->def->note = "kept for reverse: 8*N bytes";
  Value *lp = f.op(OpKind::Log, {p}, F64({N}), "lp");
  Value *t = f.op(OpKind::Mul, {y, lp}, F64({N}));
  Value *s = f.op(OpKind::Sum, {t}, F64());
  Value *n = f.named(f.b.dimValue(N), "n");
  Value *nf = f.op(OpKind::Cast, {n}, F64());
  Value *mean = f.op(OpKind::Div, {s, nf}, F64());
  Value *loss = f.op(OpKind::Neg, {mean}, F64(), "loss");
  f.ret({loss});
}

inline const char *kLossText =
    "func @loss[N, D](%w: f64[D], %b: f64, %X: f64[N, D], %y: f64[N]) -> f64 {\n"
    R"(  %0 = matmul %X, %w : f64[N]
  %1 = broadcast %b : f64[N]
  %z = add %0, %1 : f64[N]
  %p = sigmoid %z : f64[N]  // kept for reverse: 8*N bytes
  %lp = log %p : f64[N]
  %2 = mul %y, %lp : f64[N]
  %3 = sum %2 : f64
  %n = dim N : i64
  %4 = cast %n : f64
  %5 = div %3, %4 : f64
  %loss = neg %5 : f64
  return %loss
}
)";

/// control[N](x, n): for, if, while and map, returning a tuple with a named result.
inline void buildControl(Module &m) {
  FnBuilder f(m, "control", {"N"});
  Dim N = S(0);
  Value *x = f.param(F64({N}), "x");
  Value *n = f.param(T(ElemType::I64), "n");
  f.fn->resultTypes = {F64(), F64({N, C(2)})};
  f.fn->resultNames = {"", "m"};
  f.fn->resultIsTuple = true;
  Builder &b = f.b;
  Block *body = f.fn->body.get();

  Value *lo = f.named(b.constI64(0), "lo");
  Value *zero = f.named(b.constF64(0.0), "zero");
  // for
  Op *loop = b.create(OpKind::For, {lo, n, zero}, {F64()}, "s");
  Block *lb = b.addRegion(loop, {T(ElemType::I64), F64()}, {"i", "acc"});
  b.setInsertionBlock(lb);
  Op *xi = b.create(OpKind::Index, {x, lb->args[0]}, {F64()}, "xi");
  xi->ints = {kPoint};
  Value *acc1 = f.op(OpKind::Add, {lb->args[1], xi->result()}, F64(), "acc");
  f.yield({acc1});
  b.setInsertionBlock(body);
  Value *s = loop->result();
  // if
  Value *pos = f.op(OpKind::Gt, {s, zero}, T(ElemType::Bool), "pos");
  Op *iff = b.create(OpKind::If, {pos}, {F64()}, "r");
  b.setInsertionBlock(b.addRegion(iff, {}));
  f.yield({f.op(OpKind::Sqrt, {s}, F64())});
  b.setInsertionBlock(b.addRegion(iff, {}));
  f.yield({zero});
  b.setInsertionBlock(body);
  Value *one = f.named(b.constF64(1.0), "one");
  // while
  Op *wh = b.create(OpKind::While, {iff->result(), lo}, {F64(), T(ElemType::I64)}, "v");
  wh->results[1]->name = "k";
  Block *cond = b.addRegion(wh, {F64(), T(ElemType::I64)}, {"v", "k"});
  b.setInsertionBlock(cond);
  f.yield({f.op(OpKind::Lt, {cond->args[0], one}, T(ElemType::Bool), "small")});
  Block *wb = b.addRegion(wh, {F64(), T(ElemType::I64)}, {"v", "k"});
  b.setInsertionBlock(wb);
  Value *two = f.named(b.constF64(2.0), "two");
  Value *v3 = f.op(OpKind::Mul, {wb->args[0], two}, F64(), "v");
  Value *step = f.named(b.constI64(1), "step");
  Value *k3 = f.op(OpKind::Add, {wb->args[1], step}, T(ElemType::I64), "k");
  f.yield({v3, k3});
  b.setInsertionBlock(body);
  // map
  Op *mp = b.create(OpKind::Map, {}, {F64({N, C(2)})}, "m");
  mp->dims = {N, C(2)};
  Block *mb = b.addRegion(mp, {T(ElemType::I64), T(ElemType::I64)}, {"i", "j"});
  b.setInsertionBlock(mb);
  Op *xi2 = b.create(OpKind::Index, {x, mb->args[0]}, {F64()}, "xi");
  xi2->ints = {kPoint};
  Value *jf = f.op(OpKind::Cast, {mb->args[1]}, F64());
  f.yield({f.op(OpKind::Mul, {xi2->result(), jf}, F64(), "e")});
  b.setInsertionBlock(body);
  f.ret({wh->result(0), mp->result()});
}

inline const char *kControlText =
    "func @control[N](%x: f64[N], %n: i64) -> tuple(f64, m: f64[N, 2]) {\n"
    R"(  %lo = const 0 : i64
  %zero = const 0.0 : f64
  %s = for %i = %lo to %n iter(%acc = %zero) {
    %xi = index %x[%i] : f64
    %acc.1 = add %acc, %xi : f64
    yield %acc.1
  } : f64
  %pos = gt %s, %zero : bool
  %r = if %pos {
    %0 = sqrt %s : f64
    yield %0
  } else {
    yield %zero
  } : f64
  %one = const 1.0 : f64
  %v, %k = while (%v.1 = %r, %k.1 = %lo) {
    %small = lt %v.1, %one : bool
    yield %small
  } do (%v.2, %k.2) {
    %two = const 2.0 : f64
    %v.3 = mul %v.2, %two : f64
    %step = const 1 : i64
    %k.3 = add %k.2, %step : i64
    yield %v.3, %k.3
  } : f64, i64
  %m = map (%i.1 < N, %j < 2) {
    %xi.1 = index %x[%i.1] : f64
    %1 = cast %j : f64
    %e = mul %xi.1, %1 : f64
    yield %e
  } : f64[N, 2]
  return %v, %m
}
)";

/// sq(x) with a vjp rule, the rule, and gen[K](x) (a callee with a size parameter).
inline void buildCallees(Module &m) {
  {
    FnBuilder f(m, "sq", {});
    Value *x = f.param(F64(), "x");
    f.fn->resultTypes = {F64()};
    f.fn->vjpRule = "sq_vjp";
    f.ret({f.op(OpKind::Mul, {x, x}, F64())});
  }
  {
    FnBuilder f(m, "sq_vjp", {});
    Value *x = f.param(F64(), "x");
    f.param(F64(), "y");
    Value *dy = f.param(F64(), "dy");
    f.fn->resultTypes = {F64()};
    f.fn->resultNames = {"d_x"};
    Value *two = f.b.constF64(2.0);
    Value *t = f.op(OpKind::Mul, {two, x}, F64());
    f.ret({f.op(OpKind::Mul, {t, dy}, F64(), "d_x")});
  }
  {
    FnBuilder f(m, "gen", {"K"});
    Value *x = f.param(F64({S(0)}), "x");
    f.fn->resultTypes = {F64({S(0)}), F64()};
    Value *sm = f.op(OpKind::Softmax, {x}, F64({S(0)}));
    f.ret({sm, f.op(OpKind::Logsumexp, {x}, F64())});
  }
}

/// misc[N, D](A, v, u, i): constants, dims, indexing, linear algebra, calls and tapes.
inline void buildMisc(Module &m) {
  FnBuilder f(m, "misc", {"N", "D"});
  Dim N = S(0), D = S(1);
  Builder &b = f.b;
  Value *A = f.param(F64({N, D}), "A");
  Value *v = f.param(F64({D}), "v");
  Value *u = f.param(F64({N}), "u");
  Value *i = f.param(T(ElemType::I64), "i");
  f.fn->resultTypes = {F64(), F64({D})};
  Value *c = f.named(b.constF64(1.5), "c");
  f.named(b.constF64(0.1, ElemType::F32), "c32");
  f.named(b.constI64(-3), "k");
  f.named(b.constBool(true), "t");
  Value *nm1 = f.named(b.dimValue(N - C(1)), "nm1");
  f.op(OpKind::Fill, {c}, F64({C(2) * N + C(1)}), "f");
  Value *I = f.op(OpKind::Eye, {}, F64({D, D}), "I");
  f.op(OpKind::Transpose, {A}, F64({D, N}), "AT");
  f.op(OpKind::MatMul, {A, v}, F64({N}), "mv");
  f.op(OpKind::MatMul, {A, I}, F64({N, D}), "mm");
  f.op(OpKind::MatMul, {u, A}, F64({D}), "vm");
  Value *dot = f.op(OpKind::MatMul, {v, v}, F64(), "dot");
  f.op(OpKind::Outer, {u, v}, F64({N, D}), "o");
  Op *row = b.create(OpKind::Index, {A, i}, {F64({D})}, "row");
  row->ints = {kPoint, kFull};
  Op *blk = b.create(OpKind::Index, {A, nm1, i}, {F64({C(1), D - C(1)})}, "blk");
  blk->ints = {kSlice, kSlice};
  blk->dims = {C(1), D - C(1)};
  Op *up = b.create(OpKind::Update, {A, row->result(), i}, {F64({N, D})}, "A1");
  up->ints = {kPoint, kFull};
  Op *ua = b.create(OpKind::UpdateAdd, {up->result(), c, i, i}, {F64({N, D})}, "A2");
  ua->ints = {kPoint, kPoint};
  Value *cat = f.op(OpKind::Concat, {u, u}, F64({C(2) * N}), "cat");
  f.op(OpKind::Pack, {v, v}, F64({C(2), D}), "pk");
  f.op(OpKind::Diag, {v}, F64({D, D}), "dg");
  f.op(OpKind::Reshape, {ua->result()}, F64({N * D}), "flat");
  Op *sq = b.create(OpKind::Call, {dot}, {F64()}, "sq");
  sq->callee = "sq";
  Op *gen = b.create(OpKind::Call, {cat}, {F64({C(2) * N}), F64()}, "g");
  gen->callee = "gen";
  gen->dims = {C(2) * N};
  gen->results[1]->name = "lse";
  Value *tp = f.op(OpKind::TapeNew, {}, Type(ElemType::F64, {D}, true), "tp");
  Value *tp1 = f.op(OpKind::TapePush, {tp, v}, Type(ElemType::F64, {D}, true), "tp");
  Op *pop = b.create(OpKind::TapePop, {tp1}, {Type(ElemType::F64, {D}, true), F64({D})}, "tp");
  pop->results[1]->name = "top";
  f.ret({sq->result(), pop->result(1)});
}

inline const char *kMiscText =
    "func @misc[N, D](%A: f64[N, D], %v: f64[D], %u: f64[N], %i: i64) -> (f64, f64[D]) {\n"
    R"(  %c = const 1.5 : f64
  %c32 = const 0.1 : f32
  %k = const -3 : i64
  %t = const true : bool
  %nm1 = dim N - 1 : i64
  %f = fill %c : f64[2*N + 1]
  %I = eye : f64[D, D]
  %AT = transpose %A : f64[D, N]
  %mv = matmul %A, %v : f64[N]
  %mm = matmul %A, %I : f64[N, D]
  %vm = matmul %u, %A : f64[D]
  %dot = matmul %v, %v : f64
  %o = outer %u, %v : f64[N, D]
  %row = index %A[%i, :] : f64[D]
  %blk = index %A[%nm1 +: 1, %i +: D - 1] : f64[1, D - 1]
  %A1 = update %A[%i, :], %row : f64[N, D]
  %A2 = update_add %A1[%i, %i], %c : f64[N, D]
  %cat = concat %u, %u : f64[2*N]
  %pk = pack %v, %v : f64[2, D]
  %dg = diag %v : f64[D, D]
  %flat = reshape %A2 : f64[N*D]
  %sq = call @sq(%dot) : f64
  %g, %lse = call @gen[2*N](%cat) : f64[2*N], f64
  %tp = tape.new : tape<f64[D]>
  %tp.1 = tape.push %tp, %v : tape<f64[D]>
  %tp.2, %top = tape.pop %tp.1 : tape<f64[D]>, f64[D]
  return %sq, %top
}
)";

/// reduce[N, M](x, y, z, q): the remaining tensor ops.
inline void buildReduce(Module &m) {
  FnBuilder f(m, "reduce", {"N", "M"});
  Dim N = S(0), M = S(1);
  Value *x = f.param(F64({N, M}), "x");
  Value *y = f.param(F64({M}), "y");
  Value *one = f.param(F64({C(1), M}), "r");
  f.fn->resultTypes = {F64()};
  Value *zero = f.b.constF64(0.0);
  Value *mask = f.op(OpKind::Gt, {x, zero}, T(ElemType::Bool, {N, M}));
  f.op(OpKind::Select, {mask, x, zero}, F64({N, M}));
  f.op(OpKind::StopGradient, {x}, F64({N, M}));
  f.op(OpKind::Broadcast, {one}, F64({N, M}));
  f.op(OpKind::SumTo, {x}, F64({M}));
  f.op(OpKind::SumTo, {x}, F64({C(1), M}));
  f.op(OpKind::Cast, {x}, T(ElemType::I64, {N, M}));
  f.op(OpKind::Softmax, {x}, F64({N, M}));
  f.op(OpKind::LogSoftmax, {y}, F64({M}));
  f.op(OpKind::Argmax, {y}, T(ElemType::I64));
  OpKind reductions[] = {OpKind::Sum,       OpKind::Prod,      OpKind::ReduceMax,
                         OpKind::ReduceMin, OpKind::Logsumexp, OpKind::Norm};
  Value *acc = zero;
  for (OpKind k : reductions)
    acc = f.op(OpKind::Add, {acc, f.op(k, {x}, F64())}, F64());
  f.ret({acc});
}

/// elementwise[N](x, s, k, p): every Unary, Binary and Compare op once, each result named after
/// its mnemonic, in Ops.def order.
inline void buildElementwise(Module &m) {
  FnBuilder f(m, "elementwise", {"N"});
  Dim N = S(0);
  Value *x = f.param(F64({N}), "x");
  Value *s = f.param(F64(), "s");
  Value *k = f.param(T(ElemType::I64, {N}), "k");
  Value *p = f.param(T(ElemType::Bool, {N}), "p");
  f.fn->resultTypes = {};
  const OpKind all[] = {
#define DIFFC_OP(K, M, C) OpKind::K,
#include "ir/Ops.def"
  };
  for (OpKind kind : all) {
    std::string name = opMnemonic(kind);
    switch (opClass(kind)) {
    case OpClass::Unary:
      if (kind == OpKind::Not)
        f.op(kind, {p}, p->type, name);
      else if (kind == OpKind::Abs)
        f.op(kind, {k}, k->type, name);
      else
        f.op(kind, {x}, x->type, name);
      break;
    case OpClass::Binary:
      if (kind == OpKind::And || kind == OpKind::Or)
        f.op(kind, {p, p}, p->type, name);
      else
        f.op(kind, {x, s}, x->type, name);
      break;
    case OpClass::Compare:
      f.op(kind, {s, x}, T(ElemType::Bool, {N}), name);
      break;
    case OpClass::Other:
      break;
    }
  }
  f.ret({});
}

/// Every sample function in one module (callees first).
inline std::unique_ptr<Module> buildAllSamples() {
  auto m = std::make_unique<Module>();
  buildCallees(*m);
  buildLoss(*m);
  buildControl(*m);
  buildMisc(*m);
  buildReduce(*m);
  buildElementwise(*m);
  return m;
}

} // namespace diffc::ir::test
