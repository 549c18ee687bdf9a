// Every Unary, Binary and Compare op of Ops.def, on f64, f32, i64 and bool where defined, over
// special values (signed zeros, infinities, NaN, ties, huge arguments), compiled and compared bit
// for bit with the interpreter. A few results are also checked against the C library directly.
#include "Harness.h"

#include <fmt/format.h>

using namespace diffc::test;

namespace {

const std::vector<double> kFloats = {-800, -40,    -3.5,     -2.5,      -1,  -0.5, -0.0,
                                     0.0,  0.3,    0.5,      1,         2.5, 3.5,  40,
                                     800,  1e-300, INFINITY, -INFINITY, NAN};
const std::vector<double> kSecond = {3,  -2,  0.5,  -2.5, -1,   0.0, -0.0, -0.0,     2, 0.5,
                                     -1, 2.5, -3.5, 1e3,  -0.1, 7,   NAN,  INFINITY, 1};

const char *kFloatUnary[] = {"neg",   "exp",  "log",     "log1p", "expm1",    "sqrt", "cbrt",
                             "sin",   "cos",  "tan",     "asin",  "acos",     "atan", "sinh",
                             "cosh",  "tanh", "sigmoid", "relu",  "softplus", "abs",  "sign",
                             "floor", "ceil", "round",   "erf",   "lgamma"};
const char *kFloatBinary[] = {"add", "sub", "mul", "div",   "mod",
                              "pow", "min", "max", "atan2", "hypot"};
const char *kCompare[] = {"eq", "ne", "lt", "le", "gt", "ge"};

std::string unaryFn(const char *op, const char *elem) {
  return fmt::format(R"(func @f[N](%x: {1}[N], %s: {1}) -> ({1}[N], {1}) {{
  %y = {0} %x : {1}[N]
  %z = {0} %s : {1}
  return %y, %z
}}
)",
                     op, elem);
}

std::string binaryFn(const char *op, const char *elem, const char *result) {
  return fmt::format(
      R"(func @f[N](%a: {1}[N], %b: {1}[N], %s: {1}) -> ({2}[N], {2}[N], {2}[N], {2}) {{
  %y = {0} %a, %b : {2}[N]
  %l = {0} %s, %b : {2}[N]
  %r = {0} %a, %s : {2}[N]
  %z = {0} %s, %s : {2}
  return %y, %l, %r, %z
}}
)",
      op, elem, result);
}

} // namespace

TEST_CASE("codegen: float unary ops are bit-equal to the interpreter (f64 and f32)") {
  for (const char *elem : {"f64", "f32"}) {
    ElemType e = std::string(elem) == "f64" ? ElemType::F64 : ElemType::F32;
    for (const char *op : kFloatUnary) {
      INFO("op " << std::string(op));
      INFO("elem " << std::string(elem));
      auto j = jit(fromIR(unaryFn(op, elem)));
      for (double s : std::vector<double>{-2.5, -0.0, 0.7, NAN})
        same(*j, "f", {V(kFloats, e), Tensor::scalar(s, e)});
    }
  }
}

TEST_CASE("codegen: float binary ops and comparisons are bit-equal to the interpreter") {
  for (const char *elem : {"f64", "f32"}) {
    ElemType e = std::string(elem) == "f64" ? ElemType::F64 : ElemType::F32;
    for (const char *op : kFloatBinary) {
      INFO("op " << std::string(op));
      INFO("elem " << std::string(elem));
      auto j = jit(fromIR(binaryFn(op, elem, elem)));
      for (double s : std::vector<double>{-1.5, 0.0, 2.0, INFINITY, NAN})
        same(*j, "f", {V(kFloats, e), V(kSecond, e), Tensor::scalar(s, e)});
    }
    for (const char *op : kCompare) {
      INFO("op " << std::string(op));
      auto j = jit(fromIR(binaryFn(op, elem, "bool")));
      for (double s : std::vector<double>{-1.0, 0.0, NAN})
        same(*j, "f", {V(kFloats, e), V(kSecond, e), Tensor::scalar(s, e)});
    }
  }
}

TEST_CASE("codegen: i64 ops, including errors, agree with the interpreter") {
  std::vector<double> a = {-7, -3, -1, 0, 1, 2, 3, 7, 100, -100};
  std::vector<double> b = {2, -2, 3, 5, -1, 4, 3, -7, 3, 7};
  for (const char *op : {"neg", "abs", "sign"}) {
    INFO("op " << std::string(op));
    auto j = jit(fromIR(unaryFn(op, "i64")));
    same(*j, "f", {V(a, ElemType::I64), I(-5)});
  }
  for (const char *op : {"add", "sub", "mul", "div", "mod", "min", "max"}) {
    INFO("op " << std::string(op));
    auto j = jit(fromIR(binaryFn(op, "i64", "i64")));
    same(*j, "f", {V(a, ElemType::I64), V(b, ElemType::I64), I(3)});
    same(*j, "f", {V(a, ElemType::I64), V(b, ElemType::I64), I(-2)});
    // Division by zero (and 0 to a negative power) is a runtime error in both.
    same(*j, "f", {V(a, ElemType::I64), V(b, ElemType::I64), I(0)});
  }
  for (const char *op : kCompare) {
    INFO("op " << std::string(op));
    auto j = jit(fromIR(binaryFn(op, "i64", "bool")));
    same(*j, "f", {V(a, ElemType::I64), V(b, ElemType::I64), I(3)});
  }
}

TEST_CASE("codegen: i64 division truncates toward zero and fails on zero with a location") {
  auto j = jit(fromSource("fn f(a: i64, b: i64) -> (i64, i64) = (a / b, a % b);\n"));
  auto r = same(*j, "f", {I(-7), I(2)});
  CHECK(r[0].data[0] == -3);
  CHECK(r[1].data[0] == -1);
  try {
    j->call("f", {I(1), I(0)});
    FAIL("expected a runtime error");
  } catch (const diffc::interp::RuntimeError &e) {
    CHECK(std::string(e.what()) == "integer division by zero");
    CHECK(e.loc.line == 1);
    CHECK(e.loc.col > 1);
  }
}

TEST_CASE("codegen: bool ops") {
  std::vector<double> a = {0, 0, 1, 1}, b = {0, 1, 0, 1};
  auto nj = jit(fromIR(unaryFn("not", "bool")));
  same(*nj, "f", {V(a, ElemType::Bool), B(true)});
  for (const char *op : {"and", "or"}) {
    INFO("op " << std::string(op));
    auto j = jit(fromIR(binaryFn(op, "bool", "bool")));
    same(*j, "f", {V(a, ElemType::Bool), V(b, ElemType::Bool), B(true)});
    same(*j, "f", {V(a, ElemType::Bool), V(b, ElemType::Bool), B(false)});
  }
  for (const char *op : {"eq", "ne"}) {
    INFO("op " << std::string(op));
    auto j = jit(fromIR(binaryFn(op, "bool", "bool")));
    same(*j, "f", {V(a, ElemType::Bool), V(b, ElemType::Bool), B(true)});
  }
}

TEST_CASE("codegen: elementwise results against the C library and the documented formulas") {
  auto j = jit(fromSource(R"(
fn f(x: f64) -> (f64, f64, f64, f64, f64) =
  (sigmoid(x), softplus(x), relu(x), max(x, -x), pow(x, 2.0));
)"));
  auto r = j->call("f", {S(-3.0)});
  CHECK(r[0].data[0] == std::exp(-3.0) / (1 + std::exp(-3.0)));
  CHECK(r[1].data[0] == std::log1p(std::exp(-3.0)));
  CHECK(r[2].data[0] == 0.0);
  CHECK(r[3].data[0] == 3.0);
  CHECK(r[4].data[0] == std::pow(-3.0, 2.0));
  auto big = j->call("f", {S(800.0)});
  CHECK(big[0].data[0] == 1.0);
  CHECK(big[1].data[0] == 800.0);
}

TEST_CASE("codegen: x ^ 2 is the correctly rounded x * x, with a constant or a run-time exponent") {
  // glibc's pow(x, 2) rounds this x's square the other way (about one x in a thousand does).
  const double x = 1.0368391627375619;
  volatile double two = 2.0; // keeps the C++ compiler from turning std::pow into x * x
  REQUIRE(std::pow(x, two) != x * x);
  auto j = jit(fromSource(R"(
fn f(x: f64, y: f64, v: f64[2]) -> (f64, f64, f64[2], f64[2]) = (x ^ 2, x ^ y, v ^ 2, v ^ y);
fn g(x: f32, y: f32) -> (f32, f32) = (x ^ 2.0, x ^ y);
)"));
  auto r = same(*j, "f", {S(x), S(2.0), V({x, -x})});
  CHECK(r[0].data[0] == x * x);
  CHECK(r[1].data[0] == x * x);
  CHECK(r[2].data == std::vector<double>{x * x, x * x});
  CHECK(r[3].data == std::vector<double>{x * x, x * x});
  // Any other exponent is libm's pow.
  auto p = same(*j, "f", {S(x), S(3.0), V({x, -x})});
  CHECK(p[1].data[0] == std::pow(x, 3.0));
  const float xf = static_cast<float>(x);
  auto g = same(*j, "g", {Tensor::scalar(xf, ElemType::F32), Tensor::scalar(2.0, ElemType::F32)});
  CHECK(static_cast<float>(g[0].data[0]) == xf * xf);
  CHECK(static_cast<float>(g[1].data[0]) == xf * xf);
}
