// The compile cache: a miss compiles and stores an entry, a hit loads it and computes the same
// values, and a damaged entry is recompiled and rewritten instead of being trusted.
#include "Harness.h"

#include "ad/AD.h"

#include <filesystem>
#include <fstream>

namespace {

using namespace diffc;
using namespace diffc::test;
namespace fs = std::filesystem;

const char *kSource = R"(
fn loss[N](w: f64[N], x: f64[N]) -> f64 = sum(tanh(w * x) ^ 2) + 0.5 * sum(w * w);
)";

/// A fresh directory for one test's cache, inside the build tree (the working directory of the
/// test), never the user's cache.
std::string freshDir(const std::string &name) {
  fs::path d = fs::current_path() / "compile-cache-test" / name;
  fs::remove_all(d);
  return d.string();
}

std::vector<fs::path> entries(const std::string &dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir + "/jit"))
    for (const auto &e : fs::directory_iterator(dir + "/jit"))
      out.push_back(e.path());
  return out;
}

/// loss and its gradient at fixed inputs, through a JIT module compiled with opts.
std::vector<Tensor> run(const codegen::CodegenOptions &opts, codegen::CompileTimings *t = nullptr) {
  auto m = fromSource(kSource);
  ir::Function *g = ad::buildGradient(*m, *m->lookup("loss"), {"w"});
  auto jm = codegen::JitModule::compile(engine(), m, opts, {g->name});
  if (t)
    *t = jm->timings();
  bool lossHasEntry = jm->entry("loss") != nullptr;
  CHECK_FALSE(lossHasEntry); // only the gradient was asked for
  Tensor w = Tensor::of(ElemType::F64, {3}, {0.5, -1.0, 2.0}),
         x = Tensor::of(ElemType::F64, {3}, {1.5, 0.25, -0.75});
  return jm->call(g->name, {w, x});
}

void requireSame(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(a[i].data == b[i].data);
}

/// d/dw_i of sum(tanh(w x)^2) + 0.5 sum(w^2), by hand.
void requireAnalytic(const std::vector<Tensor> &r) {
  const double w[] = {0.5, -1.0, 2.0}, x[] = {1.5, 0.25, -0.75};
  double v = 0;
  REQUIRE(r.size() == 2);
  for (int i = 0; i < 3; ++i) {
    double t = std::tanh(w[i] * x[i]);
    v += t * t + 0.5 * w[i] * w[i];
    CHECK(r[1].data[i] == doctest::Approx(2 * t * (1 - t * t) * x[i] + w[i]).epsilon(1e-12));
  }
  CHECK(r[0].data[0] == doctest::Approx(v).epsilon(1e-12));
}

} // namespace

TEST_CASE("compile cache: a miss stores an entry, a hit loads it with the same results") {
  codegen::CodegenOptions opts;
  opts.cacheDir = freshDir("hit");
  codegen::CompileTimings t1, t2;
  auto first = run(opts, &t1);
  CHECK_FALSE(t1.cacheHit);
  REQUIRE(entries(opts.cacheDir).size() == 1);
  auto second = run(opts, &t2);
  CHECK(t2.cacheHit);
  CHECK(t2.optimize == 0);
  CHECK(entries(opts.cacheDir).size() == 1);
  requireAnalytic(first);
  requireSame(first, second);

  // Another option that changes the code is another entry.
  opts.fastMath = true;
  codegen::CompileTimings t3;
  run(opts, &t3);
  CHECK_FALSE(t3.cacheHit);
  CHECK(entries(opts.cacheDir).size() == 2);
}

TEST_CASE("compile cache: damaged entries are recompiled and rewritten") {
  codegen::CodegenOptions opts;
  opts.cacheDir = freshDir("damaged");
  auto reference = run(opts);
  REQUIRE(entries(opts.cacheDir).size() == 1);
  fs::path entry = entries(opts.cacheDir)[0];
  auto size = fs::file_size(entry);

  auto damage = [&](auto how) {
    std::string bytes;
    {
      std::ifstream in(entry, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    how(bytes);
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << bytes;
  };
  SUBCASE("truncated") {
    damage([](std::string &b) { b.resize(b.size() / 2); });
  }
  SUBCASE("flipped byte in the code") {
    damage([](std::string &b) { b[b.size() - 100] ^= 0x5a; });
  }
  SUBCASE("empty") {
    damage([](std::string &b) { b.clear(); });
  }
  SUBCASE("garbage header") {
    damage([](std::string &b) { b.replace(0, 8, "NOTANOBJ"); });
  }

  codegen::CompileTimings t;
  auto again = run(opts, &t);
  CHECK_FALSE(t.cacheHit);
  requireSame(reference, again);
  CHECK(fs::file_size(entry) == size); // rewritten whole
  codegen::CompileTimings t2;
  run(opts, &t2);
  CHECK(t2.cacheHit);
}

TEST_CASE("compile cache: an unwritable directory only means no cache") {
  codegen::CodegenOptions opts;
  opts.cacheDir = "/proc/diffc-no-such-dir";
  codegen::CompileTimings t;
  auto r = run(opts, &t);
  CHECK_FALSE(t.cacheHit);
  requireAnalytic(r);
}

TEST_CASE("compile cache: where it is") {
  CHECK(codegen::cacheDirFor(false, "/x").empty());
  CHECK(codegen::cacheDirFor(true, "/x") == "/x");
  std::string old = std::getenv("DIFFC_CACHE") ? std::getenv("DIFFC_CACHE") : "";
  setenv("DIFFC_CACHE", "0", 1);
  CHECK(codegen::cacheDirFor(true, "/x").empty());
  if (old.empty())
    unsetenv("DIFFC_CACHE");
  else
    setenv("DIFFC_CACHE", old.c_str(), 1);
}
