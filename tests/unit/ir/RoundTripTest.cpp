// print -> parse -> print gives the same text, and parsing hand-written IR gives the IR meant.
#include "IRSamples.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::ir::test;

namespace {
std::unique_ptr<Module> parse(const std::string &text, std::string *diagText = nullptr) {
  SourceFile file("test.ir", text);
  DiagnosticEngine diags(file);
  auto m = parseIR(file, diags);
  if (diagText) {
    *diagText = "";
    for (const auto &d : diags.diagnostics())
      *diagText += diags.render(d);
  }
  CHECK((m == nullptr) == diags.hasErrors());
  return m;
}

void checkRoundTrip(const std::string &text) {
  std::string err;
  auto m = parse(text, &err);
  INFO(err);
  REQUIRE(m);
  CHECK(printModule(*m) == text);
}
} // namespace

TEST_CASE("round trip: every sample function") {
  auto m = buildAllSamples();
  REQUIRE(verifyModule(*m).empty());
  std::string text = printModule(*m);
  checkRoundTrip(text);
  // The parsed module is valid IR too.
  auto parsed = parse(text);
  REQUIRE(parsed);
  CHECK(verifyModule(*parsed).empty());
}

TEST_CASE("round trip: hand-written expectations parse back") {
  checkRoundTrip(kLossText);
  checkRoundTrip(kControlText);
}

TEST_CASE("round trip: notes, vjp rules, result forms") {
  checkRoundTrip("func @f(%x: f64) -> (a: f64, f64) vjp @\"g h\" {\n"
                 "  %y = exp %x : f64  // note with // inside\n"
                 "  %b = const false : bool\n"
                 "  %r = if %b {  // branch note\n"
                 "    yield %x\n"
                 "  } else {\n"
                 "    yield %y\n"
                 "  } : f64\n"
                 "  return %r, %x\n"
                 "}\n");
  checkRoundTrip("func @g() -> tuple() {\n  return\n}\n");
  checkRoundTrip("func @g() -> tuple(f64[3], i64) {\n"
                 "  %0 = const 1.0 : f64\n"
                 "  %1 = fill %0 : f64[3]\n"
                 "  %2 = const 9223372036854775807 : i64\n"
                 "  return %1, %2\n"
                 "}\n");
}

TEST_CASE("round trip: loops without carried values, empty while") {
  checkRoundTrip("func @f[N](%n: i64) -> () {\n"
                 "  %0 = const 0 : i64\n"
                 "  for %i = %0 to %n {\n"
                 "    yield\n"
                 "  }\n"
                 "  while () {\n"
                 "    %c = const false : bool\n"
                 "    yield %c\n"
                 "  } do () {\n"
                 "    yield\n"
                 "  }\n"
                 "  return\n"
                 "}\n");
}

TEST_CASE("parse: float constants keep their bits") {
  const double values[] = {0.1,
                           -0.0,
                           1e-310,
                           5e-324,
                           1.7976931348623157e308,
                           1.0 / 3.0,
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  for (double v : values) {
    std::string text =
        "func @f() -> f64 {\n  %0 = const " + formatFloat(v) + " : f64\n  return %0\n}\n";
    auto m = parse(text);
    REQUIRE(m);
    double got = m->functions[0]->body->ops[0]->fval;
    CHECK(std::memcmp(&got, &v, sizeof v) == 0);
    CHECK(printModule(*m) == text);
  }
  auto m = parse("func @f() -> f64 {\n  %0 = const -nan : f64\n  return %0\n}\n");
  REQUIRE(m);
  double got = m->functions[0]->body->ops[0]->fval;
  CHECK(std::isnan(got));
  CHECK(std::signbit(got));
  // Integer spellings of float constants are accepted and print with `.0`.
  m = parse("func @f() -> f32 {\n  %0 = const 3 : f32\n  return %0\n}\n");
  REQUIRE(m);
  CHECK(m->functions[0]->body->ops[0]->fval == 3.0);
  CHECK(printModule(*m) == "func @f() -> f32 {\n  %0 = const 3.0 : f32\n  return %0\n}\n");
}

TEST_CASE("parse: integers at the edges of i64") {
  auto m = parse("func @f() -> i64 {\n  %0 = const -9223372036854775808 : i64\n  return %0\n}\n");
  REQUIRE(m);
  CHECK(m->functions[0]->body->ops[0]->ival == std::numeric_limits<int64_t>::min());
}

TEST_CASE("parse: what the parser builds") {
  auto m = parse("// leading comment\n"
                 "func @f[N, D](%x: f64[N, D], %i: i64) -> f64[(N + 1)*D] {  // header comment\n"
                 "  // a line comment\n"
                 "  %5 = index %x[%i +: 2*N - 1, :] : f64[2*N - 1, D]\n"
                 "  %r = call @g[N + 1, D](%x) : f64[(N + 1)*D]\n"
                 "  return %r\n"
                 "}\n");
  REQUIRE(m);
  const Function &f = *m->functions[0];
  CHECK(m->sourceName == "test.ir");
  CHECK(f.loc.line == 2);
  CHECK(f.sizeParams == std::vector<std::string>{"N", "D"});
  Dim N = Dim::symbol(0), D = Dim::symbol(1), one = Dim::constant(1);
  REQUIRE(f.resultTypes.size() == 1);
  CHECK(f.resultTypes[0] == Type(ElemType::F64, {N * D + D}));
  const Op &idx = *f.body->ops[0];
  CHECK(idx.kind == OpKind::Index);
  CHECK(idx.loc.line == 4);
  CHECK(idx.loc.col == 3);
  CHECK(idx.note.empty());
  CHECK(idx.ints == std::vector<int64_t>{kSlice, kFull});
  REQUIRE(idx.dims.size() == 1);
  CHECK(idx.dims[0] == Dim::constant(2) * N - one);
  CHECK(idx.operands == std::vector<Value *>{f.params()[0], f.params()[1]});
  CHECK(idx.results[0]->name.empty()); // numbered values are unnamed
  CHECK(idx.results[0]->def == &idx);
  const Op &call = *f.body->ops[1];
  CHECK(call.callee == "g");
  CHECK(call.dims == std::vector<Dim>{N + one, D});
  CHECK(call.results[0]->name == "r");
  CHECK(call.parent == f.body.get());
  CHECK(f.body->ops[2]->operands[0] == call.results[0]);
}

TEST_CASE("parse: region arguments and carried types") {
  auto m = parse("func @f(%a: f64[3], %n: i64) -> f64[3] {\n"
                 "  %lo = const 0 : i64\n"
                 "  %r = for %i = %lo to %n iter(%acc = %a) {\n"
                 "    yield %acc\n"
                 "  } : f64[3]\n"
                 "  return %r\n"
                 "}\n");
  REQUIRE(m);
  const Op &loop = *m->functions[0]->body->ops[1];
  REQUIRE(loop.regions.size() == 1);
  const Block &body = *loop.regions[0];
  CHECK(body.parentOp == &loop);
  REQUIRE(body.args.size() == 2);
  CHECK(body.args[0]->type == Type::i64());
  CHECK(body.args[0]->name == "i");
  CHECK(body.args[1]->type == Type(ElemType::F64, {Dim::constant(3)}));
  CHECK(body.args[1]->ownerBlock == &body);
  CHECK(body.args[1]->index == 1);
  CHECK(verifyModule(*m).empty());
}
