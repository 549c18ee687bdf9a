// The inliner: size substitution, argument/result mapping, calls in regions, nested calls, vjp
// callees kept, and errors for broken input.
#include "PassTestUtil.h"

#include "passes/Clone.h"
#include "passes/Inline.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

TEST_CASE("inlining substitutes the callee's size symbols by the call's dims") {
  auto m = parse(R"(
func @f[N](%x: f64[N]) -> f64[N - 1] {
  %n = dim N - 1 : i64
  %z = const 0 : i64
  %s = index %x[%z +: N - 1] : f64[N - 1]
  %c = cast %n : f64
  %r = mul %s, %c : f64[N - 1]
  return %r
}

func @g[M](%a: f64[2*M]) -> f64[2*M - 1] {
  %y = call @f[2*M](%a) : f64[2*M - 1]
  return %y
}
)");
  Function &g = *m->lookup("g");
  inlineCalls(*m, g);
  requireValid(*m);
  CHECK(countOps(g, OpKind::Call) == 0);
  // N - 1 became 2*M - 1 in the dim op, the slice length and every type.
  Dim expect = Dim::constant(2) * Dim::symbol(0) - Dim::constant(1);
  const Op *dimOp = nullptr, *indexOp = nullptr;
  walk(*g.body, [&](const Op &op) {
    if (op.kind == OpKind::DimValue)
      dimOp = &op;
    if (op.kind == OpKind::Index)
      indexOp = &op;
  });
  REQUIRE(dimOp);
  REQUIRE(indexOp);
  CHECK(dimOp->dims.at(0) == expect);
  CHECK(indexOp->dims.at(0) == expect);
  CHECK(indexOp->result()->type.shape.at(0) == expect);
  // The parameter became the argument, and the call's name moved to the returned value.
  CHECK(indexOp->operand(0) == g.params()[0]);
  const Op *ret = returnedDef(g);
  REQUIRE(ret);
  CHECK(ret->kind == OpKind::Mul);
  CHECK(ret->result()->name == "y");
  CHECK(ret->result()->type.shape.at(0) == expect);
}

TEST_CASE("inlining reaches calls inside regions and calls exposed by inlining") {
  auto m = parse(R"(
func @sq(%x: f64) -> f64 {
  %y = mul %x, %x : f64
  return %y
}

func @quad(%x: f64) -> f64 {
  %a = call @sq(%x) : f64
  %b = call @sq(%a) : f64
  return %b
}

func @main(%x: f64, %n: i64) -> f64 {
  %lo = const 0 : i64
  %r = for %i = %lo to %n iter(%acc = %x) {
    %q = call @quad(%acc) : f64
    yield %q
  } : f64
  return %r
}
)");
  Function &main = *m->lookup("main");
  inlineCalls(*m, main);
  requireValid(*m);
  CHECK(countOps(main, OpKind::Call) == 0);
  CHECK(countOps(main, OpKind::Mul) == 2);
  // The loop body computes (acc*acc)*(acc*acc): mul of the region argument, then of that result.
  const Op *loop = returnedDef(main);
  REQUIRE(loop->kind == OpKind::For);
  const Block &body = *loop->region(0);
  REQUIRE(body.ops.size() == 3);
  const Op &m1 = *body.ops[0], &m2 = *body.ops[1];
  CHECK(m1.operand(0) == body.args[1]);
  CHECK(m1.operand(1) == body.args[1]);
  CHECK(m2.operand(0) == m1.result());
  CHECK(body.terminator()->operand(0) == m2.result());
  CHECK(m2.result()->name == "q");
  // The callee is unchanged.
  CHECK(countOps(*m->lookup("quad"), OpKind::Call) == 2);
}

TEST_CASE("inlining one level only") {
  auto m = parse(R"(
func @sq(%x: f64) -> f64 {
  %y = mul %x, %x : f64
  return %y
}

func @quad(%x: f64) -> f64 {
  %a = call @sq(%x) : f64
  %b = call @sq(%a) : f64
  return %b
}

func @main(%x: f64) -> f64 {
  %r = call @quad(%x) : f64
  return %r
}
)");
  Function &main = *m->lookup("main");
  inlineCalls(*m, main, /*all=*/false);
  requireValid(*m);
  CHECK(countOps(main, OpKind::Call) == 2);
  for (const auto &op : main.body->ops)
    if (op->kind == OpKind::Call)
      CHECK(op->callee == "sq");
}

TEST_CASE("callees with a custom derivative stay calls") {
  auto m = parse(R"(
func @rule(%x: f64, %y: f64, %dy: f64) -> f64 {
  return %dy
}

func @f(%x: f64) -> f64 vjp @rule {
  %y = exp %x : f64
  return %y
}

func @h(%x: f64) -> f64 {
  %y = exp %x : f64
  return %y
}

func @main(%x: f64) -> (f64, f64) {
  %a = call @f(%x) : f64
  %b = call @h(%x) : f64
  return %a, %b
}
)");
  Function &main = *m->lookup("main");
  inlineCalls(*m, main);
  requireValid(*m);
  REQUIRE(countOps(main, OpKind::Call) == 1);
  CHECK(returnedDef(main, 0)->kind == OpKind::Call);
  CHECK(returnedDef(main, 0)->callee == "f");
  CHECK(returnedDef(main, 1)->kind == OpKind::Exp);
}

TEST_CASE("a callee returning its parameter and several results") {
  auto m = parse(R"(
func @pair(%x: f64, %y: f64) -> (f64, f64) {
  %s = add %x, %y : f64
  return %y, %s
}

func @main(%p: f64, %q: f64) -> f64 {
  %a, %b = call @pair(%p, %q) : f64, f64
  %r = mul %a, %b : f64
  return %r
}
)");
  Function &main = *m->lookup("main");
  inlineCalls(*m, main);
  requireValid(*m);
  const Op *mul = returnedDef(main);
  REQUIRE(mul->kind == OpKind::Mul);
  CHECK(mul->operand(0) == main.params()[1]);
  CHECK(main.params()[1]->name == "q"); // a caller value keeps its own name
  CHECK(mul->operand(1)->def->kind == OpKind::Add);
  CHECK(mul->operand(1)->def->operand(0) == main.params()[0]);
  CHECK(mul->operand(1)->name == "b");
}

TEST_CASE("recursion and broken calls are internal errors") {
  Module m;
  Function *f = m.addFunction("f");
  Value *x = f->addParam(Type::f64(), "x");
  Builder b(*f);
  b.setInsertionBlock(f->body.get());
  Op *call = b.create(OpKind::Call, {x}, {Type::f64()});
  call->callee = "f";
  b.create(OpKind::Return, {call->result()}, {});
  f->resultTypes = {Type::f64()};
  CHECK_THROWS_AS(inlineCalls(m, *f), InternalError);

  // Mutual recursion: g -> h -> g.
  Module m2;
  for (const char *name : {"g", "h"}) {
    Function *fn = m2.addFunction(name);
    Value *p = fn->addParam(Type::f64(), "x");
    Builder bb(*fn);
    bb.setInsertionBlock(fn->body.get());
    Op *c = bb.create(OpKind::Call, {p}, {Type::f64()});
    c->callee = std::string(name) == "g" ? "h" : "g";
    bb.create(OpKind::Return, {c->result()}, {});
    fn->resultTypes = {Type::f64()};
  }
  CHECK_THROWS_AS(inlineCalls(m2, *m2.lookup("g")), InternalError);

  // Unknown callee.
  Module m3;
  Function *k = m3.addFunction("k");
  Value *kx = k->addParam(Type::f64(), "x");
  Builder kb(*k);
  kb.setInsertionBlock(k->body.get());
  Op *kc = kb.create(OpKind::Call, {kx}, {Type::f64()});
  kc->callee = "nowhere";
  kb.create(OpKind::Return, {kc->result()}, {});
  CHECK_THROWS_AS(inlineCalls(m3, *k), InternalError);
}

TEST_CASE("cloning a block within one function keeps outer values and maps inner ones") {
  Module m;
  Function *f = m.addFunction("f");
  Value *x = f->addParam(Type::f64(), "x");
  Builder b(*f);
  b.setInsertionBlock(f->body.get());
  Value *e = b.value(OpKind::Exp, {x}, Type::f64(), "e");
  Value *s = b.value(OpKind::Add, {e, x}, Type::f64(), "s");
  b.create(OpKind::Return, {s}, {});
  f->resultTypes = {Type::f64()};

  Function *g = m.addFunction("g");
  Value *y = g->addParam(Type::f64(), "y");
  ValueMap map{{x, y}};
  cloneOpsInto(*f->body, *g->body, map);
  Builder gb(*g);
  gb.setInsertionBlock(g->body.get());
  gb.create(OpKind::Return, {map.at(s)}, {});
  g->resultTypes = {Type::f64()};
  requireValid(m);
  REQUIRE(g->body->ops.size() == 3);
  const Op &add = *g->body->ops[1];
  CHECK(add.kind == OpKind::Add);
  CHECK(add.operand(0) == map.at(e));
  CHECK(add.operand(1) == y);
  CHECK(add.result()->name == "s");
  CHECK(add.parent == g->body.get());
  CHECK(map.at(e) != e);
}

TEST_CASE("cloning a function copies its signature and body, regions included") {
  auto m = parse(R"(
func @f[N](%x: f64[N], %n: i64) -> (f64, s: f64[N]) {
  %lo = const 0 : i64
  %z = const 0.0 : f64
  %r = for %i = %lo to %n iter(%acc = %z) {
    %e = index %x[%i] : f64
    %a = add %acc, %e : f64
    yield %a
  } : f64
  %s = exp %x : f64[N]
  return %r, %s
}
)");
  const Function &f = *m->lookup("f");
  ValueMap map;
  Function *g = cloneFunction(*m, f, "g", map);
  requireValid(*m);
  CHECK(g->sizeParams == f.sizeParams);
  CHECK(g->resultTypes == f.resultTypes);
  CHECK(g->resultNames == f.resultNames);
  REQUIRE(g->params().size() == 2);
  CHECK(g->params()[0]->name == "x");
  CHECK(map.at(f.params()[0]) == g->params()[0]);
  CHECK(countAllOps(*g) == countAllOps(f));
  // The copy's loop reads the copy's parameter, not the original's.
  const Op *loop = returnedDef(*g);
  REQUIRE(loop->kind == OpKind::For);
  const Op &index = *loop->region(0)->ops.at(0);
  CHECK(index.operand(0) == g->params()[0]);
  CHECK(loop->region(0)->function == g);
  CHECK_THROWS_AS(cloneFunction(*m, f, "g", map), InternalError);
}

TEST_CASE("exponential inlining stops with an internal error instead of exhausting memory") {
  // f0(x) = exp(x); f_k(x) = f_{k-1}(x) + f_{k-1}(x): inlining f_30 would copy 2^30 bodies.
  Module m;
  for (int k = 0; k <= 30; ++k) {
    Function *f = m.addFunction("f" + std::to_string(k));
    Value *x = f->addParam(Type::f64(), "x");
    f->resultTypes = {Type::f64()};
    Builder b(*f);
    b.setInsertionBlock(f->body.get());
    Value *r;
    if (k == 0) {
      r = b.value(OpKind::Exp, {x}, Type::f64());
    } else {
      Op *c1 = b.create(OpKind::Call, {x}, {Type::f64()});
      Op *c2 = b.create(OpKind::Call, {x}, {Type::f64()});
      c1->callee = c2->callee = "f" + std::to_string(k - 1);
      r = b.value(OpKind::Add, {c1->result(), c2->result()}, Type::f64());
    }
    b.create(OpKind::Return, {r}, {});
  }
  requireValid(m);
  CHECK_THROWS_AS(inlineCalls(m, *m.lookup("f30")), InlineLimitError);
  requireValid(m); // the check happens before anything changes
  CHECK(countOps(*m.lookup("f30"), OpKind::Call) == 2);
  // A small one goes through: f3 = 8 copies of exp.
  inlineCalls(m, *m.lookup("f3"));
  requireValid(m);
  CHECK(countOps(*m.lookup("f3"), OpKind::Exp) == 8);
}

TEST_CASE("a chain of calls deeper than the limit is an InlineLimitError, not a crash") {
  // f0 <- f1 <- ... <- f100000: each calls the previous one once (no exponential growth), far
  // deeper than kMaxInlineDepth; counting the ops must not recurse that deep on the C++ stack.
  Module m;
  const int n = 100000;
  for (int k = 0; k <= n; ++k) {
    Function *f = m.addFunction("f" + std::to_string(k));
    Value *x = f->addParam(Type::f64(), "x");
    f->resultTypes = {Type::f64()};
    Builder b(*f);
    b.setInsertionBlock(f->body.get());
    Value *r = x;
    if (k > 0) {
      Op *c = b.create(OpKind::Call, {x}, {Type::f64()});
      c->callee = "f" + std::to_string(k - 1);
      r = c->result();
    }
    b.create(OpKind::Return, {r}, {});
  }
  CHECK_THROWS_AS(inlineCalls(m, *m.lookup("f" + std::to_string(n))), InlineLimitError);
  // Within the limit it inlines.
  inlineCalls(m, *m.lookup("f200"));
  CHECK(countOps(*m.lookup("f200"), OpKind::Call) == 0);
}
