// Control flow (if, for, while, map), calls with size bindings, recursion, tapes, and the cost of
// in-place updates.
#include "IrBuild.h"

#include "interp/RtValue.h"

#include <chrono>
#include <functional>
#include <pthread.h>
#include <thread>

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;

namespace {
Type f64s() { return ty(F64); }
Type i64s() { return ty(I64); }
Type bools() { return ty(Bool); }
} // namespace

TEST_CASE("if picks a region") {
  // fn f(x: f64) -> f64 = if x > 0 { x * 2 } else { -x }
  ir::Module m;
  FnBuilder f(m, "f");
  Value *x = f.param(f64s(), "x");
  Value *c = f.val(OpKind::Gt, {x, f.f64(0)}, bools());
  ir::Op *iff = f.op(OpKind::If, {c}, {f64s()});
  f.region(iff);
  f.yield({f.val(OpKind::Mul, {x, f.f64(2)}, f64s())});
  f.done();
  f.region(iff);
  f.yield({f.val(OpKind::Neg, {x}, f64s())});
  f.done();
  f.ret({iff->result()});
  Interpreter in(m);
  CHECK(in.call("f", {sc(3)}).at(0) == sc(6));
  CHECK(in.call("f", {sc(-4)}).at(0) == sc(4));
}

TEST_CASE("for: i = lo..hi-1, zero iterations when hi <= lo") {
  // fn f(lo: i64, hi: i64) -> i64 { var acc = 100; for i in lo..hi { acc = acc + i }; acc }
  ir::Module m;
  FnBuilder f(m, "f");
  Value *lo = f.param(i64s(), "lo"), *hi = f.param(i64s(), "hi");
  ir::Op *loop = f.op(OpKind::For, {lo, hi, f.int64(100)}, {i64s()});
  ir::Block *body = f.region(loop, {i64s(), i64s()});
  f.yield({f.val(OpKind::Add, {body->args[1], body->args[0]}, i64s())});
  f.done();
  f.ret({loop->result()});
  Interpreter in(m);
  CHECK(in.call("f", {i64(0), i64(5)}).at(0) == i64(110)); // 100 + 0+1+2+3+4
  CHECK(in.call("f", {i64(3), i64(5)}).at(0) == i64(107));
  CHECK(in.call("f", {i64(5), i64(5)}).at(0) == i64(100));
  CHECK(in.call("f", {i64(7), i64(2)}).at(0) == i64(100));
  CHECK(in.call("f", {i64(-2), i64(1)}).at(0) == i64(97)); // -2 + -1 + 0
}

TEST_CASE("while: Collatz steps") {
  // fn steps(n: i64) -> i64 { var x = n; var k = 0;
  //   while x != 1 { x = if x % 2 == 0 { x / 2 } else { 3x + 1 }; k += 1 }; k }
  ir::Module m;
  FnBuilder f(m, "steps");
  Value *n = f.param(i64s(), "n");
  ir::Op *w = f.op(OpKind::While, {n, f.int64(0)}, {i64s(), i64s()});
  ir::Block *cond = f.region(w, {i64s(), i64s()});
  f.yield({f.val(OpKind::Ne, {cond->args[0], f.int64(1)}, bools())});
  f.done();
  ir::Block *body = f.region(w, {i64s(), i64s()});
  Value *x = body->args[0], *k = body->args[1];
  Value *even =
      f.val(OpKind::Eq, {f.val(OpKind::Mod, {x, f.int64(2)}, i64s()), f.int64(0)}, bools());
  Value *half = f.val(OpKind::Div, {x, f.int64(2)}, i64s());
  Value *up = f.val(OpKind::Add, {f.val(OpKind::Mul, {x, f.int64(3)}, i64s()), f.int64(1)}, i64s());
  Value *next = f.val(OpKind::Select, {even, half, up}, i64s());
  f.yield({next, f.val(OpKind::Add, {k, f.int64(1)}, i64s())});
  f.done();
  f.ret({w->result(1)});
  Interpreter in(m);
  CHECK(in.call("steps", {i64(6)}).at(0) == i64(8)); // 6 3 10 5 16 8 4 2 1
  CHECK(in.call("steps", {i64(1)}).at(0) == i64(0));
  CHECK(in.call("steps", {i64(27)}).at(0) == i64(111));
}

TEST_CASE("map builds tensors from an index per extent") {
  // fn f[N](x: f64[N], w: f64[N]) -> (f64[N], i64[2, 3], f64[N, 2]) =
  //   ([x[i] * w[i] for i in 0..N], [10i + j for i in 0..2, j in 0..3], [[x[i], -x[i]] for i])
  ir::Module m;
  FnBuilder f(m, "f", {"N"});
  Type vecN(F64, {sym(0)});
  Value *x = f.param(vecN, "x"), *w = f.param(vecN, "w");
  ir::Op *m1 = f.op(OpKind::Map, {}, {vecN});
  m1->dims = {sym(0)};
  ir::Block *b1 = f.region(m1, {i64s()});
  auto at = [&](Value *t, Value *i) {
    ir::Op *o = f.op(OpKind::Index, {t, i}, {f64s()});
    o->ints = {ir::kPoint};
    return o->result();
  };
  f.yield({f.val(OpKind::Mul, {at(x, b1->args[0]), at(w, b1->args[0])}, f64s())});
  f.done();
  ir::Op *m2 = f.op(OpKind::Map, {}, {ty(I64, {2, 3})});
  m2->dims = {cst(2), cst(3)};
  ir::Block *b2 = f.region(m2, {i64s(), i64s()});
  f.yield({f.val(OpKind::Add, {f.val(OpKind::Mul, {b2->args[0], f.int64(10)}, i64s()), b2->args[1]},
                 i64s())});
  f.done();
  ir::Op *m3 = f.op(OpKind::Map, {}, {Type(F64, {sym(0), cst(2)})});
  m3->dims = {sym(0)};
  ir::Block *b3 = f.region(m3, {i64s()});
  Value *xi = at(x, b3->args[0]);
  f.yield({f.val(OpKind::Pack, {xi, f.val(OpKind::Neg, {xi}, f64s())}, ty(F64, {2}))});
  f.done();
  f.ret({m1->result(), m2->result(), m3->result()});
  auto r = Interpreter(m).call(*f.fn, {vec({1, 2, 3}), vec({4, 5, 6})});
  CHECK(r[0] == vec({4, 10, 18}));
  CHECK(r[1] == mat(2, 3, {0, 1, 2, 10, 11, 12}, I64));
  CHECK(r[2] == mat(3, 2, {1, -1, 2, -2, 3, -3}));
  auto empty = Interpreter(m).call(*f.fn, {vec({}), vec({})});
  CHECK(empty[0] == vec({}));
  CHECK(empty[2].shape == std::vector<int64_t>{0, 2});
}

TEST_CASE("calls evaluate the callee's sizes in the caller") {
  // fn g[M](v: f64[M], s: f64) -> f64[M] = v * s
  // fn f[N](X: f64[N, 2]) -> f64[2N] = g(reshape(X), 10)     (call dims = {2N})
  ir::Module m;
  FnBuilder g(m, "g", {"M"});
  Value *v = g.param(Type(F64, {sym(0)}), "v");
  Value *s = g.param(f64s(), "s");
  g.ret({g.val(OpKind::Mul, {v, s}, Type(F64, {sym(0)}))});
  FnBuilder f(m, "f", {"N"});
  Value *X = f.param(Type(F64, {sym(0), cst(2)}), "X");
  Dim twoN = cst(2) * sym(0);
  Value *flat = f.val(OpKind::Reshape, {X}, Type(F64, {twoN}));
  ir::Op *call = f.op(OpKind::Call, {flat, f.f64(10)}, {Type(F64, {twoN})});
  call->callee = "g";
  call->dims = {twoN};
  f.ret({call->result()});
  Interpreter in(m);
  CHECK(in.call("f", {mat(2, 2, {1, 2, 3, 4})}).at(0) == vec({10, 20, 30, 40}));
  CHECK(in.call("g", {vec({1, 2}), sc(3)}).at(0) == vec({3, 6}));
}

TEST_CASE("a call whose arguments contradict the callee's sizes is a runtime error") {
  // fn g[M](a: f64[M], b: f64[M]) -> f64 = 0;  fn f[N, K](x: f64[N], y: f64[K]) = g[M = N](x, y)
  ir::Module m;
  FnBuilder g(m, "g", {"M"});
  g.param(Type(F64, {sym(0)}), "a");
  g.param(Type(F64, {sym(0)}), "b");
  g.ret({g.f64(0)});
  FnBuilder f(m, "f", {"N", "K"});
  Value *x = f.param(Type(F64, {sym(0)}), "x"), *y = f.param(Type(F64, {sym(1)}), "y");
  ir::Op *call = f.op(OpKind::Call, {x, y}, {f64s()});
  call->callee = "g";
  call->dims = {sym(0)};
  f.ret({call->result()});
  Interpreter in(m);
  CHECK(in.call("f", {vec({1, 2}), vec({3, 4})}).at(0) == sc(0));
  auto e = runtimeError([&] { in.call("f", {vec({1, 2}), vec({3, 4, 5})}); });
  CHECK(std::string(e.what()) == "call to 'g': parameter 'b' expects f64[M] = [2], got f64 [3]");
  CHECK(e.loc.line == 1);
  CHECK(e.function == "f");
}

namespace {
/// fn rsum(n: i64) -> i64 = if n == 0 { 0 } else { n + rsum(n - 1) }
void buildRsum(ir::Module &m) {
  FnBuilder f(m, "rsum");
  Value *n = f.param(i64s(), "n");
  Value *c = f.val(OpKind::Eq, {n, f.int64(0)}, bools());
  ir::Op *iff = f.op(OpKind::If, {c}, {i64s()});
  f.region(iff);
  f.yield({f.int64(0)});
  f.done();
  f.region(iff);
  Value *n1 = f.val(OpKind::Sub, {n, f.int64(1)}, i64s());
  ir::Op *call = f.op(OpKind::Call, {n1}, {i64s()});
  call->callee = "rsum";
  f.yield({f.val(OpKind::Add, {n, call->result()}, i64s())});
  f.done();
  f.ret({iff->result()});
}
} // namespace

namespace {
/// Runs body on a new thread whose stack has the given size (pthread: std::thread cannot set it).
void onThreadWithStack(size_t bytes, const std::function<void()> &body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  auto start = [](void *p) -> void * {
    (*static_cast<const std::function<void()> *>(p))();
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attr, start, const_cast<std::function<void()> *>(&body)) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}
} // namespace

TEST_CASE("recursion works up to the call depth limit, then is a runtime error") {
  ir::Module m;
  buildRsum(m);
  Interpreter in(m);
  CHECK(in.call("rsum", {i64(10)}).at(0) == i64(55));
  // On a 64 MiB stack, so that the depth limit and not the stack is what stops the recursion
  // however big the build makes the interpreter's frames (AddressSanitizer's are several times
  // larger: the 8 MiB main thread ran out at depth 897).
  std::string depth999, depth1000, function;
  uint32_t line = 0;
  onThreadWithStack(64 << 20, [&] {
    try {
      depth999 = std::to_string(in.call("rsum", {i64(999)}).at(0).item());
    } catch (const RuntimeError &e) {
      depth999 = e.what();
    }
    try {
      in.call("rsum", {i64(1000)});
    } catch (const RuntimeError &e) {
      depth1000 = e.what();
      function = e.function;
      line = e.loc.line;
    }
  });
  // rsum(999) nests 1000 activations: the limit exactly.
  CHECK(depth999 == std::to_string(999.0 * 1000 / 2));
  CHECK(depth1000 == "call depth limit of 1000 exceeded calling 'rsum' (unbounded recursion?)");
  CHECK(function == "rsum");
  CHECK(line == 4); // eq, if, sub, call
  // The interpreter is still usable afterwards.
  CHECK(in.call("rsum", {i64(3)}).at(0) == i64(6));
}

TEST_CASE("deep recursion on a thread with a small stack is a runtime error, not a crash") {
  ir::Module m;
  buildRsum(m);
  Interpreter in(m);
  // 512 KiB: after the interpreter's 256 KiB reserve, far too little for 1000 nested calls.
  std::string error;
  std::vector<Tensor> result;
  onThreadWithStack(512 * 1024, [&] {
    try {
      result = in.call("rsum", {i64(999)});
    } catch (const RuntimeError &e) {
      error = e.what();
    }
  });
  CHECK(result.empty());
  CHECK(error.find("out of stack space at call depth") != std::string::npos);
}

TEST_CASE("calls from several threads at once") {
  ir::Module m;
  buildRsum(m);
  const Interpreter in(m);
  std::vector<int64_t> got(4, -1);
  std::vector<std::thread> threads;
  for (int64_t t = 0; t < 4; ++t)
    threads.emplace_back(
        [&, t] { got[t] = static_cast<int64_t>(in.call("rsum", {i64(100 + t)}).at(0).item()); });
  for (auto &th : threads)
    th.join();
  for (int64_t t = 0; t < 4; ++t)
    CHECK(got[t] == (100 + t) * (101 + t) / 2);
}

TEST_CASE("tapes: push, then pop in reverse order") {
  // t = tape.new; t = push(t, a); t = push(t, b); (t, x) = pop(t); (t, y) = pop(t); return x, y
  ir::Module m;
  FnBuilder f(m, "f");
  Value *a = f.param(ty(F64, {2}), "a"), *b = f.param(ty(F64, {2}), "b");
  Type tapeT(F64, {cst(2)}, true);
  Value *t = f.val(OpKind::TapeNew, {}, tapeT);
  t = f.val(OpKind::TapePush, {t, a}, tapeT);
  t = f.val(OpKind::TapePush, {t, b}, tapeT);
  ir::Op *p1 = f.op(OpKind::TapePop, {t}, {tapeT, ty(F64, {2})});
  ir::Op *p2 = f.op(OpKind::TapePop, {p1->result(0)}, {tapeT, ty(F64, {2})});
  f.ret({p1->result(1), p2->result(1)});
  auto r = Interpreter(m).call(*f.fn, {vec({1, 2}), vec({3, 4})});
  CHECK(r[0] == vec({3, 4}));
  CHECK(r[1] == vec({1, 2}));
}

TEST_CASE("popping an empty tape is an internal error") {
  ir::Module m;
  FnBuilder f(m, "f");
  Type tapeT(F64, {}, true);
  Value *t = f.val(OpKind::TapeNew, {}, tapeT);
  ir::Op *p = f.op(OpKind::TapePop, {t}, {tapeT, f64s()});
  f.ret({p->result(1)});
  CHECK_THROWS_AS(Interpreter(m).call(*f.fn, {}), InternalError);
}

namespace {

/// fn f[N](x: f64[N]) -> f64[N] { var y = x; for i in 0..N { <step> }; y } where step updates
/// y at i. Returns the function.
ir::Function *buildUpdateLoop(ir::Module &m, const char *name, OpKind k, bool viaIf) {
  FnBuilder f(m, name, {"N"});
  Type vecN(F64, {sym(0)});
  Value *x = f.param(vecN, "x");
  Value *n = f.b.dimValue(sym(0));
  ir::Op *loop = f.op(OpKind::For, {f.int64(0), n, x}, {vecN});
  ir::Block *body = f.region(loop, {i64s(), vecN});
  Value *i = body->args[0], *y = body->args[1];
  Value *fi = f.val(OpKind::Cast, {i}, f64s());
  auto update = [&] {
    ir::Op *u = f.op(k, {y, fi, i}, {vecN});
    u->ints = {ir::kPoint};
    return u->result();
  };
  if (!viaIf) {
    f.yield({update()});
  } else {
    // if i % 2 == 0 { update } else { y }: the branch moves y from the loop body.
    Value *c =
        f.val(OpKind::Eq, {f.val(OpKind::Mod, {i, f.int64(2)}, i64s()), f.int64(0)}, bools());
    ir::Op *iff = f.op(OpKind::If, {c}, {vecN});
    f.region(iff);
    f.yield({update()});
    f.done();
    f.region(iff);
    f.yield({y});
    f.done();
    f.yield({iff->result()});
  }
  f.done();
  f.ret({loop->result()});
  return f.fn;
}

/// fn w[N](x: f64[N]) -> f64[N] { var y = x; var i = 0; while i < N { y[i] = i; i += 1 }; y }
ir::Function *buildWhileUpdate(ir::Module &m) {
  FnBuilder f(m, "w", {"N"});
  Type vecN(F64, {sym(0)});
  Value *x = f.param(vecN, "x");
  Value *n = f.b.dimValue(sym(0));
  ir::Op *loop = f.op(OpKind::While, {x, f.int64(0)}, {vecN, i64s()});
  ir::Block *cond = f.region(loop, {vecN, i64s()});
  f.yield({f.val(OpKind::Lt, {cond->args[1], n}, bools())});
  f.done();
  ir::Block *body = f.region(loop, {vecN, i64s()});
  Value *i = body->args[1];
  ir::Op *u = f.op(OpKind::Update, {body->args[0], f.val(OpKind::Cast, {i}, f64s()), i}, {vecN});
  u->ints = {ir::kPoint};
  f.yield({u->result(), f.val(OpKind::Add, {i, f.int64(1)}, i64s())});
  f.done();
  f.ret({loop->result(0)});
  return f.fn;
}

/// Runs `run`; checks that it made no copy of a shared update target and, in optimized builds
/// without sanitizers, that it took under 2 seconds. Returns the seconds taken.
double checkInPlace(const std::function<void()> &run) {
  uint64_t copies = detail::sharedTargetCopies();
  auto t0 = std::chrono::steady_clock::now();
  run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(detail::sharedTargetCopies() == copies);
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
#endif
  return secs;
}

} // namespace

TEST_CASE("10^5 element updates of a 10^5-vector in a loop run in place") {
  // Copying the vector at each step would move 10^10 doubles (tens of seconds; 5 * 10^9 in the
  // `if` variant); in place each loop is well under a second.
  const int64_t n = 100000;
  ir::Module m;
  ir::Function *set = buildUpdateLoop(m, "set", OpKind::Update, false);
  ir::Function *add = buildUpdateLoop(m, "add", OpKind::UpdateAdd, false);
  ir::Function *half = buildUpdateLoop(m, "half", OpKind::Update, true);
  ir::Function *wloop = buildWhileUpdate(m);
  Interpreter in(m);
  Tensor ones = Tensor::zeros(F64, {n});
  for (double &v : ones.data)
    v = 1;
  std::vector<Tensor> r;
  double secs = checkInPlace([&] { r = in.call(*set, {Tensor::zeros(F64, {n})}); });
  MESSAGE("update loop: " << secs << " s");
  for (int64_t i = 0; i < n; i += 997)
    CHECK(r[0].data[static_cast<size_t>(i)] == static_cast<double>(i));
  secs = checkInPlace([&] { r = in.call(*add, {ones}); });
  CHECK(r[0].data[99999] == 100000);
  secs = checkInPlace([&] { r = in.call(*half, {ones}); });
  MESSAGE("update in an if branch: " << secs << " s");
  CHECK(r[0].data[4] == 4);
  CHECK(r[0].data[5] == 1);
  secs = checkInPlace([&] { r = in.call(*wloop, {ones}); });
  MESSAGE("update in a while loop: " << secs << " s");
  CHECK(r[0].data[77777] == 77777);
}

TEST_CASE("10^5 tape pushes and pops run in place") {
  // fn f[N](x: f64[N]) -> f64: push x[i] for every i, then pop them all, summing.
  ir::Module m;
  FnBuilder f(m, "f", {"N"});
  Type vecN(F64, {sym(0)});
  Type tapeT(F64, {}, true);
  Value *x = f.param(vecN, "x");
  Value *n = f.b.dimValue(sym(0));
  Value *t0 = f.val(OpKind::TapeNew, {}, tapeT);
  ir::Op *fwd = f.op(OpKind::For, {f.int64(0), n, t0}, {tapeT});
  ir::Block *b1 = f.region(fwd, {i64s(), tapeT});
  ir::Op *xi = f.op(OpKind::Index, {x, b1->args[0]}, {f64s()});
  xi->ints = {ir::kPoint};
  f.yield({f.val(OpKind::TapePush, {b1->args[1], xi->result()}, tapeT)});
  f.done();
  ir::Op *rev = f.op(OpKind::For, {f.int64(0), n, fwd->result(), f.f64(0)}, {tapeT, f64s()});
  ir::Block *b2 = f.region(rev, {i64s(), tapeT, f64s()});
  ir::Op *pop = f.op(OpKind::TapePop, {b2->args[1]}, {tapeT, f64s()});
  // acc * 2 + popped: the order of pops is visible in the result.
  Value *acc = f.val(OpKind::Add,
                     {f.val(OpKind::Mul, {b2->args[2], f.f64(2)}, f64s()), pop->result(1)}, f64s());
  f.yield({pop->result(0), acc});
  f.done();
  f.ret({rev->result(1)});
  Interpreter in(m);
  // Pops give x[2], x[1], x[0]: ((x2 * 2) + x1) * 2 + x0 = 4*x2 + 2*x1 + x0.
  CHECK(in.call(*f.fn, {vec({1, 10, 100})}).at(0) == sc(421));
  const int64_t big = 100000;
  double secs = checkInPlace([&] { in.call(*f.fn, {Tensor::zeros(F64, {big})}); });
  MESSAGE("tape loop: " << secs << " s");
}
