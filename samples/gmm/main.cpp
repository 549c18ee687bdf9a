// gmm: ADBench's Gaussian-mixture objective written in gmm.diff, differentiated by diffc and
// checked three ways: the value against a plain C++ computation, the gradient against central
// finite differences, and both against ADBench's reference output when given. See README.md.
#include "gmm_data.h"
#include "sample_util.h"

#include <diffc/diffc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <numeric>
#include <string>
#include <vector>

using namespace diffc::sample;

namespace {

// f is a sum over all points (|f| ~ 2.6e4 for gmm_d10_K25), so the difference quotient carries a
// rounding error of ~ eps |f| / h ~ 6e-8 absolute at h = 1e-4 (the truncation error, ~h^2 f''' / 6,
// is smaller still): below |gradient| = 1 errors count as absolute. Measured: at most 1.4e-7 over
// 120 coordinates; h = 1e-5 triples the noise (3.5e-7 over 24).
constexpr double kFdStep = 1e-4, kFdFloor = 1.0, kFdTolerance = 1e-6;
// The value is compared with the long-double C++ computation and ADBench's output; both differ
// from diffc's double sums by rounding only (ADBench also uses pi = 3.14159265359).
constexpr double kValueTolerance = 1e-10;
// ADBench's reference gradient agrees with ADOL-C's and PyTorch's to 3e-10 (data/README.md).
constexpr double kReferenceGradTolerance = 1e-8;

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  std::string instance;
  std::string reference_f, reference_j; // ADBench's *_F_Manual.txt / *_J_Manual.txt
  int fd_samples = 8;                   // finite-difference checks per parameter tensor
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    auto value = [&](const char *flag) -> const char * {
      if (std::strcmp(argv[i], flag) != 0 || i + 1 >= argc)
        return nullptr;
      return argv[++i];
    };
    if (const char *v = value("--reference-f"))
      o.reference_f = v;
    else if (const char *v = value("--reference-j"))
      o.reference_j = v;
    else if (const char *v = value("--fd-samples"))
      o.fd_samples = std::atoi(v);
    else if (argv[i][0] != '-' && o.instance.empty())
      o.instance = argv[i];
    else
      return false;
  }
  return !o.instance.empty();
}

/// The arguments of gmm_objective, viewing the instance (perturbed in place by the check).
std::vector<diffc::Arg> argsOf(GmmInstance &g) {
  return {diffc::view(g.alphas, {g.k}),
          diffc::view(g.means, {g.k, g.d}),
          diffc::view(g.icf, {g.k, g.icfSize()}),
          diffc::view(g.x, {g.n, g.d}),
          g.gamma,
          g.m};
}

bool report(const char *what, double worst, double tolerance) {
  bool ok = worst <= tolerance;
  std::printf("  %s: max relative error %.2e (tolerance %.0e): %s\n", what, worst, tolerance,
              ok ? "passed" : "FAILED");
  return ok;
}

int run(const Options &opt) {
  GmmInstance g = readGmmInstance(opt.instance);
  std::printf("gmm: %s: D = %lld, K = %lld, n = %lld, gamma = %g, m = %lld; %zu parameters\n",
              opt.instance.c_str(), static_cast<long long>(g.d), static_cast<long long>(g.k),
              static_cast<long long>(g.n), g.gamma, static_cast<long long>(g.m), g.paramCount());
  std::string dir = findSampleFile("gmm.diff", DIFFC_GMM_SOURCE_DIR);
  if (dir.empty()) {
    std::fprintf(stderr, "gmm: cannot find gmm.diff\n");
    return 1;
  }
  auto t0 = Clock::now();
  diffc::Jit jit;
  diffc::Module m = jit.compile_file(dir + "/gmm.diff");
  diffc::Function f = m.function("gmm_objective");
  diffc::Function df = m.gradient("gmm_objective", {"alphas", "means", "icf"});
  std::vector<diffc::Arg> args = argsOf(g);
  df.call(args); // compiles the gradient, so the timing below is of the call alone
  std::printf("compiled gmm.diff (objective and gradient) in %.2f s\n", secondsSince(t0));

  t0 = Clock::now();
  double value = f.call(args).scalar();
  double tValue = secondsSince(t0);
  t0 = Clock::now();
  diffc::Result r = df.call(args);
  double tGrad = secondsSince(t0);
  std::vector<double> grad; // ADBench's order: alphas, means, icf
  for (const char *p : {"alphas", "means", "icf"})
    grad.insert(grad.end(), r.grad(p).data.begin(), r.grad(p).data.end());
  std::printf("objective %.15e (%.2f ms); gradient (%zu numbers) %.2f ms, %.1fx the objective\n",
              value, 1e3 * tValue, grad.size(), 1e3 * tGrad, tGrad / tValue);

  bool ok = true;
  std::printf("checks:\n");
  double plain = gmmObjectiveReference(g);
  std::printf("  objective by the plain C++ computation: %.15e\n", plain);
  ok &= report("value vs plain C++", relativeError(value, plain, 1.0), kValueTolerance);
  ok &= report("gradient's value vs objective", relativeError(r.value(), value, 1.0),
               kValueTolerance);

  // Finite differences at `fd_samples` distinct random coordinates of each tensor (a fixed seed).
  Rng rng(1);
  auto pickIndices = [&](size_t n) { // a partial Fisher-Yates shuffle of 0..n-1
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), size_t{0});
    size_t count = std::min(n, static_cast<size_t>(std::max(0, opt.fd_samples)));
    for (size_t i = 0; i < count; ++i)
      std::swap(idx[i], idx[i + static_cast<size_t>(rng.next() % (n - i))]);
    idx.resize(count);
    return idx;
  };
  auto objective = [&] { return f.call(args).scalar(); };
  struct Tensor {
    const char *name;
    std::vector<double> &data;
    size_t offset; // in `grad`
  } tensors[] = {{"alphas", g.alphas, 0},
                 {"means", g.means, g.alphas.size()},
                 {"icf", g.icf, g.alphas.size() + g.means.size()}};
  std::printf("  %-8s %6s %20s %20s %10s\n", "tensor", "index", "diffc", "finite diff.",
              "rel. error");
  double worstFd = 0;
  for (const Tensor &t : tensors)
    for (size_t i : pickIndices(t.data.size())) {
      double fd = centralDifference(objective, t.data[i], kFdStep);
      double err = relativeError(grad[t.offset + i], fd, kFdFloor);
      worstFd = std::max(worstFd, err);
      std::printf("  %-8s %6zu %20.12e %20.12e %10.2e\n", t.name, i, grad[t.offset + i], fd, err);
    }
  ok &= report("gradient vs central differences", worstFd, kFdTolerance);

  if (!opt.reference_f.empty()) {
    std::vector<double> F = readNumbers(opt.reference_f);
    if (F.size() != 1)
      throw std::runtime_error(opt.reference_f + ": expected one number");
    std::printf("  ADBench reference objective: %.15e\n", F[0]);
    ok &= report("value vs ADBench", relativeError(value, F[0], 1.0), kValueTolerance);
  }
  if (!opt.reference_j.empty()) {
    std::vector<double> J = readNumbers(opt.reference_j);
    if (J.size() != grad.size())
      throw std::runtime_error(opt.reference_j + ": expected " + std::to_string(grad.size()) +
                               " numbers, found " + std::to_string(J.size()));
    double worst = 0;
    for (size_t i = 0; i < J.size(); ++i)
      worst = std::max(worst, relativeError(grad[i], J[i], 1.0));
    ok &= report("all gradient entries vs ADBench", worst, kReferenceGradTolerance);
  }
  std::printf("%s\n", ok ? "all checks passed" : "some checks FAILED");
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr, "usage: gmm INSTANCE.txt [--reference-f F.txt] [--reference-j J.txt] "
                         "[--fd-samples N]\n");
    return 2;
  }
  try {
    return run(opt);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "gmm: %s\n", e.what());
    return 1;
  }
}
