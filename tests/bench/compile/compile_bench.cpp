// How long compiling a function and its gradient takes, per phase: the front end (parse, names,
// types, shapes), the simplifier, AD, lowering to LLVM IR, LLVM's optimiser, machine code and
// linking into the JIT. Cold (no cache) and from the compile cache; then the host API end to end
// (Jit::compile_file + Module::gradient), cold and from the cache. Medians over --reps runs.
//
//   compile_bench FILE FN [--reps N] [--opt 0-3]        (tests/bench/compile/run.sh runs it)
#include "ad/AD.h"
#include "codegen/Codegen.h"
#include "diffc/diffc.hpp"
#include "passes/Simplify.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <sys/resource.h>

namespace {

using namespace diffc;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point &t) {
  auto now = Clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - t).count();
  t = now;
  return ms;
}

// User + system CPU time of this process so far, in ms: on a loaded machine the wall-clock phases
// include time spent waiting for a core; the CPU time per compile does not.
double cpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval &t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// One compile of fn's gradient as the host API does it; phase -> milliseconds.
std::map<std::string, double> compileOnce(const std::shared_ptr<codegen::JitEngine> &engine,
                                          const std::string &path, const std::string &text,
                                          const std::string &fnName,
                                          const codegen::CodegenOptions &opts) {
  std::map<std::string, double> t;
  auto start = Clock::now(), clock = start;
  SourceFile file(path, text);
  DiagnosticEngine diags(file);
  std::shared_ptr<ir::Module> m = compileModule(file, diags);
  if (!m || diags.hasErrors())
    throw std::runtime_error(path + " does not compile");
  t["1 front end"] = msSince(clock);
  passes::simplifyModule(*m);
  t["2 simplify"] = msSince(clock);
  const ir::Function *f = m->lookup(fnName);
  if (!f)
    throw std::runtime_error("no function " + fnName);
  ir::Function *g = ad::buildGradient(*m, *f);
  t["3 AD (+ simplify)"] = msSince(clock);
  auto jm = codegen::JitModule::compile(engine, m, opts, {g->name});
  msSince(clock);
  const codegen::CompileTimings &c = jm->timings();
  t["4 lower to LLVM IR"] = c.lower;
  t["5 cache key"] = c.key;
  t["6 cache load"] = c.load;
  t["7 LLVM optimise"] = c.optimize;
  t["8 machine code"] = c.codegen;
  t["9 cache store"] = c.store;
  t["10 JIT link"] = c.link;
  t["total"] = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return t;
}

void report(const std::string &title, const std::vector<std::map<std::string, double>> &runs) {
  std::cout << title << " (median ms)\n";
  std::vector<std::pair<int, std::string>> keys;
  for (const auto &[k, v] : runs[0])
    keys.push_back({k == "total" ? 99 : std::stoi(k), k});
  std::sort(keys.begin(), keys.end());
  for (const auto &[order, k] : keys) {
    std::vector<double> v;
    for (const auto &r : runs)
      v.push_back(r.at(k));
    std::cout << fmt::format("  {:<22} {:8.2f}\n", k, median(v));
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: compile_bench FILE FN [--reps N] [--opt 0-3]\n";
    return 1;
  }
  std::string path = argv[1], fn = argv[2];
  int reps = 10;
  unsigned opt = 2;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--reps")
      reps = std::stoi(argv[i + 1]);
    else if (std::string(argv[i]) == "--opt")
      opt = static_cast<unsigned>(std::stoi(argv[i + 1]));
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string err;
  auto engine = codegen::JitEngine::create(err);
  if (!engine) {
    std::cerr << err << "\n";
    return 1;
  }
  namespace fs = std::filesystem;
  fs::path cacheDir = fs::temp_directory_path() / fmt::format("diffc-compile-bench-{}", getpid());
  codegen::CodegenOptions cold, cached;
  cold.optLevel = cached.optLevel = opt;
  cached.cacheDir = cacheDir.string();
  compileOnce(engine, path, ss.str(), fn, cold); // warm up LLVM's one-time initialisation
  std::vector<std::map<std::string, double>> coldRuns, hitRuns;
  const double cpuBefore = cpuMs();
  for (int i = 0; i < reps; ++i)
    coldRuns.push_back(compileOnce(engine, path, ss.str(), fn, cold));
  const double coldCpu = (cpuMs() - cpuBefore) / reps;
  compileOnce(engine, path, ss.str(), fn, cached); // fills the cache
  for (int i = 0; i < reps; ++i)
    hitRuns.push_back(compileOnce(engine, path, ss.str(), fn, cached));
  std::cout << fmt::format("{} :: gradient of {}, -O{}, {} runs\n", path, fn, opt, reps);
  report("cold (no cache)", coldRuns);
  std::cout << fmt::format("  {:<22} {:8.2f}\n", "CPU time (mean)", coldCpu);
  report("cache hit", hitRuns);

  // The host API end to end: compile the file (its functions) and then the gradient.
  auto hostRun = [&](bool cache) {
    diffc::Options o;
    o.opt_level = opt;
    o.cache = cache;
    o.cache_dir = (cacheDir / "host").string();
    diffc::Jit jit(o);
    auto t = Clock::now();
    diffc::Module m = jit.compile_file(path);
    double file = msSince(t);
    m.gradient(fn);
    return std::pair{file, msSince(t)};
  };
  hostRun(true); // fills the cache
  std::vector<double> cf, cg, hf, hg;
  for (int i = 0; i < reps; ++i) {
    auto [f1, g1] = hostRun(false);
    auto [f2, g2] = hostRun(true);
    cf.push_back(f1), cg.push_back(g1), hf.push_back(f2), hg.push_back(g2);
  }
  std::cout << "host API: Jit::compile_file + Module::gradient (median ms)\n";
  std::cout << fmt::format("  cold       compile_file {:7.2f}  gradient {:7.2f}  total {:7.2f}\n",
                           median(cf), median(cg), median(cf) + median(cg));
  std::cout << fmt::format("  cache hit  compile_file {:7.2f}  gradient {:7.2f}  total {:7.2f}\n",
                           median(hf), median(hg), median(hf) + median(hg));
  fs::remove_all(cacheDir);
  return 0;
}
