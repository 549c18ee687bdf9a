// Resource limits of compiled code and determinism of its results:
//   - the memory cap per call: Options::max_memory, Function::with_max_memory and the C ABI
//     (diffc_ctx_set_memory_limit -> DIFFC_ERR_MEMORY_LIMIT), for temporaries and for tapes, and
//     the interpreter's (InterpreterOptions::maxMemory), which gives the same error;
//   - tensor sizes whose element count overflows int64 (DIFFC_ERR_TOO_LARGE);
//   - the same program and inputs give bit-identical results from call to call, from one Jit to
//     another and from thread to thread (without --fast-math, which lets LLVM reassociate).
#include "Harness.h"

#include "diffc/abi.h"
#include "diffc/diffc.hpp"

#include <cmath>
#include <cstring>
#include <thread>

using namespace diffc::test;

namespace {

const char *kProgram = R"(
fn big[N](v: f64[N]) -> f64 = sum(fill(v[0], 1000000) * 3.0);
fn tape(x: f64) -> f64 {
  var acc = x;
  for i in 0..20000 {
    acc = sin(acc) * 1.0001;
  }
  acc
}
fn huge[N](v: f64[N]) -> f64 = sum(zeros(N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N) + v[0]);
fn mix[N](x: f64[N], s: f64) -> f64 = logsumexp(x * s) + sum(tanh(x) * exp(-x * x)) / s;
)";

std::string errorOf(const diffc::Function &f, std::initializer_list<diffc::Arg> args) {
  try {
    f.call(args);
  } catch (const diffc::Error &e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("limits: a memory cap per call refuses temporaries and tapes, not smaller calls") {
  diffc::Jit jit;
  diffc::Module m = jit.compile_string(kProgram, "limits.diff");
  std::vector<double> v{2.0};
  diffc::Function big = m.function("big");
  CHECK(big(diffc::view(v, {1})).scalar() == 6e6); // 1e6 * 2.0 * 3.0, exact
  std::string err = errorOf(big.with_max_memory(1 << 20), {diffc::view(v, {1})});
  CHECK(contains(err, "memory limit of 1048576 bytes exceeded (allocating 8000000 bytes)"));
  CHECK(contains(err, "limits.diff:2:"));
  // The cap belongs to the Function value: the original is unaffected, a larger cap fits.
  CHECK(big(diffc::view(v, {1})).scalar() == 6e6);
  CHECK(big.with_max_memory(64 << 20)(diffc::view(v, {1})).scalar() == 6e6);

  // The tape of 20000 iterations (8 bytes each, doubling) does not fit in 64 KiB.
  diffc::Function g = m.gradient("tape");
  double full = g(0.5).value();
  CHECK(contains(errorOf(g.with_max_memory(64 << 10), {0.5}), "memory limit of 65536 bytes"));
  CHECK(g(0.5).value() == full);

  // Options::max_memory applies to every function of a module.
  diffc::Options o;
  o.max_memory = 64 << 10;
  diffc::Module capped = jit.compile_string(kProgram, "limits.diff", o);
  CHECK(contains(errorOf(capped.function("big"), {diffc::view(v, {1})}), "memory limit"));
  CHECK(contains(errorOf(capped.gradient("tape"), {0.5}), "memory limit"));
}

TEST_CASE("limits: the C ABI reports the cap as DIFFC_ERR_MEMORY_LIMIT") {
  auto m = fromSource(kProgram);
  auto j = jit(m);
  diffc::codegen::EntryFn big = j->entry("big");
  REQUIRE(static_cast<bool>(big));
  diffc_ctx *ctx = diffc_ctx_create();
  REQUIRE(ctx);
  double v = 2.0, out = 0;
  int64_t sizes[] = {1};
  const void *args[] = {&v};
  void *results[] = {&out};
  diffc_ctx_set_memory_limit(ctx, 1 << 20);
  CHECK(big(ctx, sizes, args, results) == DIFFC_ERR_MEMORY_LIMIT);
  CHECK(ctx->error.a == 8000000);
  CHECK(ctx->error.b == 1 << 20);
  CHECK(diffc_ctx_reserved(ctx) <= 1 << 20);
  diffc_ctx_set_memory_limit(ctx, 0);
  CHECK(big(ctx, sizes, args, results) == DIFFC_OK);
  CHECK(out == 6e6);
  diffc_ctx_destroy(ctx);
}

/// The error of fn under a memory cap in the interpreter and in the JIT ("" when it ran), with the
/// location, as `line:col: message`.
std::pair<std::string, std::string> cappedErrors(const std::shared_ptr<diffc::ir::Module> &m,
                                                 const std::string &fn,
                                                 const std::vector<Tensor> &args, int64_t cap) {
  auto describe = [](const diffc::interp::RuntimeError &e) {
    return std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) + ": " + e.what();
  };
  std::string in, jitted;
  diffc::interp::Interpreter interp(*m, diffc::interp::InterpreterOptions{.maxMemory = cap});
  try {
    interp.call(fn, args);
  } catch (const diffc::interp::RuntimeError &e) {
    in = describe(e);
  }
  diffc::codegen::CodegenOptions opts;
  opts.maxMemory = cap;
  try {
    jit(m, opts)->call(fn, args);
  } catch (const diffc::interp::RuntimeError &e) {
    jitted = describe(e);
  }
  return {in, jitted};
}

TEST_CASE("limits: the interpreter honours the memory cap with compiled code's error") {
  auto m = fromSource(kProgram);
  std::vector<Tensor> v{V({2.0})};
  // A request larger than the cap: the same message at the same op in both executors.
  auto [in, jitted] = cappedErrors(m, "big", v, 1 << 20);
  CHECK(in == "2:35: memory limit of 1048576 bytes exceeded (allocating 8000000 bytes)");
  CHECK(in == jitted);
  // Under a cap that fits, both run (and agree bit for bit, as without a cap).
  std::tie(in, jitted) = cappedErrors(m, "big", v, 16 << 20);
  CHECK(in.empty());
  CHECK(jitted.empty());
  diffc::interp::Interpreter capped(*m, diffc::interp::InterpreterOptions{.maxMemory = 16 << 20});
  CHECK(capped.call("big", v)[0].item() == 6e6);

  // The reverse sweep's tape: 20000 entries of 8 bytes do not fit in 64 KiB in either executor,
  // which both blame the loop. Only the request differs: compiled code reserves the whole loop's
  // tape at once, the interpreter fails at the 8-byte push that crosses the cap.
  diffc::ir::Function *g = diffc::ad::buildGradient(*m, *m->lookup("tape"));
  std::tie(in, jitted) = cappedErrors(m, g->name, {S(0.5)}, 64 << 10);
  CHECK(in == "5:3: memory limit of 65536 bytes exceeded (allocating 8 bytes)");
  CHECK(jitted == "5:3: memory limit of 65536 bytes exceeded (allocating 160000 bytes)");
  std::tie(in, jitted) = cappedErrors(m, g->name, {S(0.5)}, 1 << 20);
  CHECK(in.empty());
  CHECK(jitted.empty());

  // Memory is given back when values die: 200 temporaries of 400 KB, one alive at a time, fit
  // under 1 MiB in both (a meter that only counted up would refuse the third).
  auto loop = fromSource(R"(
fn churn(x: f64) -> f64 {
  var acc = 0.0;
  for i in 0..200 {
    acc = acc + sum(fill(x, 50000) * 2.0);
  }
  acc
}
)");
  std::tie(in, jitted) = cappedErrors(loop, "churn", {S(0.5)}, 1 << 20);
  CHECK(in.empty());
  CHECK(jitted.empty());
  diffc::interp::Interpreter churn(*loop, diffc::interp::InterpreterOptions{.maxMemory = 1 << 20});
  CHECK(churn.call("churn", {S(0.5)})[0].item() == 200 * 50000.0);
}

TEST_CASE("limits: an element count that overflows int64 is DIFFC_ERR_TOO_LARGE") {
  auto m = fromSource(kProgram);
  auto j = jit(m);
  std::vector<double> v(17, 1.0); // 17^16 > 2^63
  try {
    j->call("huge", {T({17}, v)});
    FAIL("no error");
  } catch (const diffc::interp::RuntimeError &e) {
    CHECK(contains(e.what(), "tensor too large"));
  }
  diffc::codegen::EntryFn huge = j->entry("huge");
  diffc_ctx *ctx = diffc_ctx_create();
  double out = 0;
  int64_t sizes[] = {17};
  const void *args[] = {v.data()};
  void *results[] = {&out};
  CHECK(huge(ctx, sizes, args, results) == DIFFC_ERR_TOO_LARGE);
  diffc_ctx_destroy(ctx);
}

TEST_CASE("limits: diffc_rt_alloc, the out-of-line allocation of code that runs once per call") {
  diffc_ctx *ctx = diffc_ctx_create();
  auto alloc = [&](int64_t bytes) {
    return static_cast<char *>(diffc_rt_alloc(&ctx->temp, bytes, "f", 3, 7));
  };
  // An empty request from an arena without chunks is not an out-of-memory null.
  CHECK(alloc(0) != nullptr);
  CHECK(ctx->temp.first == nullptr);
  char *a = alloc(100), *b = alloc(1);
  REQUIRE(a != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  CHECK(b == a + 128); // rounded up to 64 bytes, bumped in the same chunk
  CHECK(alloc(0) == a + 192);
  CHECK(ctx->error.code == 0);
  // A size whose rounding wraps, and a negative one, are refused like the inline allocation's,
  // with the error record diffc_rt_fail would fill.
  CHECK(alloc(INT64_MAX - 10) == nullptr);
  CHECK(ctx->error.code == DIFFC_ERR_OUT_OF_MEMORY);
  CHECK(ctx->error.a == INT64_MAX - 10);
  CHECK((ctx->error.line == 3 && ctx->error.col == 7));
  CHECK(std::strcmp(ctx->error.function, "f") == 0);
  CHECK(alloc(-64) == nullptr);
  diffc_ctx_set_memory_limit(ctx, 1 << 20);
  CHECK(alloc(int64_t(1) << 21) == nullptr);
  CHECK(ctx->error.code == DIFFC_ERR_MEMORY_LIMIT);
  CHECK(ctx->error.b == 1 << 20);
  diffc_ctx_destroy(ctx);
}

TEST_CASE("limits: temporaries of code that runs once per call come from diffc_rt_alloc") {
  // f's top level allocates through the runtime; g's loop body, which runs many times, and h,
  // which f calls, keep the inline bump allocation. Both kinds obey the memory cap. (The sums
  // read slices: a sum of the product itself would be fused with it and allocate nothing.)
  auto m = fromSource(R"(
fn h[N](x: f64[N]) -> f64 = sum((exp(x) * 2.0)[0:N]);
fn f[N](x: f64[N]) -> f64 = sum((sin(x) * 2.0)[0:N]) + h(x);
fn g[N](x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..3 {
    acc += sum((cos(x) * acc)[0:N]);
  }
  acc
}
)");
  std::string text = diffc::codegen::emitLLVM(*m, "f", false);
  auto count = [&](const std::string &s, const std::string &part) {
    size_t n = 0;
    for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1))
      ++n;
    return n;
  };
  auto body = [&](const std::string &fn) {
    size_t at = text.find("define internal i32 @diffc.fn." + fn + "(");
    REQUIRE(at != std::string::npos);
    return text.substr(at, text.find("\n}\n", at) - at);
  };
  // An inline allocation calls the runtime from its slow path alone (a full arena).
  CHECK(count(body("f"), "call ptr @diffc_rt_alloc(") >= 1);
  CHECK(count(body("f"), "\nalloc.fast") == 0);
  for (const char *inlined : {"h", "g"}) {
    CHECK(count(body(inlined), "\nalloc.fast") >= 1);
    CHECK(count(body(inlined), "call ptr @diffc_rt_alloc(") ==
          count(body(inlined), "\nalloc.fast"));
  }
  // Every allocation reports running out of memory through the runtime's record.
  CHECK(count(text, "@diffc_rt_fail(ptr %0, i32 7,") == 0);
  // Results equal to the interpreter's (same() checks), also for empty tensors.
  auto j = jit(m);
  std::vector<double> x(1000, 0.5);
  CHECK(same(*j, "f", {T({1000}, x)})[0].item() ==
        doctest::Approx(2 * 1000 * (std::sin(0.5) + std::exp(0.5))));
  same(*j, "f", {T({0}, {})});
  same(*j, "g", {T({1000}, x)});
  // The memory cap covers the out-of-line allocation (test above: `big` allocates at top level).
}

TEST_CASE("determinism: bit-identical results call to call, Jit to Jit and thread to thread") {
  std::vector<double> x{0.3, -1.2, 2.5, 0.01, -0.4, 1.7, 0.9};
  auto run = [&](const diffc::Function &g) {
    diffc::Result r = g(diffc::view(x, {7}), 0.8);
    std::vector<double> all;
    for (size_t i = 0; i < r.size(); ++i)
      all.insert(all.end(), r[i].data.begin(), r[i].data.end());
    return all;
  };
  auto same = [](const std::vector<double> &a, const std::vector<double> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 8) == 0;
  };
  diffc::Jit jit1, jit2;
  diffc::Function g1 = jit1.compile_string(kProgram).gradient("mix");
  diffc::Function g2 = jit2.compile_string(kProgram).gradient("mix");
  std::vector<double> want = run(g1);
  REQUIRE(want.size() == 9);
  CHECK(same(run(g1), want));
  CHECK(same(run(g2), want));
  std::vector<int> ok(8, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 8; ++t)
    pool.emplace_back([&, t] {
      int good = 1;
      for (int k = 0; k < 200; ++k)
        good &= same(run(t % 2 ? g1 : g2), want) ? 1 : 0;
      ok[t] = good;
    });
  for (std::thread &th : pool)
    th.join();
  for (int t = 0; t < 8; ++t)
    CHECK(ok[t] == 1);
}
