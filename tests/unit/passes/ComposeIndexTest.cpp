// index of index: composed into one index of the original tensor where every bounds check stays
// the same, and left alone where the inner index is checked against an outer slice.
#include "PassTestUtil.h"

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes::test;

TEST_CASE("an index of a row reads the original tensor") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[N, M], %i: i64, %j: i64, %a: i64) -> (f64, f64[2]) {
  %r = index %x[%i, :] : f64[M]
  %s = index %r[%j] : f64
  %t = index %r[%a +: 2] : f64[2]
  return %s, %t
}
)");
  const Function &f = *m->lookup("f");
  const Op *ret = f.body->terminator();
  const Op *s = ret->operand(0)->def, *t = ret->operand(1)->def;
  REQUIRE(s);
  REQUIRE(t);
  CHECK(s->kind == OpKind::Index);
  CHECK(s->operand(0) == f.params()[0]);
  CHECK(s->ints == std::vector<int64_t>{kPoint, kPoint});
  CHECK(s->operands == std::vector<Value *>{f.params()[0], f.params()[1], f.params()[2]});
  CHECK(t->operand(0) == f.params()[0]);
  CHECK(t->ints == std::vector<int64_t>{kPoint, kSlice});
  CHECK(t->operands == std::vector<Value *>{f.params()[0], f.params()[1], f.params()[3]});
  // The row itself is no longer read.
  CHECK(f.body->ops.size() == 3);
}

TEST_CASE("an index into a slice is not composed: it is checked against the slice") {
  // x[a +: 2][j] fails for j = 2 even where a + 2 is inside x.
  auto m = simplified(R"(
func @f[N](%x: f64[N], %a: i64, %j: i64) -> f64 {
  %r = index %x[%a +: 2] : f64[2]
  %s = index %r[%j] : f64
  return %s
}
)");
  const Op *s = returnedDef(*m->lookup("f"));
  REQUIRE(s);
  CHECK(s->operand(0)->def);
  CHECK(s->operand(0)->def->kind == OpKind::Index);
}

TEST_CASE("a whole-axis index of a slice keeps the slice") {
  auto m = simplified(R"(
func @f[N, M](%x: f64[N, M], %a: i64, %j: i64) -> f64[2] {
  %r = index %x[%a +: 2, :] : f64[2, M]
  %s = index %r[:, %j] : f64[2]
  return %s
}
)");
  const Function &f = *m->lookup("f");
  const Op *s = returnedDef(f);
  REQUIRE(s);
  CHECK(s->operand(0) == f.params()[0]);
  CHECK(s->ints == std::vector<int64_t>{kSlice, kPoint});
  CHECK(s->dims == std::vector<Dim>{Dim::constant(2)});
}
