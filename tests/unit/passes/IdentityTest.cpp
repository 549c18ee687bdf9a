// Algebraic identities: each rule fires where it is exact, and the unsound look-alikes do not.
#include "PassTestUtil.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

namespace {

/// f(x: T) returning `body`'s %r, where body may use %x, %c (a constant c : elem), and %z.
std::unique_ptr<Module> withConst(const std::string &type, const std::string &constant,
                                  const std::string &constType, const std::string &expr) {
  return simplified("func @f[N](%x: " + type + ") -> " + type + " {\n  %c = const " + constant +
                    " : " + constType + "\n  %r = " + expr + " : " + type + "\n  return %r\n}\n");
}

/// True when f returns its parameter x itself and nothing else is left.
bool returnsX(const Module &m) {
  const Function &f = *m.lookup("f");
  return f.body->terminator()->operand(0) == f.params()[0] && f.body->ops.size() == 1;
}

} // namespace

TEST_CASE("multiplying or dividing by one") {
  CHECK(returnsX(*withConst("f64[N]", "1.0", "f64", "mul %x, %c"))); // x * 1 = x
  CHECK(returnsX(*withConst("f64[N]", "1.0", "f64", "mul %c, %x"))); // 1 * x = x
  CHECK(returnsX(*withConst("f64", "1.0", "f64", "div %x, %c")));    // x / 1 = x
  CHECK(returnsX(*withConst("i64", "1", "i64", "mul %x, %c")));
  CHECK(returnsX(*withConst("f64", "1.0", "f64", "pow %x, %c")));       // x ^ 1 = x
  CHECK_FALSE(returnsX(*withConst("f64", "1.0", "f64", "div %c, %x"))); // 1 / x is not x
}

TEST_CASE("adding and subtracting zero") {
  CHECK(returnsX(*withConst("f64[N]", "0.0", "f64", "sub %x, %c"))); // x - (+0) = x
  CHECK(returnsX(*withConst("f64", "-0.0", "f64", "add %x, %c")));   // x + (-0) = x
  CHECK(returnsX(*withConst("f64", "-0.0", "f64", "add %c, %x")));   // (-0) + x = x
  CHECK(returnsX(*withConst("f64[N]", "0.0", "f64", "add %x, %c"))); // x + 0, up to -0
  CHECK(returnsX(*withConst("f64[N]", "0.0", "f64", "add %c, %x"))); // 0 + x, up to -0
  CHECK(returnsX(*withConst("i64", "0", "i64", "add %x, %c")));
  // x - (-0) = x + 0 differs from x at x = -0: not rewritten.
  CHECK_FALSE(returnsX(*withConst("f64", "-0.0", "f64", "sub %x, %c")));
  // 0 - x is not x.
  CHECK_FALSE(returnsX(*withConst("f64", "0.0", "f64", "sub %c, %x")));
}

TEST_CASE("multiplying by zero is not simplified (NaN and infinity)") {
  auto m = withConst("f64[N]", "0.0", "f64", "mul %x, %c");
  const Op *mul = returnedDef(*m->lookup("f"));
  REQUIRE(mul);
  CHECK(mul->kind == OpKind::Mul);
}

TEST_CASE("double negation, not, and boolean units") {
  auto m = simplified(R"(
func @f[N](%x: f64[N], %b: bool[N]) -> (f64[N], bool[N], bool[N], bool[N]) {
  %n1 = neg %x : f64[N]
  %n2 = neg %n1 : f64[N]
  %b1 = not %b : bool[N]
  %b2 = not %b1 : bool[N]
  %t = const true : bool
  %f = const false : bool
  %a = and %b, %t : bool[N]
  %o = or %f, %b : bool[N]
  return %n2, %b2, %a, %o
}
)");
  const Function &f = *m->lookup("f");
  const Op *ret = f.body->terminator();
  CHECK(ret->operand(0) == f.params()[0]); // -(-x) = x
  CHECK(ret->operand(1) == f.params()[1]); // !!b = b
  CHECK(ret->operand(2) == f.params()[1]); // b && true = b
  CHECK(ret->operand(3) == f.params()[1]); // false || b = b
  CHECK(f.body->ops.size() == 1);
}

TEST_CASE("select on a constant condition or equal branches") {
  auto m = simplified(R"(
func @f[N](%x: f64[N], %y: f64[N], %c: bool[N]) -> (f64[N], f64[N], f64[N], f64[N]) {
  %t = const true : bool
  %f = const false : bool
  %s1 = select %t, %x, %y : f64[N]
  %s2 = select %f, %x, %y : f64[N]
  %s3 = select %c, %y, %y : f64[N]
  %s4 = select %c, %x, %y : f64[N]
  return %s1, %s2, %s3, %s4
}
)");
  const Function &f = *m->lookup("f");
  const Op *ret = f.body->terminator();
  CHECK(ret->operand(0) == f.params()[0]);
  CHECK(ret->operand(1) == f.params()[1]);
  CHECK(ret->operand(2) == f.params()[1]);
  CHECK(ret->operand(3)->def->kind == OpKind::Select);
}

TEST_CASE("shape ops to the same type, double transpose, cast to the same type") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[N, M], %v: f64[N])
    -> (f64[N, M], f64[N, M], f64[N, M], f64[N], f64[N, M], f64[M, N]) {
  %b = broadcast %x : f64[N, M]
  %s = sum_to %x : f64[N, M]
  %t1 = transpose %x : f64[M, N]
  %t2 = transpose %t1 : f64[N, M]
  %c = cast %v : f64[N]
  %r = reshape %x : f64[N, M]
  return %b, %s, %t2, %c, %r, %t1
}
)");
  const Function &f = *m->lookup("f");
  const Op *ret = f.body->terminator();
  CHECK(ret->operand(0) == f.params()[0]);
  CHECK(ret->operand(1) == f.params()[0]);
  CHECK(ret->operand(2) == f.params()[0]); // (A^T)^T = A
  CHECK(ret->operand(3) == f.params()[1]);
  CHECK(ret->operand(4) == f.params()[0]);
  CHECK(ret->operand(5)->def->kind == OpKind::Transpose); // a single transpose stays
}

TEST_CASE("broadcast and sum_to that change the shape stay") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[M], %y: f64[N, M]) -> (f64[N, M], f64[M]) {
  %b = broadcast %x : f64[N, M]
  %s = sum_to %y : f64[M]
  return %b, %s
}
)");
  const Function &f = *m->lookup("f");
  CHECK(returnedDef(f, 0)->kind == OpKind::Broadcast);
  CHECK(returnedDef(f, 1)->kind == OpKind::SumTo);
}

TEST_CASE("a fill or broadcast of a scalar feeding an elementwise op becomes the scalar") {
  auto m = simplified(R"(
func @f[N](%x: f64[N], %s: f64) -> (f64[N], f64[N], bool[N], f64[N]) {
  %fs = fill %s : f64[N]
  %bs = broadcast %s : f64[N]
  %a = mul %x, %fs : f64[N]
  %b = sub %bs, %x : f64[N]
  %c = lt %x, %fs : bool[N]
  %one = const 1.0 : f64
  %ones = fill %one : f64[N]
  %d = mul %ones, %x : f64[N]
  return %a, %b, %c, %d
}
)");
  const Function &f = *m->lookup("f");
  Value *x = f.params()[0], *s = f.params()[1];
  const Op *a = returnedDef(f, 0), *b = returnedDef(f, 1), *c = returnedDef(f, 2);
  CHECK(a->operand(0) == x);
  CHECK(a->operand(1) == s);
  CHECK(b->operand(0) == s);
  CHECK(b->operand(1) == x);
  CHECK(c->operand(1) == s);
  CHECK(f.body->terminator()->operand(3) == x); // ones * x = 1 * x = x
  CHECK(countOps(f, OpKind::Fill) == 0);
  CHECK(countOps(f, OpKind::Broadcast) == 0);
}

TEST_CASE("a fill is kept when no other operand has the result's shape") {
  auto m = simplified(R"(
func @f[N](%s: f64, %t: f64) -> f64[N] {
  %fs = fill %s : f64[N]
  %ft = fill %t : f64[N]
  %a = add %fs, %ft : f64[N]
  return %a
}
)");
  const Function &f = *m->lookup("f");
  const Op *a = returnedDef(f);
  REQUIRE(a->kind == OpKind::Add);
  // One operand may become the scalar; the other keeps the shape.
  int scalars = a->operand(0)->type.isScalar() + a->operand(1)->type.isScalar();
  CHECK(scalars == 1);
}

TEST_CASE("an if on a constant condition is replaced by the taken branch") {
  auto m = simplified(R"(
func @f(%x: f64) -> f64 {
  %c = const false : bool
  %r = if %c {
    %a = exp %x : f64
    yield %a
  } else {
    %b = log %x : f64
    yield %b
  } : f64
  return %r
}
)");
  const Function &f = *m->lookup("f");
  CHECK(countOps(f, OpKind::If) == 0);
  const Op *log = returnedDef(f);
  REQUIRE(log->kind == OpKind::Log);
  CHECK(log->result()->name == "b");
  CHECK(log->parent == f.body.get());
}
