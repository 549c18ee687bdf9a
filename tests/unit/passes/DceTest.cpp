// Dead code elimination: unused ops, loop-carried values, if results, tapes never popped.
#include "PassTestUtil.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

TEST_CASE("unused ops go, including calls, indexing and whole loops") {
  auto m = simplified(R"(
func @g(%x: f64) -> f64 {
  %y = exp %x : f64
  return %y
}

func @f[N](%x: f64[N], %n: i64) -> f64 {
  %k = const 100 : i64
  %oob = index %x[%k] : f64
  %c = call @g(%oob) : f64
  %lo = const 0 : i64
  %l = for %i = %lo to %n iter(%acc = %c) {
    %t = add %acc, %c : f64
    yield %t
  } : f64
  %s = sum %x : f64
  return %s
}
)");
  const Function &f = *m->lookup("f");
  CHECK(f.body->ops.size() == 2); // sum, return
  CHECK(returnedDef(f)->kind == OpKind::Sum);
}

TEST_CASE("a loop-carried value only feeding itself is removed with its init, arg and yield") {
  auto m = simplified(R"(
func @f(%x: f64, %n: i64) -> f64 {
  %lo = const 0 : i64
  %z = const 0.0 : f64
  %live, %dead = for %i = %lo to %n iter(%a = %x, %d = %z) {
    %a1 = mul %a, %x : f64
    %d1 = add %d, %a : f64
    %d2 = exp %d1 : f64
    yield %a1, %d2
  } : f64, f64
  return %live
}
)");
  const Function &f = *m->lookup("f");
  const Op *loop = returnedDef(f);
  REQUIRE(loop->kind == OpKind::For);
  CHECK(loop->results.size() == 1);
  CHECK(loop->operands.size() == 3); // lo, hi, the live init
  CHECK(loop->operand(2) == f.params()[0]);
  const Block &body = *loop->region(0);
  REQUIRE(body.args.size() == 2);
  CHECK(body.args[1]->index == 1);
  CHECK(body.ops.size() == 2); // the mul and the yield
  CHECK(body.terminator()->operands.size() == 1);
  CHECK(countOps(f, OpKind::Exp) == 0);
}

TEST_CASE("a carried value whose result is unused stays when a live one reads it") {
  auto m = simplified(R"(
func @f(%x: f64, %n: i64) -> f64 {
  %lo = const 0 : i64
  %one = const 1.0 : f64
  %live, %helper = for %i = %lo to %n iter(%a = %x, %h = %one) {
    %a1 = mul %a, %h : f64
    %h1 = add %h, %one : f64
    yield %a1, %h1
  } : f64, f64
  return %live
}
)");
  const Op *loop = returnedDef(*m->lookup("f"));
  REQUIRE(loop->kind == OpKind::For);
  CHECK(loop->results.size() == 2);
  CHECK(loop->region(0)->args.size() == 3);
}

TEST_CASE("a value carried through a loop nest for a result nobody uses goes from both loops") {
  // The nest still runs for the index it carries (used after it); the f64 carried through the
  // inner loop and out of the outer one is read by nothing else.
  auto m = simplified(R"(
func @f(%x: f64, %n: i64) -> i64 {
  %lo = const 0 : i64
  %one = const 1 : i64
  %o, %k = for %j = %lo to %n iter(%a = %x, %c = %lo) {
    %ia, %ic = for %i = %j to %n iter(%b = %a, %d = %c) {
      %b1 = mul %b, %x : f64
      %b2 = exp %b1 : f64
      %d1 = add %d, %one : i64
      yield %b2, %d1
    } : f64, i64
    yield %ia, %ic
  } : f64, i64
  return %k
}
)");
  const Function &f = *m->lookup("f");
  const Op *outer = returnedDef(f);
  REQUIRE(outer->kind == OpKind::For);
  CHECK(outer->results.size() == 1);
  CHECK(outer->results[0]->type == Type::i64());
  const Op *inner = outer->region(0)->ops.front().get();
  REQUIRE(inner->kind == OpKind::For);
  CHECK(inner->results.size() == 1);
  CHECK(countOps(f, OpKind::Exp) == 0);
  CHECK(countOps(f, OpKind::Mul) == 0);
}

TEST_CASE("while: a carried value the condition reads stays, an unread one goes") {
  auto m = simplified(R"(
func @f(%x: f64) -> f64 {
  %z = const 0 : i64
  %one = const 1 : i64
  %ten = const 10 : i64
  %r, %k, %junk = while (%xc = %x, %kc = %z, %jc = %x) {
    %go = lt %kc, %ten : bool
    yield %go
  } do (%xb, %kb, %jb) {
    %x1 = sin %xb : f64
    %k1 = add %kb, %one : i64
    %j1 = cos %jb : f64
    yield %x1, %k1, %j1
  } : f64, i64, f64
  return %r
}
)");
  const Function &f = *m->lookup("f");
  const Op *loop = returnedDef(f);
  REQUIRE(loop->kind == OpKind::While);
  CHECK(loop->results.size() == 2);
  CHECK(loop->operands.size() == 2);
  CHECK(loop->region(0)->args.size() == 2);
  CHECK(loop->region(1)->args.size() == 2);
  CHECK(countOps(f, OpKind::Cos) == 0);
  CHECK(countOps(f, OpKind::Sin) == 1);
}

TEST_CASE("unused if results go with the values the branches yield for them") {
  auto m = simplified(R"(
func @f(%x: f64, %c: bool) -> f64 {
  %u, %v = if %c {
    %a = exp %x : f64
    %b = log %x : f64
    yield %a, %b
  } else {
    %p = sin %x : f64
    %q = cos %x : f64
    yield %p, %q
  } : f64, f64
  return %v
}
)");
  const Function &f = *m->lookup("f");
  const Op *iff = returnedDef(f);
  REQUIRE(iff->kind == OpKind::If);
  CHECK(iff->results.size() == 1);
  CHECK(iff->result()->index == 0);
  CHECK(countOps(f, OpKind::Exp) == 0);
  CHECK(countOps(f, OpKind::Sin) == 0);
  CHECK(countOps(f, OpKind::Log) == 1);
  CHECK(countOps(f, OpKind::Cos) == 1);
}

TEST_CASE("an if with no used result goes entirely") {
  auto m = simplified(R"(
func @f(%x: f64, %c: bool) -> f64 {
  %u = if %c {
    %a = exp %x : f64
    yield %a
  } else {
    yield %x
  } : f64
  return %x
}
)");
  CHECK(m->lookup("f")->body->ops.size() == 1);
}

TEST_CASE("pushes onto a tape never popped are removed, through loops") {
  auto m = simplified(R"(
func @f(%x: f64, %n: i64) -> f64 {
  %t0 = tape.new : tape<f64>
  %lo = const 0 : i64
  %r, %t = for %i = %lo to %n iter(%a = %x, %tc = %t0) {
    %t1 = tape.push %tc, %a : tape<f64>
    %a1 = sin %a : f64
    yield %a1, %t1
  } : f64, tape<f64>
  %t2 = tape.push %t, %r : tape<f64>
  return %r
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::TapePush) == 0);
  CHECK(countOps(f, OpKind::TapeNew) == 0);
  const Op *loop = returnedDef(f);
  REQUIRE(loop->kind == OpKind::For);
  CHECK(loop->results.size() == 1);
}

TEST_CASE("pushes stay when the tape is popped or leaves the function") {
  auto m = simplified(R"(
func @popped(%x: f64) -> f64 {
  %t0 = tape.new : tape<f64>
  %t1 = tape.push %t0, %x : tape<f64>
  %t2 = tape.push %t1, %x : tape<f64>
  %t3, %v = tape.pop %t2 : tape<f64>, f64
  return %v
}

func @escapes(%x: f64) -> tape<f64> {
  %t0 = tape.new : tape<f64>
  %t1 = tape.push %t0, %x : tape<f64>
  return %t1
}
)");
  CHECK(countOps(*m->lookup("popped"), OpKind::TapePush) == 2);
  CHECK(countOps(*m->lookup("escapes"), OpKind::TapePush) == 1);
}

TEST_CASE("eliminateDeadCode alone reports whether it changed anything") {
  auto m = parse(R"(
func @f(%x: f64) -> f64 {
  %a = exp %x : f64
  return %x
}
)");
  Function &f = *m->lookup("f");
  CHECK(eliminateDeadCode(f));
  CHECK_FALSE(eliminateDeadCode(f));
  requireValid(*m);
}
