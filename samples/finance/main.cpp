// finance: a European call's price and Greeks (delta, vega, rho) by reverse-mode differentiation
// of a Monte-Carlo estimator written in option.diff (the pathwise method), compared with the
// Black-Scholes closed form. See README.md.
#include "sample_util.h"

#include <diffc/diffc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <numbers>
#include <string>
#include <vector>

using namespace diffc::sample;

namespace {

struct Market {
  double S0 = 100, K = 105, r = 0.03, sigma = 0.2, T = 1; // spot, strike, rate, volatility, years
};

/// The price and the three Greeks, in this order everywhere below.
struct Greeks {
  double price, delta, vega, rho;
};
constexpr const char *kNames[] = {"price", "delta", "vega", "rho"};

/// The textbook Black-Scholes formulas, written directly in C++ (independent of option.diff).
Greeks blackScholes(const Market &m) {
  auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); };
  double sq = m.sigma * std::sqrt(m.T);
  double d1 = (std::log(m.S0 / m.K) + (m.r + 0.5 * m.sigma * m.sigma) * m.T) / sq, d2 = d1 - sq;
  double disc = m.K * std::exp(-m.r * m.T);
  double density = std::exp(-0.5 * d1 * d1) / std::sqrt(2 * std::numbers::pi);
  return {m.S0 * Phi(d1) - disc * Phi(d2), Phi(d1), m.S0 * density * std::sqrt(m.T),
          m.T * disc * Phi(d2)};
}

struct Options {
  int batches = 25;        // independent Monte-Carlo batches (for the standard error)
  int64_t paths = 20000;   // paths per batch, terminal-value estimator
  int64_t path_steps = 50; // time steps of the path estimator (1/10 of the paths per batch)
  double max_sigmas = 4.0; // the Monte-Carlo estimate must be this many standard errors close
  uint64_t seed = 1;
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--batches") == 0)
      o.batches = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--paths") == 0)
      o.paths = std::atoll(argv[i + 1]);
    else if (std::strcmp(argv[i], "--seed") == 0)
      o.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else
      return false;
  }
  return argc % 2 == 1 && o.batches >= 2 && o.paths >= 10;
}

Greeks fromResult(const diffc::Result &r) {
  return {r.value(), r.grad("S0").scalar(), r.grad("sigma").scalar(), r.grad("r").scalar()};
}

double at(const Greeks &g, int i) {
  const double v[] = {g.price, g.delta, g.vega, g.rho};
  return v[i];
}

/// Runs `batches` independent estimates of one estimator (fresh draws each) and compares their
/// mean with the closed form; true when every quantity is within max_sigmas standard errors.
bool monteCarlo(const char *title, const diffc::Function &grad, const Market &mk,
                const Greeks &exact, const Options &opt, int64_t paths, int64_t steps, Rng &rng,
                std::vector<double> &firstBatch) {
  std::vector<double> z(static_cast<size_t>(paths * steps));
  double sum[4] = {}, sumSq[4] = {};
  for (int b = 0; b < opt.batches; ++b) {
    for (double &e : z)
      e = rng.normal();
    if (b == 0)
      firstBatch = z;
    diffc::View zv = steps == 1 ? diffc::view(z, {paths}) : diffc::view(z, {paths, steps});
    Greeks g = fromResult(grad(mk.S0, mk.K, mk.r, mk.sigma, mk.T, zv));
    for (int i = 0; i < 4; ++i) {
      sum[i] += at(g, i);
      sumSq[i] += at(g, i) * at(g, i);
    }
  }
  std::printf("%s: %d batches of %lld paths%s\n", title, opt.batches, static_cast<long long>(paths),
              steps > 1 ? (" x " + std::to_string(steps) + " steps").c_str() : "");
  std::printf("  %-6s %14s %12s %14s %10s\n", "", "Monte Carlo", "std. error", "closed form",
              "|diff|/se");
  bool ok = true;
  const double n = opt.batches;
  for (int i = 0; i < 4; ++i) {
    double mean = sum[i] / n;
    double se = std::sqrt(std::max(0.0, (sumSq[i] / n - mean * mean) / (n - 1)));
    double z = std::fabs(mean - at(exact, i)) / se;
    ok &= z <= opt.max_sigmas;
    std::printf("  %-6s %14.6f %12.6f %14.6f %10.2f\n", kNames[i], mean, se, at(exact, i), z);
  }
  std::printf("  within %.0f standard errors of Black-Scholes: %s\n", opt.max_sigmas,
              ok ? "passed" : "FAILED");
  return ok;
}

int run(const Options &opt) {
  std::string dir = findSampleFile("option.diff", DIFFC_FINANCE_SOURCE_DIR);
  if (dir.empty()) {
    std::fprintf(stderr, "finance: cannot find option.diff\n");
    return 1;
  }
  diffc::Jit jit;
  diffc::Module m = jit.compile_file(dir + "/option.diff");
  const std::vector<std::string> wrt = {"S0", "sigma", "r"};
  diffc::Function bs = m.gradient("bs_call", wrt);
  diffc::Function mc = m.function("mc_call"), dmc = m.gradient("mc_call", wrt);
  diffc::Function dpaths = m.gradient("mc_call_paths", wrt);

  Market mk;
  Greeks exact = blackScholes(mk);
  std::printf("finance: European call, S0 = %g, K = %g, r = %g, sigma = %g, T = %g years\n", mk.S0,
              mk.K, mk.r, mk.sigma, mk.T);

  // 1. The closed form's gradient, derived by diffc, against the textbook Greeks.
  Greeks derived = fromResult(bs(mk.S0, mk.K, mk.r, mk.sigma, mk.T));
  std::printf("Black-Scholes closed form: diffc's gradient of bs_call vs the textbook Greeks\n");
  double worst = 0;
  for (int i = 0; i < 4; ++i) {
    double err = relativeError(at(derived, i), at(exact, i), 1e-12);
    worst = std::max(worst, err);
    std::printf("  %-6s %20.15f %20.15f %9.1e\n", kNames[i], at(derived, i), at(exact, i), err);
  }
  bool ok = worst <= 1e-12;
  std::printf("  max relative error %.1e (tolerance 1e-12): %s\n", worst, ok ? "passed" : "FAILED");

  // 2. Monte Carlo: pathwise Greeks by reverse mode, averaged over independent batches.
  Rng rng(opt.seed);
  std::vector<double> z0, unused;
  ok &= monteCarlo("Monte Carlo, terminal values (mc_call)", dmc, mk, exact, opt, opt.paths, 1, rng,
                   z0);
  ok &= monteCarlo("Monte Carlo, simulated paths (mc_call_paths)", dpaths, mk, exact, opt,
                   opt.paths / 10, opt.path_steps, rng, unused);

  // 3. The estimator's gradient on one batch against central differences with the same draws.
  Market p = mk;
  auto price = [&] {
    return mc(p.S0, p.K, p.r, p.sigma, p.T, diffc::view(z0, {opt.paths})).scalar();
  };
  Greeks g = fromResult(dmc(p.S0, p.K, p.r, p.sigma, p.T, diffc::view(z0, {opt.paths})));
  std::printf("gradient of mc_call on the first batch vs central differences (same draws):\n");
  worst = 0;
  double *params[] = {&p.S0, &p.sigma, &p.r};
  for (int i = 0; i < 3; ++i) {
    double fd = centralDifference(price, *params[i], 1e-6 * std::max(1.0, std::fabs(*params[i])));
    double err = relativeError(at(g, i + 1), fd, 1e-8);
    worst = std::max(worst, err);
    std::printf("  %-6s %20.12f %20.12f %9.2e\n", kNames[i + 1], at(g, i + 1), fd, err);
  }
  // A path whose payoff kink lies within h of the perturbation makes the difference quotient
  // differ from the pathwise derivative by ~(1 / paths) h-sized terms: far below this tolerance.
  bool fdOk = worst <= 1e-6;
  std::printf("  max relative error %.2e (tolerance 1e-06): %s\n", worst,
              fdOk ? "passed" : "FAILED");
  ok &= fdOk;
  std::printf("%s\n", ok ? "all checks passed" : "some checks FAILED");
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr, "usage: finance [--batches N] [--paths N] [--seed N]\n");
    return 2;
  }
  try {
    return run(opt);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "finance: %s\n", e.what());
    return 1;
  }
}
