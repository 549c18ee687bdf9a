// Loop-invariant hoisting and the fusion of sum(map) into an accumulating loop.
#include "PassTestUtil.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

namespace {

/// The op of kind k directly in block b (not in its regions), or null.
const Op *direct(const Block &b, OpKind k) {
  for (const auto &op : b.ops)
    if (op->kind == k)
      return op.get();
  return nullptr;
}

SimplifyOptions withFusion() {
  SimplifyOptions o;
  o.fuseMapReductions = true;
  return o;
}

} // namespace

TEST_CASE("invariant ops that cannot fail move in front of the loop; the others stay") {
  auto m = simplified(R"(
func @f[N](%x: f64[N], %s: f64, %n: i64) -> f64 {
  %lo = const 0 : i64
  %r = for %i = %lo to %n iter(%acc = %s) {
    %e = exp %s : f64
    %k = const 7 : i64
    %q = div %n, %k : i64
    %qf = cast %q : f64
    %xi = index %x[%i] : f64
    %x0 = index %x[%lo] : f64
    %f1 = fill %s : f64[N]
    %s1 = sum %f1 : f64
    %f2 = fill %s : f64[N - 1]
    %s2 = sum %f2 : f64
    %t = add %acc, %e : f64
    %t2 = add %t, %xi : f64
    %t3 = add %t2, %x0 : f64
    %t4 = add %t3, %qf : f64
    %t5 = add %t4, %s1 : f64
    %t6 = add %t5, %s2 : f64
    yield %t6
  } : f64
  return %r
}
)");
  const Function &f = *m->lookup("f");
  const Block &top = *f.body;
  const Op *loop = returnedDef(f);
  REQUIRE(loop->kind == OpKind::For);
  const Block &body = *loop->region(0);
  // Hoisted: exp (float, invariant), the constant 7, fill to f64[N] and its sum.
  CHECK(direct(top, OpKind::Exp));
  CHECK(direct(top, OpKind::Fill));
  CHECK(direct(top, OpKind::Sum));
  CHECK_FALSE(direct(body, OpKind::Exp));
  // Kept: i64 division (may fail or overflow), both indexings (may be out of range), and the
  // fill to f64[N - 1], whose shape is negative when N = 0.
  CHECK(direct(body, OpKind::Div));
  CHECK(countOps(f, OpKind::Index) == 2);
  CHECK_FALSE(direct(top, OpKind::Index));
  const Op *bodyFill = direct(body, OpKind::Fill);
  REQUIRE(bodyFill);
  CHECK(bodyFill->result()->type.shape.at(0) == Dim::symbol(0) - Dim::constant(1));
}

TEST_CASE("invariants of an inner loop move out of every loop they do not depend on") {
  auto m = simplified(R"(
func @f(%s: f64, %n: i64) -> f64 {
  %lo = const 0 : i64
  %r = for %i = %lo to %n iter(%a = %s) {
    %inner = for %j = %lo to %n iter(%b = %a) {
      %c = cos %s : f64
      %b1 = mul %b, %c : f64
      yield %b1
    } : f64
    yield %inner
  } : f64
  return %r
}
)");
  const Function &f = *m->lookup("f");
  CHECK(direct(*f.body, OpKind::Cos));
  CHECK(countOps(f, OpKind::Cos) == 1);
}

TEST_CASE("constants leave map bodies; ops on the index stay") {
  auto m = simplified(R"(
func @f[N](%x: f64[N]) -> f64[N] {
  %m = map (%i < N) {
    %e = index %x[%i] : f64
    %two = const 2.0 : f64
    %p = mul %e, %two : f64
    yield %p
  } : f64[N]
  return %m
}
)");
  const Function &f = *m->lookup("f");
  const Op *map = returnedDef(f);
  REQUIRE(map->kind == OpKind::Map);
  CHECK(direct(*f.body, OpKind::Const));
  CHECK(map->region(0)->ops.size() == 3); // index, mul, yield
}

TEST_CASE("sum of a 2-D map becomes two nested accumulating loops") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[N], %y: f64[M]) -> f64 {
  %m = map (%i < N, %j < M) {
    %a = index %x[%i] : f64
    %b = index %y[%j] : f64
    %p = mul %a, %b : f64
    yield %p
  } : f64[N, M]
  %s = sum %m : f64
  return %s
}
)",
                      withFusion());
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::Map) == 0);
  CHECK(countOps(f, OpKind::Sum) == 0);
  const Op *outer = returnedDef(f);
  REQUIRE(outer->kind == OpKind::For);
  CHECK(outer->result()->name == "s");
  const Op *inner = direct(*outer->region(0), OpKind::For);
  REQUIRE(inner);
  // The outer loop runs over N, the inner over M.
  CHECK(outer->operand(1)->def->dims.at(0) == Dim::symbol(0));
  CHECK(inner->operand(1)->def->dims.at(0) == Dim::symbol(1));
  // The accumulation starts at +0.0.
  auto start = constValue(outer->operand(2)->def);
  REQUIRE(start);
  CHECK(sameBits(*start, 0.0));
  CHECK(direct(*inner->region(0), OpKind::Add));
}

TEST_CASE("no fusion when the map has another use, has tensor elements, or is off") {
  auto m = simplified(R"(
func @twice[N](%x: f64[N]) -> (f64, f64[N]) {
  %m = map (%i < N) {
    %a = index %x[%i] : f64
    %e = exp %a : f64
    yield %e
  } : f64[N]
  %s = sum %m : f64
  return %s, %m
}

func @rows[N, M](%x: f64[N, M]) -> f64 {
  %m = map (%i < N) {
    %r = index %x[%i, :] : f64[M]
    %e = exp %r : f64[M]
    yield %e
  } : f64[N, M]
  %s = sum %m : f64
  return %s
}
)",
                      withFusion());
  CHECK(returnedDef(*m->lookup("twice"))->kind == OpKind::Sum);
  CHECK(returnedDef(*m->lookup("rows"))->kind == OpKind::Sum);

  // The map is computed once, outside the loop; its sum inside must not recompute it. (With
  // hoisting on, the sum would first move out of the loop, and then fusing is right.)
  SimplifyOptions noHoist = withFusion();
  noHoist.hoistLoopInvariants = false;
  auto loop = simplified(R"(
func @f[N](%x: f64[N], %n: i64) -> f64 {
  %m = map (%i < N) {
    %a = index %x[%i] : f64
    %e = exp %a : f64
    yield %e
  } : f64[N]
  %lo = const 0 : i64
  %r = for %k = %lo to %n iter(%acc = %lo) {
    %s = sum %m : f64
    %c = cast %acc : f64
    %b = lt %c, %s : bool
    %acc1 = select %b, %k, %acc : i64
    yield %acc1
  } : i64
  %rf = cast %r : f64
  return %rf
}
)",
                         noHoist);
  CHECK(countOps(*loop->lookup("f"), OpKind::Map) == 1);
  // With hoisting, the sum leaves the loop and fuses with the map next to it.
  auto hoisted = simplified(printModule(*loop), withFusion());
  CHECK(countOps(*hoisted->lookup("f"), OpKind::Map) == 0);

  auto off = simplified(R"(
func @f[N](%x: f64[N]) -> f64 {
  %m = map (%i < N) {
    %a = index %x[%i] : f64
    yield %a
  } : f64[N]
  %s = sum %m : f64
  return %s
}
)");
  CHECK(returnedDef(*off->lookup("f"))->kind == OpKind::Sum);
}
