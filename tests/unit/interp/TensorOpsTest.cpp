// Whole-tensor ops: construction, shape manipulation, reductions, products and softmax, with
// expected values worked out by hand.
#include "IrBuild.h"

#include <limits>
#include <numbers>

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLn2 = std::numbers::ln2;

Tensor reduce(OpKind k, Tensor x) {
  ElemType e = x.elem;
  return runOp(k, {std::move(x)}, ty(e));
}
} // namespace

TEST_CASE("const, dim, fill, eye") {
  ir::Module m;
  FnBuilder f(m, "f", {"N"});
  f.param(Type(F64, {sym(0)}), "x");
  Value *c1 = f.f64(2.5), *c2 = f.int64(-7), *c3 = f.boolean(true);
  Value *d = f.b.dimValue(cst(2) * sym(0) + cst(1)); // 2N + 1
  Value *filled = f.val(OpKind::Fill, {c1}, Type(F64, {cst(2), sym(0)}));
  ir::Op *eye = f.op(OpKind::Eye, {}, {Type(I64, {sym(0), sym(0)})});
  f.ret({c1, c2, c3, d, filled, eye->result()});
  auto r = Interpreter(m).call(*f.fn, {vec({0, 0, 0})});
  CHECK(r[0] == sc(2.5));
  CHECK(r[1] == i64(-7));
  CHECK(r[2] == sc(1, Bool));
  CHECK(r[3] == i64(7));
  CHECK(r[4] == mat(2, 3, {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}));
  CHECK(r[5] == mat(3, 3, {1, 0, 0, 0, 1, 0, 0, 0, 1}, I64));
}

TEST_CASE("select, broadcast, sum_to, stop_gradient") {
  Tensor c = vec({1, 0, 1}, Bool);
  checkData(runOp(OpKind::Select, {c, vec({1, 2, 3}), sc(0)}, ty(F64, {3})), {1, 0, 3});
  checkData(runOp(OpKind::Select, {sc(0, Bool), vec({1, 2}), vec({5, 6})}, ty(F64, {2})), {5, 6});
  checkData(runOp(OpKind::Broadcast, {vec({1, 2, 3})}, ty(F64, {2, 3})), {1, 2, 3, 1, 2, 3});
  checkData(runOp(OpKind::Broadcast, {sc(4)}, ty(F64, {2})), {4, 4});
  checkData(runOp(OpKind::Broadcast, {mat(2, 1, {1, 2})}, ty(F64, {2, 3})), {1, 1, 1, 2, 2, 2});
  Tensor x = mat(2, 3, {1, 2, 3, 4, 5, 6});
  checkData(runOp(OpKind::SumTo, {x}, ty(F64, {3})), {5, 7, 9});
  checkData(runOp(OpKind::SumTo, {x}, ty(F64, {2, 1})), {6, 15});
  checkData(runOp(OpKind::SumTo, {x}, ty(F64, {1, 3})), {5, 7, 9});
  checkData(runOp(OpKind::SumTo, {x}, ty(F64)), {21});
  CHECK(runOp(OpKind::StopGradient, {x}, ty(F64, {2, 3})) == x);
}

TEST_CASE("reshape, transpose, concat, pack, diag") {
  Tensor x = mat(2, 3, {1, 2, 3, 4, 5, 6});
  Tensor r = runOp(OpKind::Reshape, {x}, ty(F64, {3, 2}));
  CHECK(r == mat(3, 2, {1, 2, 3, 4, 5, 6}));
  CHECK(runOp(OpKind::Reshape, {x}, ty(F64, {6})) == vec({1, 2, 3, 4, 5, 6}));
  CHECK(runOp(OpKind::Transpose, {x}, ty(F64, {3, 2})) == mat(3, 2, {1, 4, 2, 5, 3, 6}));
  CHECK(runOp(OpKind::Concat, {vec({1, 2}), vec({3})}, ty(F64, {3})) == vec({1, 2, 3}));
  CHECK(runOp(OpKind::Concat, {mat(1, 2, {1, 2}), mat(2, 2, {3, 4, 5, 6})}, ty(F64, {3, 2})) ==
        mat(3, 2, {1, 2, 3, 4, 5, 6}));
  CHECK(runOp(OpKind::Pack, {sc(1), sc(2)}, ty(F64, {2})) == vec({1, 2}));
  CHECK(runOp(OpKind::Pack, {vec({1, 2}), vec({3, 4}), vec({5, 6})}, ty(F64, {3, 2})) ==
        mat(3, 2, {1, 2, 3, 4, 5, 6}));
  CHECK(runOp(OpKind::Diag, {vec({1, 2})}, ty(F64, {2, 2})) == mat(2, 2, {1, 0, 0, 2}));
}

TEST_CASE("reshape with a data-dependent size checks the element count") {
  // fn f[N](x: f64[N]) -> f64[2, 2] = reshape(x)
  ir::Module m;
  FnBuilder f(m, "f", {"N"});
  Value *x = f.param(Type(F64, {sym(0)}), "x");
  f.ret({f.val(OpKind::Reshape, {x}, ty(F64, {2, 2}))});
  Interpreter in(m);
  CHECK(in.call("f", {vec({1, 2, 3, 4})}).at(0) == mat(2, 2, {1, 2, 3, 4}));
  auto e = runtimeError([&] { in.call("f", {vec({1, 2, 3, 4, 5, 6})}); });
  CHECK(std::string(e.what()) ==
        "cannot reshape 6 elements (shape [6]) to shape [2, 2] (4 elements)");
  CHECK(e.loc.line == 1);
  CHECK(e.loc.col == 5);
}

TEST_CASE("sum, prod, reduce_max, reduce_min") {
  Tensor x = vec({3, -1, 7, 2});
  CHECK(reduce(OpKind::Sum, x) == sc(11));
  CHECK(reduce(OpKind::Prod, x) == sc(-42));
  CHECK(reduce(OpKind::ReduceMax, x) == sc(7));
  CHECK(reduce(OpKind::ReduceMin, x) == sc(-1));
  CHECK(reduce(OpKind::Sum, mat(2, 2, {1, 2, 3, 4})) == sc(10));
  CHECK(reduce(OpKind::Sum, vec({})) == sc(0));
  CHECK(reduce(OpKind::Prod, vec({})) == sc(1));
  CHECK(reduce(OpKind::Sum, vec({1, 2, 3}, I64)) == i64(6));
  CHECK(reduce(OpKind::ReduceMax, vec({1, -5}, I64)) == i64(1));
  CHECK(std::isnan(reduce(OpKind::ReduceMax, vec({1, kNaN, 3})).item()));
  CHECK(std::isnan(reduce(OpKind::ReduceMin, vec({kNaN, 1})).item()));
  // f32 accumulates in float: ((0.1f + 0.2f) + 0.3f).
  float s = (0.1f + 0.2f) + 0.3f;
  CHECK(reduce(OpKind::Sum, vec({0.1f, 0.2f, 0.3f}, F32)) == sc(s, F32));
}

TEST_CASE("reduce_max / reduce_min / argmax of an empty tensor are runtime errors") {
  auto e = runtimeError([] { reduce(OpKind::ReduceMax, vec({})); });
  CHECK(std::string(e.what()) == "max of an empty tensor");
  CHECK(e.loc.line == 1);
  e = runtimeError([] { reduce(OpKind::ReduceMin, mat(0, 3, {})); });
  CHECK(std::string(e.what()) == "min of an empty tensor");
  e = runtimeError([] { runOp(OpKind::Argmax, {vec({})}, ty(I64)); });
  CHECK(std::string(e.what()) == "argmax of an empty tensor");
}

TEST_CASE("logsumexp and norm") {
  CHECK(reduce(OpKind::Logsumexp, vec({0, 0})).item() == doctest::Approx(kLn2));
  // The max shift keeps exp() in range: 1000 + log 2, not inf.
  CHECK(reduce(OpKind::Logsumexp, vec({1000, 1000})).item() == doctest::Approx(1000 + kLn2));
  CHECK(reduce(OpKind::Logsumexp, vec({-1000, -1000})).item() == doctest::Approx(-1000 + kLn2));
  CHECK(reduce(OpKind::Logsumexp, vec({-kInf, -kInf})).item() == -kInf);
  CHECK(reduce(OpKind::Logsumexp, vec({})).item() == -kInf);
  CHECK(reduce(OpKind::Logsumexp, vec({kInf, 1})).item() == kInf);
  CHECK(reduce(OpKind::Logsumexp, vec({-kInf, 3})).item() == 3);
  CHECK(std::isnan(reduce(OpKind::Logsumexp, vec({kNaN, 3})).item()));
  CHECK(reduce(OpKind::Norm, vec({3, 4})) == sc(5));
  CHECK(reduce(OpKind::Norm, mat(2, 2, {1, 2, 2, 4})) == sc(5));
  CHECK(reduce(OpKind::Norm, vec({})) == sc(0));
}

TEST_CASE("argmax: flat index of the first maximum") {
  CHECK(runOp(OpKind::Argmax, {vec({1, 3, 3, 2})}, ty(I64)) == i64(1));
  CHECK(runOp(OpKind::Argmax, {mat(2, 2, {1, 5, 5, 0})}, ty(I64)) == i64(1));
  CHECK(runOp(OpKind::Argmax, {mat(2, 2, {1, 0, 5, 0})}, ty(I64)) == i64(2));
  CHECK(runOp(OpKind::Argmax, {vec({1, kNaN, 9})}, ty(I64)) == i64(1));
  CHECK(runOp(OpKind::Argmax, {vec({-4, -2}, I64)}, ty(I64)) == i64(1));
}

TEST_CASE("matmul: all four forms, and outer") {
  Tensor a = mat(2, 2, {1, 2, 3, 4}), b = mat(2, 2, {5, 6, 7, 8});
  CHECK(runOp(OpKind::MatMul, {a, b}, ty(F64, {2, 2})) == mat(2, 2, {19, 22, 43, 50}));
  CHECK(runOp(OpKind::MatMul, {a, vec({1, 1})}, ty(F64, {2})) == vec({3, 7}));
  CHECK(runOp(OpKind::MatMul, {vec({1, 1}), a}, ty(F64, {2})) == vec({4, 6}));
  CHECK(runOp(OpKind::MatMul, {vec({1, 2, 3}), vec({4, 5, 6})}, ty(F64)) == sc(32));
  // Non-square: [2, 3] x [3, 1].
  CHECK(runOp(OpKind::MatMul, {mat(2, 3, {1, 2, 3, 4, 5, 6}), mat(3, 1, {1, 0, -1})},
              ty(F64, {2, 1})) == mat(2, 1, {-2, -2}));
  CHECK(runOp(OpKind::MatMul, {mat(2, 2, {1, 2, 3, 4}, I64), vec({1, -1}, I64)}, ty(I64, {2})) ==
        vec({-1, -1}, I64));
  // Empty inner dimension: all zeros.
  CHECK(runOp(OpKind::MatMul, {mat(2, 0, {}), mat(0, 2, {})}, ty(F64, {2, 2})) ==
        mat(2, 2, {0, 0, 0, 0}));
  CHECK(runOp(OpKind::Outer, {vec({1, 2}), vec({3, 4, 5})}, ty(F64, {2, 3})) ==
        mat(2, 3, {3, 4, 5, 6, 8, 10}));
}

TEST_CASE("softmax and log_softmax along the last axis") {
  // softmax([0, log 3]) = [1, 3] / 4
  Tensor s = runOp(OpKind::Softmax, {vec({0, std::log(3.0)})}, ty(F64, {2}));
  CHECK(s.data[0] == doctest::Approx(0.25));
  CHECK(s.data[1] == doctest::Approx(0.75));
  // Rows are independent and max-shifted: a row of 1000s does not overflow.
  Tensor m = runOp(OpKind::Softmax, {mat(2, 2, {0, 0, 1000, 1000})}, ty(F64, {2, 2}));
  checkData(m, {0.5, 0.5, 0.5, 0.5});
  Tensor l = runOp(OpKind::LogSoftmax, {vec({0, std::log(3.0)})}, ty(F64, {2}));
  CHECK(l.data[0] == doctest::Approx(std::log(0.25)));
  CHECK(l.data[1] == doctest::Approx(std::log(0.75)));
  // log_softmax([1000, 0]) = [-log(1 + e^-1000), -1000] = [0, -1000]
  checkData(runOp(OpKind::LogSoftmax, {vec({1000, 0})}, ty(F64, {2})), {0, -1000});
  checkData(runOp(OpKind::Softmax, {sc(7)}, ty(F64)), {1});
}
