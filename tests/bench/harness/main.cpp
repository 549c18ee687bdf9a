// diffc_bench: builds every problem of the chosen cases, checks that all implementations agree
// with the hand-derived gradient (and the hand gradient with central finite differences), then
// times them interleaved and writes OUT/cpp.json (or --json FILE), plus
// OUT/exchange/<case>_<size>.json with the inputs and the reference gradient for the PyTorch
// runner.
//
//   diffc_bench quick|full --root tests/bench --out tests/bench/results [--cases gmm,lstm]
//               [--json FILE]
#include "Problem.h"
#include "Timer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace diffc::bench {

namespace {

[[noreturn]] void fail(const Problem &p, const std::string &what) {
  std::cerr << fmt::format("diffc_bench: {} {}: DISAGREEMENT: {}\n", p.kase, p.size, what);
  std::exit(1);
}

double infNorm(const std::vector<double> &v) {
  double m = 0;
  for (double e : v)
    m = std::max(m, std::abs(e));
  return m;
}

/// The largest difference between g and the reference, relative to the reference's size.
double relDiff(const std::vector<double> &g, const std::vector<double> &ref) {
  double m = 0;
  for (size_t i = 0; i < g.size(); ++i)
    m = std::max(m, std::abs(g[i] - ref[i]));
  if (std::isnan(infNorm(g)))
    return INFINITY;
  return m / std::max(1.0, infNorm(ref));
}

double relDiff(double v, double ref) { return std::abs(v - ref) / std::max(1.0, std::abs(ref)); }

/// Central finite differences of the hand objective, coordinate by coordinate.
void finiteDifferences(const Problem &p, std::vector<double> &x, double *g, const size_t *coords,
                       size_t count) {
  for (size_t c = 0; c < count; ++c) {
    size_t i = coords ? coords[c] : c;
    double xi = x[i], h = 1e-6 * std::max(1.0, std::abs(xi));
    x[i] = xi + h;
    double fp = p.valueAt(x.data());
    x[i] = xi - h;
    double fm = p.valueAt(x.data());
    x[i] = xi;
    g[c] = (fp - fm) / (2 * h);
  }
}

/// Checks every implementation against the hand reference; returns the differences found.
nlohmann::json check(Problem &p, std::vector<double> &ref, double &refValue) {
  size_t n = p.x.size();
  ref.assign(n, 0);
  refValue = p.impls[0].gradient(ref.data());
  nlohmann::json diffs;
  // The hand gradient against finite differences on up to 24 coordinates spread over x.
  std::vector<size_t> coords;
  for (size_t k = 0; k < std::min<size_t>(n, 24); ++k)
    coords.push_back(k * n / std::min<size_t>(n, 24));
  std::vector<double> fd(coords.size()), x = p.x;
  finiteDifferences(p, x, fd.data(), coords.data(), coords.size());
  double fdErr = 0;
  for (size_t c = 0; c < coords.size(); ++c)
    fdErr = std::max(fdErr, std::abs(fd[c] - ref[coords[c]]));
  fdErr /= std::max(1.0, infNorm(ref));
  diffs["hand_vs_fd"] = fdErr;
  if (!(fdErr < 1e-5))
    fail(p, fmt::format("hand gradient differs from finite differences by {:.3g}", fdErr));
  if (relDiff(p.valueAt(p.x.data()), refValue) > 1e-12)
    fail(p, "hand objective and hand gradient give different values");
  for (size_t i = 0; i < p.impls.size(); ++i) {
    Impl &impl = p.impls[i];
    std::vector<double> g(n, NAN);
    double v = impl.gradient(g.data());
    double dv = relDiff(v, refValue), dg = relDiff(g, ref);
    double dvf = impl.value ? relDiff(impl.value(), refValue) : 0;
    diffs[impl.name] = std::max({dv, dg, dvf});
    if (!(dv <= p.tol && dg <= p.tol && dvf <= p.tol))
      fail(p, fmt::format("{}: value {:.17g} vs {:.17g} (function-only {:.3g}), gradient "
                          "differs by {:.3g} (tolerance {:.1g})",
                          impl.name, v, refValue, dvf, dg, p.tol));
  }
  return diffs;
}

nlohmann::json timingJson(const Timing &t) {
  return {
      {"best_ns", t.best_ns}, {"median_ns", t.median_ns}, {"samples", t.samples}, {"reps", t.reps}};
}

nlohmann::json run(Problem &p, Mode mode, const std::filesystem::path &exchangeDir) {
  std::vector<double> ref;
  double refValue = 0;
  nlohmann::json diffs = check(p, ref, refValue);
  size_t n = p.x.size();

  // Gradients, then the function-only calls, all interleaved.
  std::vector<std::function<void()>> fns;
  std::vector<std::pair<std::string, std::string>> labels; // impl, "gradient" or "value"
  std::vector<std::vector<double>> buffers(p.impls.size() + 1, std::vector<double>(n));
  for (size_t i = 0; i < p.impls.size(); ++i) {
    Impl &impl = p.impls[i];
    double *g = buffers[i].data();
    fns.push_back([&impl, g] { impl.gradient(g); });
    labels.emplace_back(impl.name, "gradient");
    if (impl.value) {
      fns.push_back([&impl] { impl.value(); });
      labels.emplace_back(impl.name, "value");
    }
  }
  std::vector<double> xfd = p.x;
  if (p.fdCheap) {
    double *g = buffers.back().data();
    fns.push_back([&p, &xfd, g, n] { finiteDifferences(p, xfd, g, nullptr, n); });
    labels.emplace_back("fd", "gradient");
  }
  auto timings = timeInterleaved(fns, mode == Mode::full ? 1.5 : 0.4);

  nlohmann::json impls = nlohmann::json::object();
  for (size_t i = 0; i < fns.size(); ++i)
    impls[labels[i].first][labels[i].second] = timingJson(timings[i]);
  for (const Impl &impl : p.impls) {
    impls[impl.name]["setup_s"] = *impl.setup_s;
    if (impl.release)
      impl.release();
  }

  nlohmann::json exchange = {{"case", p.kase},    {"size", p.size}, {"scale_name", p.scaleName},
                             {"scale", p.scale},  {"wrt", p.wrt},   {"inputs", p.inputs},
                             {"value", refValue}, {"grad", ref},    {"tol", p.tol}};
  std::ofstream(exchangeDir / fmt::format("{}_{}.json", p.kase, p.size)) << exchange.dump();

  return {{"case", p.kase}, {"size", p.size}, {"scale_name", p.scaleName}, {"scale", p.scale},
          {"tier", p.tier}, {"n_params", n},  {"value", refValue},         {"agreement", diffs},
          {"tol", p.tol},   {"impls", impls}};
}

} // namespace

} // namespace diffc::bench

int main(int argc, char **argv) {
  using namespace diffc::bench;
  Mode mode = Mode::quick;
  std::string root = ".", out = "results", cases = "gmm,lstm,mlp,rosenbrock,projectile", json;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "quick" || a == "full")
      mode = a == "full" ? Mode::full : Mode::quick;
    else if (a == "--root" && i + 1 < argc)
      root = argv[++i];
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--cases" && i + 1 < argc)
      cases = argv[++i];
    else if (a == "--json" && i + 1 < argc)
      json = argv[++i];
    else {
      std::cerr << "usage: diffc_bench quick|full --root DIR --out DIR [--cases a,b] "
                   "[--json FILE]\n";
      return 1;
    }
  }
  std::map<std::string, std::vector<Problem> (*)(Mode, const std::string &)> makers = {
      {"gmm", gmmProblems},
      {"lstm", lstmProblems},
      {"mlp", mlpProblems},
      {"rosenbrock", rosenbrockProblems},
      {"projectile", projectileProblems}};
  std::filesystem::path exchangeDir = std::filesystem::path(out) / "exchange";
  std::filesystem::create_directories(exchangeDir);
  nlohmann::json all = nlohmann::json::array();
  std::stringstream list(cases);
  for (std::string name; std::getline(list, name, ',');) {
    auto it = makers.find(name);
    if (it == makers.end()) {
      std::cerr << "diffc_bench: unknown case '" << name << "'\n";
      return 1;
    }
    for (Problem &p : it->second(mode, root)) {
      std::cerr << fmt::format("diffc_bench: {} {} ({} parameters)\n", p.kase, p.size, p.x.size());
      nlohmann::json r = diffc::bench::run(p, mode, exchangeDir);
      auto &im = r["impls"];
      double hand = im["hand"]["gradient"]["best_ns"], dc = im["diffc"]["gradient"]["best_ns"];
      std::cerr << fmt::format("  hand {:.4g} us, diffc {:.4g} us ({:.2f}x)\n", hand / 1e3,
                               dc / 1e3, dc / hand);
      all.push_back(r);
    }
  }
  if (json.empty())
    json = (std::filesystem::path(out) / "cpp.json").string();
  std::ofstream(json) << all.dump(1) << "\n";
  return 0;
}
