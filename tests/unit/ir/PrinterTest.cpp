// The printed form of builder-made IR, compared with text written by hand.
#include "ir/Printer.h"
#include "IRSamples.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

using namespace diffc::ir;
using namespace diffc::ir::test;

TEST_CASE("printer: loss function") {
  Module m;
  buildLoss(m);
  CHECK(printFunction(*m.functions[0]) == kLossText);
}

TEST_CASE("printer: control flow, tuples and named results") {
  Module m;
  buildControl(m);
  CHECK(printFunction(*m.functions[0]) == kControlText);
}

TEST_CASE("printer: constants, indexing, calls and tapes") {
  Module m;
  buildCallees(m);
  buildMisc(m);
  CHECK(printFunction(*m.lookup("misc")) == kMiscText);
  CHECK(printFunction(*m.lookup("sq")) == "func @sq(%x: f64) -> f64 vjp @sq_vjp {\n"
                                          "  %0 = mul %x, %x : f64\n"
                                          "  return %0\n"
                                          "}\n");
  CHECK(printFunction(*m.lookup("sq_vjp")) ==
        "func @sq_vjp(%x: f64, %y: f64, %dy: f64) -> (d_x: f64) {\n"
        "  %0 = const 2.0 : f64\n"
        "  %1 = mul %0, %x : f64\n"
        "  %d_x = mul %1, %dy : f64\n"
        "  return %d_x\n"
        "}\n");
  CHECK(printFunction(*m.lookup("gen")) == "func @gen[K](%x: f64[K]) -> (f64[K], f64) {\n"
                                           "  %0 = softmax %x : f64[K]\n"
                                           "  %1 = logsumexp %x : f64\n"
                                           "  return %0, %1\n"
                                           "}\n");
}

TEST_CASE("printer: every elementwise op") {
  Module m;
  buildElementwise(m);
  // Expected text from the mnemonic list: each op's operands as chosen by buildElementwise.
  std::string want = "func @elementwise[N](%x: f64[N], %s: f64, %k: i64[N], %p: bool[N]) -> () {\n";
  const OpKind all[] = {
#define DIFFC_OP(K, M, C) OpKind::K,
#include "ir/Ops.def"
  };
  int count = 0;
  for (OpKind k : all) {
    std::string mn = opMnemonic(k);
    switch (opClass(k)) {
    case OpClass::Unary:
      want += "  %" + mn + " = " + mn +
              (k == OpKind::Not   ? " %p : bool[N]\n"
               : k == OpKind::Abs ? " %k : i64[N]\n"
                                  : " %x : f64[N]\n");
      ++count;
      break;
    case OpClass::Binary:
      want += "  %" + mn + " = " + mn +
              (k == OpKind::And || k == OpKind::Or ? " %p, %p : bool[N]\n" : " %x, %s : f64[N]\n");
      ++count;
      break;
    case OpClass::Compare:
      want += "  %" + mn + " = " + mn + " %s, %x : bool[N]\n";
      ++count;
      break;
    case OpClass::Other:
      break;
    }
  }
  want += "  return\n}\n";
  CHECK(count == 27 + 12 + 6);
  CHECK(printFunction(*m.functions[0]) == want);
}

TEST_CASE("printer: the samples use every op kind") {
  auto m = buildAllSamples();
  std::set<OpKind> seen;
  for (auto &f : m->functions)
    walk(*f->body, [&](Op &op) { seen.insert(op.kind); });
  const OpKind all[] = {
#define DIFFC_OP(K, M, C) OpKind::K,
#include "ir/Ops.def"
  };
  for (OpKind k : all) {
    INFO("op " << opMnemonic(k));
    CHECK(seen.count(k) == 1);
  }
}

TEST_CASE("printer: module separates functions by a blank line") {
  Module m;
  buildCallees(m);
  std::string text = printModule(m);
  CHECK(text == printFunction(*m.functions[0]) + "\n" + printFunction(*m.functions[1]) + "\n" +
                    printFunction(*m.functions[2]));
}

TEST_CASE("printer: names") {
  Module m;
  FnBuilder f(m, "names", {});
  Value *a = f.param(F64(), "x");
  Value *b = f.param(F64(), "x");   // duplicate source name
  Value *c = f.param(F64(), "x.1"); // looks like a suffix already
  Value *d = f.param(F64(), "2nd"); // not an identifier
  Value *e = f.param(F64(), "a b");
  f.fn->resultTypes = {F64()};
  f.fn->resultIsTuple = true;
  Value *s = f.op(OpKind::Add, {a, b}, F64());
  Value *t = f.op(OpKind::Add, {s, c}, F64(), "x");
  Value *u = f.op(OpKind::Add, {t, d}, F64());
  Value *w = f.op(OpKind::Add, {u, e}, F64());
  f.ret({w});
  CHECK(printFunction(*f.fn) == "func @names(%x: f64, %x.1: f64, %x.1.1: f64, %_2nd: f64, "
                                "%a_b: f64) -> tuple(f64) {\n"
                                "  %0 = add %x, %x.1 : f64\n"
                                "  %x.2 = add %0, %x.1.1 : f64\n"
                                "  %1 = add %x.2, %_2nd : f64\n"
                                "  %2 = add %1, %a_b : f64\n"
                                "  return %2\n"
                                "}\n");
  ValueNamer namer(*f.fn);
  CHECK(namer(t) == "%x.2");
  CHECK(namer(nullptr) == "%<null>");
}

TEST_CASE("printer: function names that need quotes") {
  Module m;
  FnBuilder f(m, "my fn\"", {});
  f.fn->resultTypes = {};
  f.ret({});
  CHECK(printFunction(*f.fn) == "func @\"my fn\\\"\"() -> () {\n  return\n}\n");
}

TEST_CASE("formatFloat: shortest round-trip text") {
  CHECK(formatFloat(1.0) == "1.0");
  CHECK(formatFloat(0.1) == "0.1");
  CHECK(formatFloat(-2.5) == "-2.5");
  CHECK(formatFloat(100.0) == "100.0");
  CHECK(formatFloat(1e-7) == "1e-7");
  CHECK(formatFloat(1e22) == "1e22");
  CHECK(formatFloat(1.5e300) == "1.5e300");
  CHECK(formatFloat(0.0) == "0.0");
  CHECK(formatFloat(-0.0) == "-0.0");
  CHECK(formatFloat(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(formatFloat(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(formatFloat(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(formatFloat(-std::numeric_limits<double>::quiet_NaN()) == "-nan");
  CHECK(formatFloat(0.1 + 0.2) == "0.30000000000000004");
  CHECK(formatFloat(5e-324) == "5e-324");
  CHECK(formatFloat(1.7976931348623157e308) == "1.7976931348623157e308");
  // Every printed form reads back to the same bits.
  for (double v : {1.0 / 3.0, 2.0 / 3.0, 1e-310, 123456789.125, 6.02214076e23, -1e-5}) {
    std::string s = formatFloat(v);
    CHECK((s.find('.') != std::string::npos || s.find('e') != std::string::npos));
    CHECK(std::strtod(s.c_str(), nullptr) == v);
  }
}

TEST_CASE("printer: broken IR still prints") {
  Module m;
  FnBuilder f(m, "broken", {});
  f.fn->resultTypes = {F64()};
  Op *idx = f.b.create(OpKind::Index, {}, {F64()});
  idx->ints = {kPoint, 7};
  Op *loop = f.b.create(OpKind::For, {}, {});
  (void)loop;
  f.b.create(OpKind::Add, {nullptr}, {F64()});
  std::string text = printFunction(*f.fn);
  CHECK(text.find("index %<missing>[%<missing>, <bad mode 7>]") != std::string::npos);
  CHECK(text.find("for %<missing> = %<missing> to %<missing>") != std::string::npos);
  CHECK(text.find("add %<null>") != std::string::npos);
}
