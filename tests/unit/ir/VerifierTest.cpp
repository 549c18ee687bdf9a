// The verifier accepts valid IR and names the op and the problem in broken IR.
#include "ir/Verifier.h"
#include "IRSamples.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"

#include <doctest/doctest.h>

using namespace diffc;
using namespace diffc::ir;
using namespace diffc::ir::test;

namespace {
const char *kCallee = "func @g[K](%x: f64[K]) -> f64[K] {\n  return %x\n}\n";
const char *kHeader =
    "func @f[N, D](%a: f64[N], %b: f64[D], %c: bool, %i: i64, %M: f64[N, D], %s: f64) -> f64 {\n";

std::unique_ptr<Module> parseOk(const std::string &text) {
  SourceFile file("test.ir", text);
  DiagnosticEngine diags(file);
  auto m = parseIR(file, diags);
  for (const auto &d : diags.diagnostics())
    MESSAGE(diags.render(d));
  REQUIRE(m);
  return m;
}

std::string joined(const std::vector<std::string> &errors) {
  std::string s;
  for (const auto &e : errors)
    s += e + "\n";
  return s;
}

/// The verifier's messages for @f with the given body (after kHeader), next to @g.
std::string errorsOf(const std::string &body) {
  auto m = parseOk(std::string(kCallee) + kHeader + body + "}\n");
  return joined(verifyModule(*m));
}
} // namespace

TEST_CASE("verifier accepts the samples") {
  auto m = buildAllSamples();
  CHECK(joined(verifyModule(*m)) == "");
  CHECK_NOTHROW(verifyOrThrow(*m, "test"));
  CHECK(errorsOf("  return %s\n") == "");
}

TEST_CASE("verifier rejects broken IR with a message naming the op") {
  struct Case {
    const char *body;
    const char *error; // the whole message list
  };
  const Case cases[] = {
      // structure and scoping
      {"  %r = if %c {\n    %y = exp %s : f64\n    yield %y\n  } else {\n    yield %s\n  } : f64\n"
       "  return %y\n",
       "@f: return: operand 0 %y is not visible here (defined later, or inside a region)\n"},
      {"  %y = exp %s : f64\n", "@f: %y = exp: block ends without a terminator (expected "
                                "'return')\n"},
      {"  return %s\n  %y = exp %s : f64\n  return %y\n",
       "@f: return: terminator is not the last op of its block\n"},
      {"  %r = if %c {\n    return %s\n  } else {\n    yield %s\n  } : f64\n  return %r\n",
       "@f: return: 'return' inside a region (use 'yield')\n"},
      {"  yield %s\n", "@f: yield: 'yield' in the function body (use 'return')\n"},
      {"  return %a\n", "@f: return: value 0 has type f64[N], expected f64\n"},
      {"  return %s, %s\n", "@f: return: returns 2 value(s), the function has 1 result(s)\n"},
      // elementwise
      {"  %y = add %a, %b : f64[N]\n  return %s\n",
       "@f: %y = add: operand 1 has type f64[D], expected f64[N] or f64\n"},
      {"  %y = add %s, %s : f64[N]\n  return %s\n",
       "@f: %y = add: no operand has the result type f64[N]\n"},
      {"  %y = exp %i : i64\n  return %s\n", "@f: %y = exp: element type i64 is not a float\n"},
      {"  %y = neg %a : f64[D]\n  return %s\n",
       "@f: %y = neg: result has type f64[D], expected f64[N]\n"},
      {"  %y = not %s : f64\n  return %s\n", "@f: %y = not: element type f64 is not bool\n"},
      {"  %y = lt %a, %s : f64[N]\n  return %s\n",
       "@f: %y = lt: result has type f64[N], expected bool elements\n"},
      {"  %y = lt %a, %i : bool[N]\n  return %s\n",
       "@f: %y = lt: operands have different element types (f64[N], i64)\n"},
      {"  %y = and %a, %a : f64[N]\n  return %s\n", "@f: %y = and: element type f64 is not bool\n"},
      // other ops
      {"  %y = matmul %M, %a : f64[N]\n  return %s\n",
       "@f: %y = matmul: inner dims differ: f64[N, D] times f64[N]\n"},
      {"  %y = matmul %M, %b : f64[D]\n  return %s\n",
       "@f: %y = matmul: result has type f64[D], expected f64[N]\n"},
      {"  %y = broadcast %b : f64[D, N]\n  return %s\n",
       "@f: %y = broadcast: operand f64[D] cannot broadcast to f64[D, N]\n"},
      {"  %y = sum_to %M : f64[N]\n  return %s\n",
       "@f: %y = sum_to: result f64[N] does not broadcast to operand f64[N, D]\n"},
      {"  %y = reshape %M : f64[N*N]\n  return %s\n",
       "@f: %y = reshape: element counts differ: N*D in f64[N, D], N*N in f64[N*N]\n"},
      {"  %y = concat %a, %a : f64[N]\n  return %s\n",
       "@f: %y = concat: first dims add up to 2*N, but the result has N\n"},
      {"  %y = transpose %M : f64[N, D]\n  return %s\n",
       "@f: %y = transpose: result has type f64[N, D], expected f64[D, N]\n"},
      {"  %y = sum %M : f64[N]\n  return %s\n",
       "@f: %y = sum: result has type f64[N], expected f64\n"},
      {"  %y = const 1.0 : f64[N]\n  return %s\n",
       "@f: %y = const: result has type f64[N], expected a scalar\n"},
      {"  %y = fill %i : f64[N]\n  return %s\n",
       "@f: %y = fill: operand 0 has type i64, expected f64\n"},
      {"  %y = eye : f64[N, D]\n  return %s\n",
       "@f: %y = eye: result has type f64[N, D], expected a square matrix\n"},
      {"  %y = select %a, %a, %a : f64[N]\n  return %s\n",
       "@f: %y = select: condition has type f64[N], expected bool of the result's shape or a "
       "scalar\n"},
      {"  %y = exp %s, %s : f64\n  return %s\n", "@f: %y = exp: expected 1 operand(s), got 2\n"},
      // indexing
      {"  %y = index %M[%i] : f64[D]\n  return %s\n",
       "@f: %y = index: 1 index mode(s) for f64[N, D] of rank 2\n"},
      {"  %y = index %M[%s, :] : f64[D]\n  return %s\n",
       "@f: %y = index: index operand 1 has type f64, expected i64\n"},
      {"  %y = index %M[%i +: 2, :] : f64[2, N]\n  return %s\n",
       "@f: %y = index: result has type f64[2, N], expected f64[2, D]\n"},
      {"  %y = update %M[%i, :], %a : f64[N, D]\n  return %s\n",
       "@f: %y = update: the new value (operand 1) has type f64[N], expected f64[D]\n"},
      // calls
      {"  %y = call @g[N](%b) : f64[N]\n  return %s\n",
       "@f: %y = call: argument 0 has type f64[D], expected f64[N]\n"},
      {"  %y = call @g[N + 1](%a) : f64[N + 1]\n  return %s\n",
       "@f: %y = call: argument 0 has type f64[N], expected f64[N + 1]\n"},
      {"  %y = call @g(%a) : f64[N]\n  return %s\n",
       "@f: %y = call: @g has 1 size parameter(s), the call gives 0\n"},
      {"  %y = call @h(%a) : f64[N]\n  return %s\n", "@f: %y = call: callee @h does not exist\n"},
      {"  %y, %z = call @g[N](%a) : f64[N], f64\n  return %s\n",
       "@f: %y, %z = call: @g returns 1 value(s), the call has 2 result(s)\n"},
      // control flow
      {"  %r = if %s {\n    yield %s\n  } else {\n    yield %s\n  } : f64\n  return %r\n",
       "@f: %r = if: condition has type f64, expected bool\n"},
      {"  %r = if %c {\n    yield %s\n  } else {\n    yield %a\n  } : f64\n  return %r\n",
       "@f: %r = if: else region yields f64[N] as value 0, expected f64\n"},
      {"  %r = for %k = %s to %i iter(%acc = %s) {\n    yield %acc\n  } : f64\n  return %r\n",
       "@f: %r = for: lower bound has type f64, expected i64\n"},
      {"  %r = for %k = %i to %i iter(%acc = %s) {\n    yield %a\n  } : f64\n  return %r\n",
       "@f: %r = for: body yields f64[N] as value 0, expected f64\n"},
      {"  %r = for %k = %i to %i iter(%acc = %s) {\n    yield %acc\n  } : f64[N]\n  return %s\n",
       "@f: %r = for: carried values (f64) and results (f64[N]) differ in type\n"},
      {"  %r = while (%v = %s) {\n    yield %v\n  } do (%w) {\n    yield %w\n  } : f64\n"
       "  return %r\n",
       "@f: %r = while: condition region yields f64 as value 0, expected bool\n"},
      {"  %m = map (%k < N) {\n    yield %b\n  } : f64[N]\n  return %s\n",
       "@f: %m = map: result has type f64[N], expected f64[N, D]\n"},
      // tapes
      {"  %t = tape.new : tape<f64[N]>\n  %t1 = tape.push %t, %b : tape<f64[N]>\n  return %s\n",
       "@f: %t1 = tape.push: the pushed value has type f64[D], expected f64[N]\n"},
      {"  %t = tape.new : tape<f64>\n  %y = add %t, %s : f64\n  return %s\n",
       "@f: %y = add: operand 0 is a tape (tape<f64>)\n"},
      {"  %t = tape.new : tape<f64>\n  %t1, %v = tape.pop %t : tape<f64>, f64[N]\n  return %s\n",
       "@f: %t1, %v = tape.pop: result 1 has type f64[N], expected f64\n"},
      {"  %t = tape.new : f64\n  return %s\n",
       "@f: %t = tape.new: result has type f64, expected a tape\n"},
  };
  for (const Case &c : cases) {
    INFO(c.body);
    CHECK(errorsOf(c.body) == c.error);
  }
}

TEST_CASE("verifier: pointer-level breakage only builders can make") {
  SUBCASE("a result used inside its own op's region") {
    Module m;
    FnBuilder f(m, "f", {});
    Value *c = f.param(T(ElemType::Bool), "c");
    f.fn->resultTypes = {F64()};
    Op *iff = f.b.create(OpKind::If, {c}, {F64()}, "r");
    f.b.setInsertionBlock(f.b.addRegion(iff, {}));
    f.yield({iff->result()});
    f.b.setInsertionBlock(f.b.addRegion(iff, {}));
    f.yield({iff->result()});
    f.b.setInsertionBlock(f.fn->body.get());
    f.ret({iff->result()});
    CHECK(joined(verifyFunction(m, *f.fn)) ==
          "@f: yield: operand 0 %r is not visible here (defined later, or inside a region)\n"
          "@f: yield: operand 0 %r is not visible here (defined later, or inside a region)\n");
  }
  SUBCASE("a value defined twice, a foreign value, a null operand") {
    Module m;
    Function *other = m.addFunction("other");
    Value *foreign = other->newValue(F64(), "q");
    FnBuilder f(m, "f", {});
    Value *x = f.param(F64(), "x");
    f.fn->resultTypes = {F64()};
    Op *a = f.b.create(OpKind::Exp, {x}, {F64()}, "y");
    Op *b = f.b.create(OpKind::Exp, {foreign}, {F64()});
    b->results[0] = a->results[0]; // the same value as a second result
    f.b.create(OpKind::Exp, {nullptr}, {F64()}, "z");
    f.ret({x});
    std::string errors = joined(verifyFunction(m, *f.fn));
    CHECK(errors.find("@f: %y = exp: operand 0 %q is not defined in this function") !=
          std::string::npos);
    CHECK(errors.find("@f: %y is defined twice (again as result 0 of 'exp')") != std::string::npos);
    CHECK(errors.find("@f: %z = exp: operand 0 is null") != std::string::npos);
  }
  SUBCASE("dims naming a size parameter the function lacks, parent pointers") {
    Module m;
    FnBuilder f(m, "f", {"N"});
    Value *x = f.param(F64({S(1)}), "x");
    f.fn->resultTypes = {F64()};
    Value *d = f.b.dimValue(S(0));
    d->def->dims.clear();
    Op *r = f.b.create(OpKind::Return, {f.b.constF64(1.0)}, {});
    r->parent = nullptr;
    (void)x;
    CHECK(joined(verifyFunction(m, *f.fn)) ==
          "@f: the type of %x uses size symbol $1 but the function has 1 size parameter(s)\n"
          "@f: %0 = dim: expected 1 dim attribute, got 0\n"
          "@f: return: op's parent pointer is not the block holding it\n");
  }
  SUBCASE("empty bodies and regions, wrong region counts") {
    Module m;
    FnBuilder f(m, "f", {});
    f.fn->resultTypes = {};
    CHECK(joined(verifyFunction(m, *f.fn)) ==
          "@f: function body is empty; it must end in 'return'\n");
    Value *c = f.b.constBool(true);
    Op *iff = f.b.create(OpKind::If, {c}, {});
    f.b.addRegion(iff, {});
    f.ret({});
    CHECK(joined(verifyFunction(m, *f.fn)) == "@f: if: region is empty; it must end in 'yield'\n"
                                              "@f: if: expected 2 region(s), got 1\n");
  }
}

TEST_CASE("verifier: dims too large to compare are reported, not overflowed") {
  auto m = parseOk("func @big[K](%x: f64[4611686018427387904*K]) -> () {\n  return\n}\n"
                   "func @f[N](%x: f64[N], %y: f64[4611686018427387904*N],\n"
                   "        %z: f64[2, 4611686018427387904]) -> () {\n"
                   "  call @big[4*N](%x)\n"
                   "  %r = reshape %z : f64[2*N]\n"
                   "  %c = concat %y, %y : f64[N]\n"
                   "  return\n"
                   "}\n");
  CHECK(joined(verifyModule(*m)) == "@f: call: the dims of argument 0 are too large to compare\n"
                                    "@f: %r = reshape: element counts are too large to compare\n"
                                    "@f: %c = concat: first dims are too large to add\n");
}

TEST_CASE("verifier: module-level checks and verifyOrThrow") {
  Module m;
  buildCallees(m);
  m.lookup("sq")->vjpRule = "missing";
  m.addFunction("gen")->body.reset();
  std::string errors = joined(verifyModule(m));
  CHECK(errors == "@sq: vjp rule @missing does not exist\n"
                  "@gen: function defined twice\n"
                  "@gen: function has no body\n");
  try {
    verifyOrThrow(m, "unit-test");
    FAIL("verifyOrThrow did not throw");
  } catch (const InternalError &e) {
    std::string what = e.what();
    CHECK(what.find("IR verification failed after unit-test:") == 0);
    CHECK(what.find("  @sq: vjp rule @missing does not exist\n") != std::string::npos);
    CHECK(what.find("func @sq(%x: f64) -> f64 vjp @missing {") != std::string::npos);
  }
}
