// Errors at the boundary of Interpreter::call (arguments from outside) and runtime errors that
// depend on sizes.
#include "IrBuild.h"

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;

namespace {
/// fn f[N](x: f64[N], y: f64[N], k: i64) -> f64 = 0
void buildF(ir::Module &m) {
  FnBuilder f(m, "f", {"N"});
  f.fn->loc = {3, 1};
  f.param(Type(F64, {sym(0)}), "x");
  f.param(Type(F64, {sym(0)}), "y");
  f.param(ty(I64), "k");
  f.ret({f.f64(0)});
}
std::string message(const RuntimeError &e) { return e.what(); }
} // namespace

TEST_CASE("arguments that contradict the parameters") {
  ir::Module m;
  buildF(m);
  Interpreter in(m);
  CHECK(in.call("f", {vec({1}), vec({2}), i64(3)}).at(0) == sc(0));
  auto e = runtimeError([&] { in.call("f", {vec({1, 2, 3}), vec({1, 2, 3, 4}), i64(0)}); });
  CHECK(message(e) ==
        "size N is 3 from parameter 'x' (shape [3]) but 4 from parameter 'y' (shape [4])");
  CHECK(e.loc.line == 3);
  CHECK(e.function == "f");
  e = runtimeError([&] { in.call("f", {sc(1), vec({1}), i64(0)}); });
  CHECK(message(e) == "parameter 'x' expects f64[N] (rank 1), got shape scalar");
  e = runtimeError([&] { in.call("f", {vec({1}), vec({1})}); });
  CHECK(message(e) == "function 'f' takes 3 arguments, got 2");
  e = runtimeError([&] { in.call("f", {vec({1}), vec({1}, I64), i64(0)}); });
  CHECK(message(e) == "parameter 'y': expects f64 elements, got i64");
  e = runtimeError([&] { in.call("f", {vec({1}), vec({1}), sc(2.5, I64)}); });
  CHECK(message(e) == "parameter 'k': 2.5 is not an i64 value (an integer with |v| <= 2^53)");
  Tensor bad = vec({1, 2});
  bad.data.push_back(3);
  e = runtimeError([&] { in.call("f", {bad, vec({1, 2}), i64(0)}); });
  CHECK(message(e) == "parameter 'x': shape [2] needs 2 values, got 3");
  e = runtimeError([&] { in.call("nope", {}); });
  CHECK(message(e) == "no function named 'nope'");
}

TEST_CASE("a shape with a negative extent is a runtime error at the op") {
  // fn z[N](x: f64[N]) -> f64[N - 5] = fill(0)
  ir::Module m;
  FnBuilder f(m, "z", {"N"});
  f.param(Type(F64, {sym(0)}), "x");
  f.ret({f.val(OpKind::Fill, {f.f64(0)}, Type(F64, {sym(0) - cst(5)}))});
  Interpreter in(m);
  CHECK(in.call("z", {vec({1, 2, 3, 4, 5, 6})}).at(0) == vec({0}));
  auto e = runtimeError([&] { in.call("z", {vec({1, 2, 3})}); });
  CHECK(message(e) == "shape f64[N - 5] has a negative extent (N - 5 = -2)");
  CHECK(e.loc.line == 1);
}

TEST_CASE("a result that contradicts its IR type is an internal error") {
  // add of f64[2] and f64[3] typed f64[2]: broken IR, not a user error.
  ir::Module m;
  FnBuilder f(m, "f");
  Value *a = f.param(ty(F64, {2}), "a"), *b = f.param(ty(F64, {3}), "b");
  f.ret({f.val(OpKind::Add, {a, b}, ty(F64, {2}))});
  CHECK_THROWS_AS(Interpreter(m).call(*f.fn, {vec({1, 2}), vec({1, 2, 3})}), InternalError);
  // A for loop whose body yields a value of another shape than the carried one.
  ir::Module m2;
  FnBuilder g(m2, "g");
  Value *x = g.param(ty(F64, {2}), "x");
  ir::Op *loop = g.op(OpKind::For, {g.int64(0), g.int64(2), x}, {ty(F64, {2})});
  g.region(loop, {ty(I64), ty(F64, {2})});
  g.yield({g.f64(1)});
  g.done();
  g.ret({loop->result()});
  CHECK_THROWS_AS(Interpreter(m2).call(*g.fn, {vec({1, 2})}), InternalError);
}
