// simulation: aims a projectile with air drag at a target by gradient descent through a
// 1,000-step simulation written in projectile.diff. See README.md for what it shows.
#include "plot_svg.h"
#include "sample_util.h"

#include <diffc/diffc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace diffc::sample;

namespace {

// The physical set-up: 1,000 Euler steps of 1 ms (one second of flight), drag coefficient 0.1 per
// metre, a target 6 m away and 2 m up, and a first guess that falls well short.
constexpr int64_t kSteps = 1000;
constexpr double kDt = 1e-3, kDrag = 0.1;
constexpr double kTarget[2] = {6.0, 2.0};
constexpr double kStart[2] = {3.0, 3.0};
constexpr double kGradCheckTolerance = 1e-6;

struct Options {
  int iterations = 60;
  double lr = 0.5;        // plain gradient descent: v0 <- v0 - lr * d miss / d v0
  double max_miss = 1e-6; // exit status 1 when the final miss distance (m) is above this
  std::string out_dir = "simulation-out";
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    auto value = [&](const char *flag) -> const char * {
      if (std::strcmp(argv[i], flag) != 0 || i + 1 >= argc)
        return nullptr;
      return argv[++i];
    };
    if (const char *v = value("--iterations"))
      o.iterations = std::atoi(v);
    else if (const char *v = value("--lr"))
      o.lr = std::atof(v);
    else if (const char *v = value("--max-miss"))
      o.max_miss = std::atof(v);
    else if (const char *v = value("--out"))
      o.out_dir = v;
    else {
      std::fprintf(stderr, "usage: simulation [--iterations N] [--lr X] [--max-miss METRES] "
                           "[--out DIR]\n");
      return false;
    }
  }
  return o.iterations > 0 && o.lr > 0;
}

/// diffc's d miss / d v0 and d miss / d drag against central differences of `miss`; prints the
/// table and returns whether every relative error is within tolerance.
bool gradientCheck(const diffc::Function &miss, const diffc::Function &dmiss,
                   std::vector<double> v0, const std::vector<double> &target) {
  double drag = kDrag;
  auto value = [&] {
    return miss(diffc::view(v0, {2}), diffc::view(target, {2}), drag, kDt, kSteps).scalar();
  };
  diffc::Result r = dmiss(diffc::view(v0, {2}), diffc::view(target, {2}), drag, kDt, kSteps);
  struct Row {
    const char *name;
    double analytic;
    double *param;
  } rows[] = {{"d/d v0[0]", r.grad("v0").data[0], &v0[0]},
              {"d/d v0[1]", r.grad("v0").data[1], &v0[1]},
              {"d/d drag ", r.grad("drag").scalar(), &drag}};
  std::printf("gradient check at the first guess against central differences (h = 1e-6):\n");
  std::printf("  %-10s %18s %18s %10s\n", "", "diffc", "finite diff.", "rel. error");
  double worst = 0;
  for (const Row &row : rows) {
    double fd = centralDifference(value, *row.param, 1e-6);
    double err = relativeError(row.analytic, fd, 1e-6);
    worst = std::max(worst, err);
    std::printf("  %-10s %18.10e %18.10e %10.2e\n", row.name, row.analytic, fd, err);
  }
  bool ok = worst <= kGradCheckTolerance;
  std::printf("  max relative error %.2e (tolerance %.0e): %s\n", worst, kGradCheckTolerance,
              ok ? "passed" : "FAILED");
  return ok;
}

int run(const Options &opt) {
  std::string dir = findSampleFile("projectile.diff", DIFFC_SIMULATION_SOURCE_DIR);
  if (dir.empty()) {
    std::fprintf(stderr, "simulation: cannot find projectile.diff\n");
    return 1;
  }
  diffc::Jit jit;
  diffc::Module m = jit.compile_file(dir + "/projectile.diff");
  diffc::Function miss = m.function("miss");
  diffc::Function dmiss = m.gradient("miss", {"v0", "drag"});
  diffc::Function flight = m.function("flight");

  std::vector<double> v0(kStart, kStart + 2), target(kTarget, kTarget + 2);
  std::printf("simulation: %lld Euler steps of %g s, drag %g/m; target (%g, %g) m; first guess "
              "v0 = (%g, %g) m/s\n",
              static_cast<long long>(kSteps), kDt, kDrag, target[0], target[1], v0[0], v0[1]);
  if (!gradientCheck(miss, dmiss, v0, target))
    return 1;

  std::printf("gradient descent on the squared miss distance (learning rate %g):\n", opt.lr);
  std::printf("  %4s %14s %14s %12s %12s %12s\n", "iter", "miss (m)", "|gradient|", "v0.x", "v0.y",
              "drag sens.");
  std::vector<double> missHistory, gradHistory;
  double distance = 0;
  for (int it = 0; it <= opt.iterations; ++it) {
    diffc::Result r = dmiss(diffc::view(v0, {2}), diffc::view(target, {2}), kDrag, kDt, kSteps);
    const std::vector<double> &g = r.grad("v0").data;
    distance = std::sqrt(r.value());
    double gnorm = std::hypot(g[0], g[1]);
    missHistory.push_back(distance);
    gradHistory.push_back(gnorm);
    if (it < 10 || it % 10 == 0 || it == opt.iterations)
      std::printf("  %4d %14.6e %14.6e %12.8f %12.8f %12.4e\n", it, distance, gnorm, v0[0], v0[1],
                  r.grad("drag").scalar());
    if (it == opt.iterations)
      break;
    for (size_t i = 0; i < 2; ++i)
      v0[i] -= opt.lr * g[i];
  }
  std::vector<double> end = flight(diffc::view(v0, {2}), kDrag, kDt, kSteps).value_tensor().data;
  std::printf("launch velocity (%.9f, %.9f) m/s lands at (%.9f, %.9f) m: miss %.3e m (bound "
              "%.0e m)\n",
              v0[0], v0[1], end[0], end[1], distance, opt.max_miss);

  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  std::ofstream csv(opt.out_dir + "/simulation_history.csv");
  csv << "iteration,miss_m,gradient_norm\n";
  for (size_t i = 0; i < missHistory.size(); ++i)
    csv << i << ',' << missHistory[i] << ',' << gradHistory[i] << '\n';
  std::vector<Panel> panels = {{"Miss distance",
                                "metres",
                                {{"|p(1 s) - target|", "#1f77b4", missHistory}},
                                true,
                                true,
                                "iteration"},
                               {"Gradient norm",
                                "|d miss / d v0|",
                                {{"|gradient|", "#d62728", gradHistory}},
                                true,
                                true,
                                "iteration"}};
  std::string svg = opt.out_dir + "/simulation_convergence.svg";
  if (!csv.flush() ||
      !writeSvg(svg, "Gradient descent through 1,000 simulation steps", "iteration", panels)) {
    std::fprintf(stderr, "simulation: cannot write %s\n", opt.out_dir.c_str());
    return 1;
  }
  std::printf("plot: %s  history: %s/simulation_history.csv\n", svg.c_str(), opt.out_dir.c_str());
  return distance <= opt.max_miss ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!parse(argc, argv, opt))
    return 2;
  try {
    return run(opt);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "simulation: %s\n", e.what());
    return 1;
  }
}
