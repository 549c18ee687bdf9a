// Constant folding: values worked out by hand (or by the C++ expression written next to them),
// and the cases that must stay for the runtime to report.
#include "PassTestUtil.h"

#include <limits>

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::passes;
using namespace diffc::passes::test;

namespace {

/// f() returning `op a, b` on constants of type ty (result type rty).
std::string binary(const std::string &op, const std::string &a, const std::string &b,
                   const std::string &ty, const std::string &rty = "") {
  return "func @f() -> " + (rty.empty() ? ty : rty) + " {\n  %a = const " + a + " : " + ty +
         "\n  %b = const " + b + " : " + ty + "\n  %r = " + op +
         " %a, %b : " + (rty.empty() ? ty : rty) + "\n  return %r\n}\n";
}

std::string unary(const std::string &op, const std::string &a, const std::string &ty,
                  const std::string &rty = "") {
  return "func @f() -> " + (rty.empty() ? ty : rty) + " {\n  %a = const " + a + " : " + ty +
         "\n  %r = " + op + " %a : " + (rty.empty() ? ty : rty) + "\n  return %r\n}\n";
}

/// The folded constant, or nullopt when f still computes its result.
std::optional<double> fold(const std::string &text) {
  auto m = simplified(text);
  const Function &f = *m->lookup("f");
  auto c = returnedConst(f);
  if (c)
    CHECK(countAllOps(f) == 2); // the constant and the return: the operands are dead
  return c;
}

/// The op f returns after simplification (the fold did not happen).
OpKind remaining(const std::string &text) {
  auto m = simplified(text);
  return returnedDef(*m->lookup("f"))->kind;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

} // namespace

TEST_CASE("f64 arithmetic folds to the IEEE result") {
  CHECK(fold(binary("add", "0.1", "0.2", "f64")) == 0.30000000000000004);
  CHECK(fold(binary("sub", "1.0", "3.0", "f64")) == -2.0);
  CHECK(fold(binary("mul", "1.5", "-4.0", "f64")) == -6.0);
  CHECK(fold(binary("mod", "7.5", "2.0", "f64")) == 1.5);
  CHECK(fold(binary("pow", "2.0", "10.0", "f64")) == 1024.0);
  CHECK(fold(binary("min", "2.0", "-1.0", "f64")) == -1.0);
  CHECK(fold(binary("max", "2.0", "-1.0", "f64")) == 2.0);
  CHECK(fold(binary("hypot", "3.0", "4.0", "f64")) == 5.0);
  auto nan = fold(binary("sub", "inf", "inf", "f64"));
  REQUIRE(nan);
  CHECK(std::isnan(*nan));
  auto negZero = fold(binary("mul", "-1.0", "0.0", "f64"));
  REQUIRE(negZero);
  CHECK(sameBits(*negZero, -0.0));
}

TEST_CASE("f64 unary ops fold") {
  CHECK(fold(unary("neg", "2.5", "f64")) == -2.5);
  CHECK(fold(unary("exp", "0.0", "f64")) == 1.0);
  CHECK(fold(unary("log", "1.0", "f64")) == 0.0);
  CHECK(fold(unary("sqrt", "2.25", "f64")) == 1.5);
  CHECK(fold(unary("sigmoid", "0.0", "f64")) == 0.5);
  CHECK(fold(unary("relu", "-3.0", "f64")) == 0.0);
  CHECK(fold(unary("abs", "-3.0", "f64")) == 3.0);
  CHECK(fold(unary("sign", "-7.0", "f64")) == -1.0);
  CHECK(fold(unary("floor", "-1.5", "f64")) == -2.0);
  CHECK(fold(unary("round", "2.5", "f64")) == 3.0); // halfway away from zero
  CHECK(fold(unary("lgamma", "1.0", "f64")) == 0.0);
  CHECK(fold(unary("softplus", "0.0", "f64")) == std::log(2.0));
}

TEST_CASE("f32 folds in single precision") {
  CHECK(fold(binary("add", "0.1", "0.2", "f32")) == static_cast<double>(0.1f + 0.2f));
  CHECK(fold(binary("div", "1.0", "3.0", "f32")) == static_cast<double>(1.0f / 3.0f));
  CHECK(fold(unary("neg", "0.1", "f32")) == static_cast<double>(-0.1f));
}

TEST_CASE("i64 arithmetic folds exactly, truncating division") {
  CHECK(fold(binary("add", "2", "3", "i64")) == 5);
  CHECK(fold(binary("sub", "2", "3", "i64")) == -1);
  CHECK(fold(binary("mul", "-4", "6", "i64")) == -24);
  CHECK(fold(binary("div", "7", "-2", "i64")) == -3);
  CHECK(fold(binary("div", "-7", "2", "i64")) == -3);
  CHECK(fold(binary("mod", "7", "-2", "i64")) == 1); // sign of the dividend
  CHECK(fold(binary("mod", "-7", "2", "i64")) == -1);
  CHECK(fold(binary("min", "4", "-9", "i64")) == -9);
  CHECK(fold(binary("max", "4", "-9", "i64")) == 4);
  CHECK(fold(unary("neg", "5", "i64")) == -5);
  CHECK(fold(unary("abs", "-5", "i64")) == 5);
  CHECK(fold(unary("sign", "-5", "i64")) == -1);
  // 2^52 * 2 = 2^53 is still exact; one more is not folded.
  CHECK(fold(binary("mul", "4503599627370496", "2", "i64")) == 9007199254740992.0);
  CHECK(remaining(binary("add", "9007199254740992", "1", "i64")) == OpKind::Add);
  CHECK(remaining(binary("mul", "4611686018427387904", "4", "i64")) == OpKind::Mul);
}

TEST_CASE("NaN or inf from finite constants is left for the runtime (--check-nan reports it)") {
  CHECK(remaining(binary("div", "1.0", "0.0", "f64")) == OpKind::Div);
  CHECK(remaining(binary("mul", "1e200", "1e200", "f64")) == OpKind::Mul);
  CHECK(remaining(unary("log", "0.0", "f64")) == OpKind::Log);
  CHECK(remaining(unary("sqrt", "-1.0", "f64")) == OpKind::Sqrt);
  CHECK(remaining(unary("cast", "1e300", "f64", "f32")) == OpKind::Cast);
  // From non-finite constants it folds as IEEE says.
  CHECK(fold(binary("add", "inf", "1.0", "f64")) == kInf);
}

TEST_CASE("integer division by zero is left for the runtime error") {
  CHECK(remaining(binary("div", "1", "0", "i64")) == OpKind::Div);
  CHECK(remaining(binary("mod", "1", "0", "i64")) == OpKind::Mod);
}

TEST_CASE("comparisons, booleans and casts fold") {
  CHECK(fold(binary("lt", "1.0", "2.0", "f64", "bool")) == 1);
  CHECK(fold(binary("lt", "1.0", "nan", "f64", "bool")) == 0);
  CHECK(fold(binary("ne", "nan", "nan", "f64", "bool")) == 1);
  CHECK(fold(binary("eq", "0.0", "-0.0", "f64", "bool")) == 1);
  CHECK(fold(binary("ge", "3", "3", "i64", "bool")) == 1);
  CHECK(fold(binary("and", "true", "false", "bool")) == 0);
  CHECK(fold(binary("or", "true", "false", "bool")) == 1);
  CHECK(fold(unary("not", "false", "bool")) == 1);
  CHECK(fold(unary("cast", "-2.7", "f64", "i64")) == -2); // toward zero
  CHECK(fold(unary("cast", "3", "i64", "f64")) == 3.0);
  CHECK(fold(unary("cast", "3", "i64", "bool")) == 1);
  CHECK(fold(unary("cast", "0.1", "f64", "f32")) == static_cast<double>(0.1f));
  // NaN and out-of-range values have no i64: a runtime error, not a folded constant.
  CHECK(remaining(unary("cast", "nan", "f64", "i64")) == OpKind::Cast);
  CHECK(remaining(unary("cast", "1e300", "f64", "i64")) == OpKind::Cast);
}

TEST_CASE("dim of a constant dim folds; a symbolic one stays") {
  auto m = simplified(R"(
func @f[N]() -> (i64, i64) {
  %a = dim 6 : i64
  %b = dim N - 1 : i64
  return %a, %b
}
)");
  const Function &f = *m->lookup("f");
  CHECK(returnedConst(f, 0) == 6);
  CHECK(returnedDef(f, 1)->kind == OpKind::DimValue);
}

TEST_CASE("folding chains through several ops and keeps the source name") {
  auto m = simplified(R"(
func @f(%x: f64) -> f64 {
  %a = const 2.0 : f64
  %b = const 3.0 : f64
  %c = mul %a, %b : f64
  %d = sub %c, %a : f64
  %y = mul %x, %d : f64
  return %y
}
)");
  const Function &f = *m->lookup("f");
  const Op *mul = returnedDef(f);
  REQUIRE(mul->kind == OpKind::Mul);
  CHECK(constValue(mul->operand(1)->def) == 4.0);
  CHECK(mul->operand(1)->name == "d");
  CHECK(countAllOps(f) == 3);
}

TEST_CASE("tensor ops of constants are not folded into scalars") {
  auto m = simplified(R"(
func @f[N]() -> f64[N] {
  %a = const 2.0 : f64
  %t = fill %a : f64[N]
  %r = exp %t : f64[N]
  return %r
}
)");
  CHECK(returnedDef(*m->lookup("f"))->kind == OpKind::Exp);
}
