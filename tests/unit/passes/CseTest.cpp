// Common subexpression elimination: equal pure ops merge only where the earlier one dominates.
#include "PassTestUtil.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

TEST_CASE("equal ops in one block merge, keeping the first one's name") {
  auto m = simplified(R"(
func @f(%x: f64) -> f64 {
  %a = exp %x : f64
  %b = exp %x : f64
  %s = add %a, %b : f64
  return %s
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Exp) == 1);
  const Op *add = returnedDef(f);
  CHECK(add->operand(0) == add->operand(1));
  CHECK(add->operand(0)->name == "a");
}

TEST_CASE("an unnamed value that replaces a named one takes its name") {
  Module m;
  Function *f = m.addFunction("f");
  Value *x = f->addParam(Type::f64(), "x");
  f->resultTypes = {Type::f64()};
  Builder b(*f);
  b.setInsertionBlock(f->body.get());
  Value *e1 = b.value(OpKind::Exp, {x}, Type::f64());
  Value *e2 = b.value(OpKind::Exp, {x}, Type::f64(), "e");
  Value *s = b.value(OpKind::Add, {e1, e2}, Type::f64(), "s");
  b.create(OpKind::Return, {s}, {});
  simplify(m, *f);
  requireValid(m);
  CHECK(countOps(*f, OpKind::Exp) == 1);
  CHECK(e1->name == "e");
  CHECK(returnedDef(*f)->operand(1) == e1);
}

TEST_CASE("an op inside a region merges with an equal op before it in an enclosing block") {
  auto m = simplified(R"(
func @f(%x: f64, %n: i64) -> (f64, f64) {
  %e = exp %x : f64
  %lo = const 0 : i64
  %r = for %i = %lo to %n iter(%acc = %x) {
    %e2 = exp %x : f64
    %t = mul %acc, %e2 : f64
    yield %t
  } : f64
  return %r, %e
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Exp) == 1);
  const Op *loop = returnedDef(f, 0);
  REQUIRE(loop->kind == OpKind::For);
  const Op &mul = *loop->region(0)->ops.at(0);
  CHECK(mul.kind == OpKind::Mul);
  CHECK(mul.operand(1)->def->parent == f.body.get());
}

TEST_CASE("ops in sibling regions, or after a region, do not merge with ops inside it") {
  auto m = simplified(R"(
func @f(%x: f64, %c: bool) -> (f64, f64) {
  %r = if %c {
    %a = exp %x : f64
    yield %a
  } else {
    %b = exp %x : f64
    %b2 = neg %b : f64
    yield %b2
  } : f64
  %after = exp %x : f64
  return %r, %after
}
)");
  const Function &f = *m->lookup("f");
  // Neither branch dominates the other, and neither dominates the op after the if.
  CHECK(countOps(f, OpKind::Exp) == 3);
  CHECK(returnedDef(f, 1)->parent == f.body.get());
}

TEST_CASE("ops in two separate loops do not merge, but both merge with one before them") {
  auto m = simplified(R"(
func @f[N](%x: f64[N]) -> (f64[N], f64[N]) {
  %m1 = map (%i < N) {
    %e1 = index %x[%i] : f64
    %s1 = sin %e1 : f64
    yield %s1
  } : f64[N]
  %m2 = map (%j < N) {
    %e2 = index %x[%j] : f64
    %s2 = sin %e2 : f64
    yield %s2
  } : f64[N]
  return %m1, %m2
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Index) == 2);
  CHECK(countOps(f, OpKind::Sin) == 2);
}

TEST_CASE("attributes and types keep ops apart") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[N, M], %i: i64) -> (f64, f64, f64[N], f64[M], f64[N], f64[M]) {
  %p = const 0.0 : f64
  %q = const -0.0 : f64
  %u = fill %p : f64[N]
  %v = fill %p : f64[M]
  %j = const 0 : i64
  %r1 = index %x[%i, :] : f64[M]
  %r2 = index %x[:, %j] : f64[N]
  return %p, %q, %u, %v, %r2, %r1
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Const) == 3); // 0.0, -0.0 and the i64 0
  CHECK(countOps(f, OpKind::Fill) == 2);
  CHECK(countOps(f, OpKind::Index) == 2);
  CHECK(returnedDef(f, 0) != returnedDef(f, 1));
}

TEST_CASE("calls merge; tape ops never do") {
  auto m = simplified(R"(
func @g(%x: f64) -> f64 {
  %y = exp %x : f64
  return %y
}

func @f(%x: f64) -> (f64, tape<f64>, tape<f64>) {
  %a = call @g(%x) : f64
  %b = call @g(%x) : f64
  %s = add %a, %b : f64
  %t1 = tape.new : tape<f64>
  %t2 = tape.new : tape<f64>
  return %s, %t1, %t2
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Call) == 1);
  CHECK(countOps(f, OpKind::TapeNew) == 2);
}

TEST_CASE("a constant standing for two differently named variables loses its name") {
  auto m = simplified(R"(
func @f(%x: f64) -> (f64, f64, f64) {
  %acc = const 0.0 : f64
  %err = const 0.0 : f64
  %tot = const 0.0 : f64
  %a = sub %acc, %x : f64
  %lim = const 2.0 : f64
  %lim2 = const 2.0 : f64
  %m = div %a, %lim : f64
  %e = sub %err, %x : f64
  %t = div %x, %lim2 : f64
  return %m, %e, %t
}
)");
  const Function &f = *m->lookup("f");
  // acc - x and err - x merged too: both read the one zero.
  const Op *m0 = returnedDef(f, 0), *t = returnedDef(f, 2);
  REQUIRE(m0->kind == OpKind::Div);
  REQUIRE(t->kind == OpKind::Div);
  const Value *zero = m0->operand(0)->def->operand(0);
  CHECK(zero->name.empty()); // neither "acc" nor "err" nor "tot"
  CHECK(m0->operand(1) == t->operand(1));
  CHECK(t->operand(1)->name.empty()); // neither "lim" nor "lim2"
  CHECK(countOps(f, OpKind::Const) == 2);
}
