// gradients: vanishing and exploding gradients, measured with diffc. Per-layer gradient norms of
// 20-layer perceptrons (sigmoid, ReLU, ReLU with batch normalisation written in .diff), and a
// recurrent network whose gradient explodes over a 100-step sequence, trained with and without
// gradient clipping. See README.md.
#include "experiments.h"
#include "plot_svg.h"
#include "sample_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

using namespace diffc::sample;

namespace {

constexpr double kFdTolerance = 1e-5;
constexpr double kLr = 0.01, kClip = 1.0;
constexpr int kTrainSteps = 60;

struct Options {
  std::string out_dir = "gradients-out";
  uint64_t seed = 1;
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--out") == 0)
      o.out_dir = argv[i + 1];
    else if (std::strcmp(argv[i], "--seed") == 0)
      o.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else
      return false;
  }
  return argc % 2 == 1;
}

/// Prints one claim about the measurements and whether it holds.
bool claim(bool holds, const char *fmt, double a, double b = 0) {
  std::printf("  [%s] ", holds ? "yes" : "NO ");
  std::printf(fmt, a, b);
  std::printf("\n");
  return holds;
}

double maxOf(const std::vector<double> &v) { return *std::max_element(v.begin(), v.end()); }
double minOf(const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); }

bool printChecks(const std::vector<DeepResult> &deep, const RnnResult &rnn) {
  std::printf("gradient check against central differences (h = 1e-6 |w|):\n");
  double worst = 0;
  auto row = [&](const std::string &net, const FdCheck &c) {
    std::printf("  %-24s %-16s %16.9e %16.9e %9.2e\n", net.c_str(), c.where.c_str(), c.analytic,
                c.numeric, c.rel_error);
    worst = std::max(worst, c.rel_error);
  };
  for (const DeepResult &d : deep)
    for (const FdCheck &c : d.checks)
      row(d.name, c);
  row("relu rnn", rnn.check);
  bool ok = worst <= kFdTolerance;
  std::printf("  max relative error %.2e (tolerance %.0e): %s\n", worst, kFdTolerance,
              ok ? "passed" : "FAILED");
  return ok;
}

int run(const Options &opt) {
  std::string dir = findSampleFile("deep.diff", DIFFC_GRADIENTS_SOURCE_DIR);
  if (dir.empty()) {
    std::fprintf(stderr, "gradients: cannot find deep.diff\n");
    return 1;
  }
  diffc::Jit jit;
  diffc::Module m = jit.compile_file(dir + "/deep.diff");

  DeepShape ds;
  std::vector<DeepResult> deep = runDeepNetworks(m, ds, opt.seed);
  std::printf("%lld-layer perceptrons of width %lld on one batch of %lld: |d loss / d W_l| at "
              "initialisation\n",
              static_cast<long long>(ds.layers), static_cast<long long>(ds.width),
              static_cast<long long>(ds.batch));
  std::printf("  %5s", "layer");
  for (const DeepResult &d : deep)
    std::printf(" %24s", d.name.c_str());
  std::printf("\n");
  for (size_t l = 0; l < deep[0].layer_norms.size(); ++l) {
    std::printf("  %5zu", l + 1);
    for (const DeepResult &d : deep)
      std::printf(" %24.3e", d.layer_norms[l]);
    std::printf("\n");
  }
  std::printf("  %5s", "loss");
  for (const DeepResult &d : deep)
    std::printf(" %24.3e", d.loss);
  std::printf("\n");

  RnnShape rs;
  RnnResult rnn = runRnn(m, rs, kTrainSteps, kLr, kClip, opt.seed);
  std::printf("ReLU RNN, %lld sequences of %lld steps, %lld hidden units: |d loss / d h_t| at "
              "initialisation\n ",
              static_cast<long long>(rs.sequences), static_cast<long long>(rs.steps),
              static_cast<long long>(rs.hidden));
  for (size_t t = 0; t < rnn.step_grad_norms.size(); t += 11)
    std::printf(" t=%zu %.2e", t + 1, rnn.step_grad_norms[t]);
  std::printf(" t=%zu %.2e\n", rnn.step_grad_norms.size(), rnn.step_grad_norms.back());
  std::printf("training it by SGD (learning rate %g), without and with clipping the gradient norm "
              "to %g:\n",
              kLr, kClip);
  std::printf("  %4s %12s %12s %12s   %12s %12s %12s\n", "step", "loss", "|grad|", "|update|",
              "loss (clip)", "|grad|", "|update|");
  auto cell = [](const std::vector<double> &v, size_t i) {
    if (i < v.size())
      std::printf(" %12.4e", v[i]);
    else
      std::printf(" %12s", "-");
  };
  for (size_t i = 0; i < static_cast<size_t>(kTrainSteps); ++i) {
    if (!(i < 5 || i % 10 == 0 || i + 1 == static_cast<size_t>(kTrainSteps)))
      continue;
    std::printf("  %4zu", i + 1);
    cell(rnn.plain.loss, i);
    cell(rnn.plain.grad_norm, i);
    cell(rnn.plain.update_norm, i);
    std::printf("  ");
    cell(rnn.clipped.loss, i);
    cell(rnn.clipped.grad_norm, i);
    cell(rnn.clipped.update_norm, i);
    std::printf("\n");
  }

  bool ok = printChecks(deep, rnn);
  const std::vector<double> &sig = deep[0].layer_norms, &big = deep[2].layer_norms,
                            &bn = deep[3].layer_norms;
  std::printf("effects:\n");
  ok &= claim(sig.front() < 1e-6 * sig.back(),
              "sigmoid vanishes: first-layer gradient %.2e << last-layer %.2e", sig.front(),
              sig.back());
  ok &= claim(minOf(big) > 1e6,
              "relu with N(0,1) init explodes: every layer's gradient >= %.2e "
              "(loss %.2e)",
              minOf(big), deep[2].loss);
  ok &= claim(maxOf(bn) < 100 * minOf(bn),
              "batchnorm keeps the layers within a band: max/min gradient %.1f (< 100), min %.2e",
              maxOf(bn) / minOf(bn), minOf(bn));
  double growth = rnn.step_grad_norms.front() / rnn.step_grad_norms.back();
  ok &= claim(growth > 100, "rnn gradient explodes along the sequence: |d/dh_1| / |d/dh_T| = %.2e",
              growth);
  bool diverged =
      !std::isfinite(rnn.plain.loss.back()) || rnn.plain.loss.back() > rnn.plain.loss.front();
  ok &= claim(diverged, "without clipping training diverges: loss %.3e -> %.3e",
              rnn.plain.loss.front(), rnn.plain.loss.back());
  ok &= claim(maxOf(rnn.clipped.update_norm) <= kLr * kClip * (1 + 1e-12),
              "clipping bounds every update: max |update| %.3e <= lr * clip = %.3e",
              maxOf(rnn.clipped.update_norm), kLr * kClip);
  ok &= claim(rnn.clipped.loss.back() < 1e-3 * rnn.clipped.loss.front(),
              "with clipping training converges: loss %.3e -> %.3e", rnn.clipped.loss.front(),
              rnn.clipped.loss.back());

  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  const char *colors[] = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd"};
  Panel layers{"Deep perceptrons (20 layers)", "|d loss / d W_l|", {}, true, false, "layer"};
  for (size_t i = 0; i < deep.size(); ++i)
    layers.series.push_back({deep[i].name, colors[i], deep[i].layer_norms});
  Panel steps{"ReLU RNN over 100 steps",
              "|d loss / d h_t|",
              {{"at initialisation", "#d62728", rnn.step_grad_norms}},
              true,
              true,
              "time step t"};
  // A run that overflowed has one finite point and no visible line: the legend says what happened.
  std::string plainName = std::isfinite(rnn.plain.loss.back()) ? "unclipped" : "unclipped (NaN)";
  Panel train{"Training the RNN (SGD)",
              "loss",
              {{plainName, "#d62728", rnn.plain.loss}, {"clipped", "#1f77b4", rnn.clipped.loss}},
              true,
              true,
              "training step"};
  std::string svg = opt.out_dir + "/gradients.svg";
  if (!writeSvg(svg, "Vanishing and exploding gradients, measured with diffc", "",
                {layers, steps, train})) {
    std::fprintf(stderr, "gradients: cannot write %s\n", svg.c_str());
    return 1;
  }
  std::printf("plot: %s\n%s\n", svg.c_str(), ok ? "all checks passed" : "some checks FAILED");
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr, "usage: gradients [--out DIR] [--seed N]\n");
    return 2;
  }
  try {
    return run(opt);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "gradients: %s\n", e.what());
    return 1;
  }
}
