// `--check-nan` (CodegenOptions::checkNonFinite, InterpreterOptions::checkNonFinite,
// diffc::Options::check_nan): the first op that produces NaN or inf, forward or in a gradient, is
// reported with its location, origin, element and operands, the same by the JIT and the
// interpreter; arguments that already hold one are named; clean programs are unaffected.
#include "Harness.h"

#include "diffc/diffc.hpp"

namespace diffc::test {
namespace {

const char *kProgram = R"(fn lg(x: f64, y: f64) -> f64 {
  let d = x - y;
  log(d) + x
}
fn root(x: f64[3]) -> f64 = sum(sqrt(x));
fn over(x: f64[4]) -> f64 = sum(x * x * x);
fn acc(x: f64[3]) -> f64 {
  var t = 0.0;
  for i in 0..3 {
    t += x[i] ^ 0.5;
  }
  t
}
fn powd(x: f64, p: f64) -> f64 = x ^ p;
fn mm(A: f64[2, 2], v: f64[2]) -> f64 = sum(A @ v);
fn narrow(x: f64[2]) -> f32 = sum(f32(x));
fn callee(a: f64) -> f64 = lgamma(a);
fn caller(x: f64[2]) -> f64 = sum([callee(x[i]) + 1.0 for i in 0..2]);
fn ok(x: f64[3]) -> f64 = sum(sqrt(x) * exp(x));
fn rows(A: f64[2, 3], s: f64) -> f64 {
  var B = A;
  for i in 0..2 {
    B[i, 1:3] += s;
  }
  sum(B)
}
)";

struct Outcome {
  std::string message; // empty: no error
  SourceLoc loc;
  std::vector<Tensor> results;
};

Outcome runInterp(const ir::Module &m, const std::string &fn, std::vector<Tensor> args) {
  interp::Interpreter in(m, interp::InterpreterOptions{.checkNonFinite = true});
  try {
    return {"", {}, in.call(fn, std::move(args))};
  } catch (const interp::RuntimeError &e) {
    return {e.what(), e.loc, {}};
  }
}

Outcome runJit(const codegen::JitModule &j, const std::string &fn, std::vector<Tensor> args) {
  try {
    return {"", {}, j.call(fn, args)};
  } catch (const interp::RuntimeError &e) {
    return {e.what(), e.loc, {}};
  }
}

/// Both executors with the check on report `want` at line:col (or both succeed when want is
/// empty, with bit-equal results).
void expectReport(const std::shared_ptr<ir::Module> &m, const codegen::JitModule &j,
                  const std::string &fn, std::vector<Tensor> args, const std::string &want,
                  uint32_t line = 0, uint32_t col = 0) {
  Outcome a = runInterp(*m, fn, args), b = runJit(j, fn, args);
  INFO(fn, ": interpreter '", a.message, "', jit '", b.message, "'");
  CHECK(a.message == want);
  CHECK(b.message == want);
  if (!want.empty()) {
    CHECK(a.loc.line == line);
    CHECK(a.loc.col == col);
    CHECK(b.loc.line == line);
    CHECK(b.loc.col == col);
    return;
  }
  REQUIRE(a.results.size() == b.results.size());
  for (size_t i = 0; i < a.results.size(); ++i)
    for (size_t k = 0; k < a.results[i].data.size(); ++k)
      CHECK(sameBits(a.results[i].data[k], b.results[i].data[k]));
}

std::string gradOf(ir::Module &m, const std::string &fn) {
  return ad::buildGradient(m, *m.lookup(fn))->name;
}

} // namespace

TEST_CASE("check-nan: the interpreter and the JIT report the same first op") {
  auto m = fromSource(kProgram);
  std::string groot = gradOf(*m, "root"), gacc = gradOf(*m, "acc"), gpow = gradOf(*m, "powd");
  std::string gok = gradOf(*m, "ok");
  codegen::CodegenOptions opts;
  opts.checkNonFinite = true;
  auto j = jit(m, opts);

  // Forward: a domain error with a named and an unnamed operand; the value otherwise.
  expectReport(m, *j, "lg", {S(2), S(2)}, "log produced -inf (forward); operands: d = 0", 3, 3);
  expectReport(m, *j, "lg", {S(1), S(2)}, "log produced nan (forward); operands: d = -1", 3, 3);
  expectReport(m, *j, "lg", {S(3), S(2)}, "");
  // Overflow in a tensor op: the first element, with both operands there.
  expectReport(m, *j, "over", {V({1, 2e103, 3e103, 4})},
               "mul produced inf at element 1 (forward); operands: 4e+206, x = 2e+103", 6, 33);
  // A reduction reports no operand values.
  expectReport(m, *j, "mm", {T({2, 2}, {1e308, 1e308, 0, 0}), V({1, 1})},
               "matmul produced inf at element 0 (forward)", 15, 45);
  // f64 -> f32 overflow.
  expectReport(m, *j, "narrow", {V({1, 1e39})},
               "cast produced inf at element 1 (forward); operands: x = 1e+39", 16, 35);
  // Inside a called function, reported at the callee's op.
  expectReport(m, *j, "caller", {V({1, 0})}, "lgamma produced inf (forward); operands: a = 0", 17,
               28);

  // update_add checks the elements it updates: row 1, column 1 overflows (flat index 4).
  expectReport(m, *j, "rows", {T({2, 3}, {1, 2, 3, 4, 1e308, 1e308}), S(8e307)},
               "update_add produced inf at element 4 (forward); operands: B = 1e+308, 8e+307", 23,
               10);
  expectReport(m, *j, "rows", {T({2, 3}, {1, 2, 3, 4, 5, 6}), S(1)}, "");

  // Adjoint only: sqrt(0) is finite, its derivative is not.
  expectReport(m, *j, "root", {V({1, 0, 4})}, "");
  expectReport(m, *j, groot, {V({1, 0, 4})},
               "div produced inf at element 1 (adjoint of sqrt); operands: 1, 0", 5, 33);
  // ... inside a loop's reverse sweep (x[i], unnamed, is recomputed there, not popped).
  expectReport(m, *j, gacc, {V({1, 0, 4})}, "pow produced inf (adjoint of pow); operands: 0, -0.5",
               10, 10);
  expectReport(m, *j, gpow, {S(0), S(-1)}, "pow produced inf (forward); operands: x = 0, p = -1",
               14, 34);

  // Inputs that already hold NaN or inf are named.
  expectReport(m, *j, "root", {V({1, std::nan(""), 4})}, "input 'x' is nan at element 1", 5, 4);
  expectReport(m, *j, groot, {V({1, 2, -INFINITY})}, "input 'x' is -inf at element 2", 5, 4);
  expectReport(m, *j, "lg", {S(INFINITY), S(2)}, "input 'x' is inf", 1, 4);

  // A clean gradient is unaffected (bit-equal in both executors, and to unchecked code).
  expectReport(m, *j, gok, {V({1, 2, 3})}, "");
  auto plain = jit(m);
  std::vector<Tensor> checked = j->call(gok, {V({1, 2, 3})}),
                      unchecked = plain->call(gok, {V({1, 2, 3})});
  for (size_t i = 0; i < checked.size(); ++i)
    CHECK(checked[i] == unchecked[i]);
  // d/dx sum(sqrt(x) exp(x)) = exp(x) (1 / (2 sqrt(x)) + sqrt(x))
  for (int k = 0; k < 3; ++k) {
    double x = k + 1;
    CHECK(checked[1].data[static_cast<size_t>(k)] ==
          doctest::Approx(std::exp(x) * (0.5 / std::sqrt(x) + std::sqrt(x))).epsilon(1e-12));
  }
}

TEST_CASE("check-nan: without the option nothing is checked") {
  auto m = fromSource(kProgram);
  std::string groot = gradOf(*m, "root");
  auto j = jit(m);
  std::vector<Tensor> r = j->call(groot, {V({1, 0, 4})});
  CHECK(std::isinf(r[1].data[1]));
  interp::Interpreter in(*m);
  CHECK(std::isinf(in.call(groot, {V({1, 0, 4})})[1].data[1]));
}

TEST_CASE("check-nan: host API Options::check_nan turns the report into diffc::Error") {
  diffc::Options o;
  o.check_nan = true;
  diffc::Jit jit(o);
  diffc::Module m = jit.compile_string(kProgram, "nan.diff");
  diffc::Function droot = m.gradient("root");
  std::vector<double> x = {1, 0, 4}, clean = {1, 4, 9};
  auto r = droot(diffc::view(clean, {3}));
  CHECK(r.value() == 6);
  CHECK(r.grad("x").data[1] == doctest::Approx(0.25).epsilon(1e-15));
  try {
    droot(diffc::view(x, {3}));
    FAIL("expected diffc::Error");
  } catch (const diffc::Error &e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("nan.diff:5:33: ") == 0);
    CHECK(msg.find("div produced inf at element 1 (adjoint of sqrt); operands: 1, 0") !=
          std::string::npos);
  }
  x[1] = std::nan("");
  try {
    m.function("root")(diffc::view(x, {3}));
    FAIL("expected diffc::Error");
  } catch (const diffc::Error &e) {
    CHECK(std::string(e.what()).find("input 'x' is nan at element 1") != std::string::npos);
  }
  // The same module compiled without the option returns the infinity.
  diffc::Module plain = diffc::Jit().compile_string(kProgram, "nan.diff");
  x[1] = 0;
  CHECK(std::isinf(plain.gradient("root")(diffc::view(x, {3})).grad("x").data[1]));
}

} // namespace diffc::test
