// Elementwise ops: every unary, binary and comparison kind, per element type, with expected values
// worked out by hand (or by the closed form written next to them).
#include "IrBuild.h"

#include <limits>
#include <numbers>

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kE = std::numbers::e;
constexpr double kPi = std::numbers::pi;

Tensor unary(OpKind k, Tensor x) {
  Type t = typeOf(x);
  return runOp(k, {std::move(x)}, t);
}
Tensor binary(OpKind k, Tensor a, Tensor b, Type r) { return runOp(k, {std::move(a), std::move(b)}, r); }

void checkApprox(const Tensor &t, const std::vector<double> &want, double eps = 1e-15) {
  REQUIRE(t.data.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(t.data[i] == doctest::Approx(want[i]).epsilon(eps));
  }
}

} // namespace

TEST_CASE("unary f64 ops, exact cases") {
  checkData(unary(OpKind::Neg, vec({2.5, -1, 0})), {-2.5, 1, -0.0});
  checkData(unary(OpKind::Sqrt, vec({2.25, 0, -1})), {1.5, 0, kNaN});
  checkData(unary(OpKind::Abs, vec({-3, 3, -0.0})), {3, 3, 0});
  checkData(unary(OpKind::Sign, vec({-2, 0, 5, -0.0, kNaN})), {-1, 0, 1, 0, kNaN});
  CHECK_FALSE(std::signbit(unary(OpKind::Sign, sc(-0.0)).item()));
  checkData(unary(OpKind::Floor, vec({-1.5, 1.5, 2})), {-2, 1, 2});
  checkData(unary(OpKind::Ceil, vec({-1.5, 1.5, 2})), {-1, 2, 2});
  // Halfway cases round away from zero (not to even).
  checkData(unary(OpKind::Round, vec({2.5, -2.5, 0.5, 1.4999, -0.4})), {3, -3, 1, 1, -0.0});
  checkData(unary(OpKind::Relu, vec({-2, 3, 0, kNaN})), {0, 3, 0, kNaN});
  checkData(unary(OpKind::Exp, vec({0, -kInf})), {1, 0});
  checkData(unary(OpKind::Log, vec({1, 0, -1})), {0, -kInf, kNaN});
  checkData(unary(OpKind::Cos, sc(0)), {1});
  checkData(unary(OpKind::Cosh, sc(0)), {1});
  checkData(unary(OpKind::Acos, sc(1)), {0});
  checkData(unary(OpKind::Erf, vec({0, kInf, -kInf})), {0, 1, -1});
  checkData(unary(OpKind::Lgamma, vec({1, 2})), {0, 0});
}

TEST_CASE("unary f64 ops, closed forms") {
  checkApprox(unary(OpKind::Exp, sc(1)), {kE});
  checkApprox(unary(OpKind::Log, sc(kE)), {1});
  // log1p / expm1 keep tiny arguments: log(1 + 1e-20) would be 0.
  checkData(unary(OpKind::Log1p, sc(1e-20)), {1e-20});
  checkData(unary(OpKind::Expm1, sc(1e-20)), {1e-20});
  checkApprox(unary(OpKind::Log1p, sc(kE - 1)), {1});
  checkApprox(unary(OpKind::Expm1, sc(1)), {kE - 1});
  checkApprox(unary(OpKind::Cbrt, vec({-27, 8})), {-3, 2});
  checkApprox(unary(OpKind::Sin, sc(kPi / 6)), {0.5});
  checkApprox(unary(OpKind::Tan, sc(kPi / 4)), {1});
  checkApprox(unary(OpKind::Asin, sc(1)), {kPi / 2});
  checkApprox(unary(OpKind::Atan, sc(1)), {kPi / 4});
  checkApprox(unary(OpKind::Sinh, sc(1)), {(kE - 1 / kE) / 2});
  checkApprox(unary(OpKind::Cosh, sc(1)), {(kE + 1 / kE) / 2});
  checkApprox(unary(OpKind::Tanh, sc(0.5)), {(kE - 1) / (kE + 1)}); // (e^1 - 1)/(e^1 + 1)
  checkApprox(unary(OpKind::Erf, sc(1)), {0.8427007929497149});
  checkApprox(unary(OpKind::Lgamma, vec({5, 0.5})), {std::log(24.0), 0.5 * std::log(kPi)});
  checkApprox(unary(OpKind::Lgamma, sc(-0.5)), {std::log(2 * std::sqrt(kPi))}); // |G(-1/2)| = 2 sqrt(pi)
}

TEST_CASE("sigmoid and softplus are stable at the extremes") {
  checkData(unary(OpKind::Sigmoid, vec({0, 800, -800, kInf, -kInf})), {0.5, 1, 0, 1, 0});
  // sigmoid(-30) = e^-30 / (1 + e^-30): relative accuracy kept in the tail.
  checkApprox(unary(OpKind::Sigmoid, sc(-30)), {9.357622968839299e-14}, 1e-14);
  checkApprox(unary(OpKind::Sigmoid, sc(2)), {1 / (1 + std::exp(-2.0))});
  checkApprox(unary(OpKind::Softplus, sc(0)), {std::numbers::ln2});
  checkData(unary(OpKind::Softplus, vec({1000, -1000, kInf, -kInf})), {1000, 0, kInf, 0});
  // softplus(-40) = log(1 + e^-40) ~ e^-40 (not 0, as log(1 + exp(x)) would give).
  checkApprox(unary(OpKind::Softplus, sc(-40)), {4.248354255291589e-18}, 1e-14);
}

TEST_CASE("not, and, or on bool") {
  checkData(unary(OpKind::Not, vec({1, 0}, Bool)), {0, 1});
  Tensor a = vec({1, 1, 0, 0}, Bool), b = vec({1, 0, 1, 0}, Bool);
  checkData(binary(OpKind::And, a, b, ty(Bool, {4})), {1, 0, 0, 0});
  checkData(binary(OpKind::Or, a, b, ty(Bool, {4})), {1, 1, 1, 0});
}

TEST_CASE("binary f64 ops with scalar broadcasting") {
  Tensor x = vec({1, 2, 3});
  checkData(binary(OpKind::Add, x, sc(0.5), ty(F64, {3})), {1.5, 2.5, 3.5});
  checkData(binary(OpKind::Sub, sc(10), x, ty(F64, {3})), {9, 8, 7});
  checkData(binary(OpKind::Mul, x, x, ty(F64, {3})), {1, 4, 9});
  checkData(binary(OpKind::Div, x, sc(0), ty(F64, {3})), {kInf, kInf, kInf});
  checkData(binary(OpKind::Div, sc(0), sc(0), ty(F64)), {kNaN});
  // fmod: the remainder has the dividend's sign.
  checkData(binary(OpKind::Mod, vec({5.5, -5.5, 5.5}), vec({2, 2, -2}), ty(F64, {3})),
            {1.5, -1.5, 1.5});
  checkData(binary(OpKind::Pow, vec({2, 4, -8}), vec({10, 0.5, 1.0 / 3}), ty(F64, {3})),
            {1024, 2, kNaN});
  checkData(binary(OpKind::Min, vec({1, 5, kNaN}), vec({2, 3, 0}), ty(F64, {3})), {1, 3, kNaN});
  checkData(binary(OpKind::Max, vec({1, 5, 0}), vec({2, 3, kNaN}), ty(F64, {3})), {2, 5, kNaN});
  checkApprox(binary(OpKind::Atan2, vec({1, 1}), vec({1, -1}), ty(F64, {2})),
              {kPi / 4, 3 * kPi / 4});
  checkData(binary(OpKind::Hypot, sc(3), sc(4), ty(F64)), {5});
  checkData(binary(OpKind::Hypot, sc(3e300), sc(4e300), ty(F64)), {5e300}); // no overflow
}

TEST_CASE("NumPy broadcasting in elementwise ops") {
  // [2, 1] + [3] -> [2, 3]
  Tensor r = binary(OpKind::Add, mat(2, 1, {10, 20}), vec({1, 2, 3}), ty(F64, {2, 3}));
  CHECK(r.shape == std::vector<int64_t>{2, 3});
  checkData(r, {11, 12, 13, 21, 22, 23});
}

TEST_CASE("i64 arithmetic is exact") {
  Type t = ty(I64);
  // 2^52 + 1 needs every bit of the mantissa.
  checkData(binary(OpKind::Add, i64(int64_t(1) << 52), i64(1), t), {4503599627370497.0});
  checkData(binary(OpKind::Sub, i64(3), i64(5), t), {-2});
  checkData(binary(OpKind::Mul, i64(-6), i64(7), t), {-42});
  // Division truncates toward zero; the remainder has the dividend's sign.
  Tensor a = vec({7, -7, 7, -7}, I64), b = vec({2, 2, -2, -2}, I64);
  checkData(binary(OpKind::Div, a, b, ty(I64, {4})), {3, -3, -3, 3});
  checkData(binary(OpKind::Mod, vec({7, -7, 7, -7}, I64), vec({3, 3, -3, -3}, I64), ty(I64, {4})),
            {1, -1, 1, -1});
  checkData(binary(OpKind::Pow, vec({3, 2, -1, 1, -2}, I64), vec({4, -1, -3, -7, 3}, I64),
                   ty(I64, {5})),
            {81, 0, -1, 1, -8});
  checkData(binary(OpKind::Min, i64(3), i64(-4), t), {-4});
  checkData(binary(OpKind::Max, i64(3), i64(-4), t), {3});
  checkData(unary(OpKind::Neg, vec({5, 0}, I64)), {-5, 0});
  CHECK_FALSE(std::signbit(unary(OpKind::Neg, i64(0)).item())); // no -0 among integers
  checkData(unary(OpKind::Abs, i64(-9)), {9});
  checkData(unary(OpKind::Sign, vec({-9, 0, 4}, I64)), {-1, 0, 1});
}

TEST_CASE("i64 division by zero and overflow are runtime errors") {
  Type t = ty(I64);
  auto e = runtimeError([&] { binary(OpKind::Div, i64(1), i64(0), t); });
  CHECK(std::string(e.what()) == "integer division by zero");
  CHECK(e.loc.line == 1);
  CHECK(e.function == "f");
  e = runtimeError([&] { binary(OpKind::Mod, i64(1), i64(0), t); });
  CHECK(std::string(e.what()) == "integer division by zero");
  e = runtimeError([&] { binary(OpKind::Mul, i64(int64_t(1) << 40), i64(int64_t(1) << 20), t); });
  CHECK(std::string(e.what()).find("integer overflow") != std::string::npos);
  e = runtimeError([&] { binary(OpKind::Pow, i64(10), i64(20), t); });
  CHECK(std::string(e.what()).find("integer overflow") != std::string::npos);
  e = runtimeError([&] { binary(OpKind::Pow, i64(0), i64(-1), t); });
  CHECK(std::string(e.what()) == "integer division by zero");
  // 2^53 itself is still exact.
  checkData(binary(OpKind::Pow, i64(2), i64(53), t), {9007199254740992.0});
}

TEST_CASE("comparisons give bool with the broadcast shape") {
  Tensor x = vec({1, 2, 3, kNaN});
  auto cmp = [&](OpKind k) { return binary(k, x, sc(2), ty(Bool, {4})); };
  Tensor r = cmp(OpKind::Lt);
  CHECK(r.elem == Bool);
  checkData(r, {1, 0, 0, 0});
  checkData(cmp(OpKind::Le), {1, 1, 0, 0});
  checkData(cmp(OpKind::Gt), {0, 0, 1, 0});
  checkData(cmp(OpKind::Ge), {0, 1, 1, 0});
  checkData(cmp(OpKind::Eq), {0, 1, 0, 0});
  checkData(cmp(OpKind::Ne), {1, 0, 1, 1}); // NaN != 2
  checkData(binary(OpKind::Eq, vec({1, 0}, Bool), sc(1, Bool), ty(Bool, {2})), {1, 0});
  checkData(binary(OpKind::Lt, i64(-3), i64(2), ty(Bool)), {1});
}

TEST_CASE("f32 rounds after every op") {
  float a = 0.1f, b = 0.2f;
  Tensor r = binary(OpKind::Add, sc(a, F32), sc(b, F32), ty(F32));
  CHECK(r.elem == F32);
  CHECK(r.item() == static_cast<double>(a + b));
  CHECK(r.item() != static_cast<double>(a) + static_cast<double>(b)); // the double sum differs
  // 1/3 in f32 is the float nearest to 1/3.
  CHECK(binary(OpKind::Div, sc(1, F32), sc(3, F32), ty(F32)).item() ==
        static_cast<double>(1.0f / 3.0f));
  double e = unary(OpKind::Exp, sc(1, F32)).item();
  CHECK(static_cast<double>(static_cast<float>(e)) == e);
  CHECK(e == doctest::Approx(kE).epsilon(1e-7));
  // 2^24 + 1 is not a float: 16777216 + 1 rounds back to 16777216.
  CHECK(binary(OpKind::Add, sc(16777216, F32), sc(1, F32), ty(F32)).item() == 16777216);
  // An f32 constant holds the float nearest to its literal.
  ir::Module m;
  FnBuilder f(m, "c");
  f.ret({f.b.constF64(0.1, F32)});
  CHECK(Interpreter(m).call(*f.fn, {}).at(0).item() == static_cast<double>(0.1f));
}

TEST_CASE("cast") {
  Tensor r = runOp(OpKind::Cast, {vec({2.7, -2.7, -0.5, 1e15})}, ty(I64, {4}));
  CHECK(r.elem == I64);
  checkData(r, {2, -2, 0, 1e15});
  CHECK_FALSE(std::signbit(r.data[2]));
  checkData(runOp(OpKind::Cast, {vec({3, -4}, I64)}, ty(F64, {2})), {3, -4});
  checkData(runOp(OpKind::Cast, {vec({1, 0}, Bool)}, ty(F64, {2})), {1, 0});
  checkData(runOp(OpKind::Cast, {vec({0, 2, -0.5, kNaN})}, ty(Bool, {4})), {0, 1, 1, 1});
  checkData(runOp(OpKind::Cast, {sc(0.1)}, ty(F32)), {static_cast<double>(0.1f)});
  checkData(runOp(OpKind::Cast, {sc(0.1f, F32)}, ty(F64)), {static_cast<double>(0.1f)});
  auto e = runtimeError([] { runOp(OpKind::Cast, {sc(kNaN)}, ty(I64)); });
  CHECK(std::string(e.what()) == "cannot convert NaN to i64");
  e = runtimeError([] { runOp(OpKind::Cast, {sc(1e300)}, ty(I64)); });
  CHECK(std::string(e.what()).find("cannot convert 1e+300 to i64") != std::string::npos);
}
