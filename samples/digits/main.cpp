// digits: trains the multilayer perceptron of mlp.diff on the 8x8 handwritten digits with the
// gradient diffc derives, through the C++ host API. See README.md for what it shows.
#include "dataset.h"
#include "gradcheck.h"
#include "model.h"
#include "options.h"
#include "plot_svg.h"

#include <diffc/diffc.hpp>
#include <diffc/optim.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

using namespace diffc::sample;

namespace {

constexpr double kTestFraction = 0.2;
constexpr int kGradCheckPerTensor = 5;
constexpr double kGradCheckTolerance = 1e-5;

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct EpochRecord {
  double train_loss, test_loss, train_acc, test_acc, seconds;
};

/// Copies the rows order[first, first + step.batch()) of `data` into the step's batch buffers.
void fillBatch(GradStep &step, const Digits &data, const std::vector<int64_t> &order,
               size_t first) {
  for (int64_t r = 0; r < step.batch(); ++r) {
    int64_t src = order[first + static_cast<size_t>(r)];
    std::copy_n(data.X.data() + src * Digits::kPixels, Digits::kPixels,
                step.batchX() + r * Digits::kPixels);
    step.batchLabels()[r] = data.labels[static_cast<size_t>(src)];
  }
}

/// Prints the table; true when every relative error is within tolerance.
bool reportGradCheck(const std::vector<GradCheckEntry> &rows, int64_t batch) {
  std::printf("gradient check of the first batch (%lld images) against central differences:\n",
              static_cast<long long>(batch));
  std::printf("  %-13s %16s %16s %11s\n", "element", "diffc", "finite diff.", "rel. error");
  double worst = 0;
  for (const GradCheckEntry &e : rows) {
    std::printf("  %-3s %-9s %16.9e %16.9e %11.2e\n", e.tensor.c_str(), e.where.c_str(), e.analytic,
                e.numeric, e.rel_error);
    worst = std::max(worst, e.rel_error);
  }
  bool ok = worst <= kGradCheckTolerance;
  std::printf("  max relative error %.2e (tolerance %.0e): %s\n", worst, kGradCheckTolerance,
              ok ? "passed" : "FAILED");
  return ok;
}

bool writeOutputs(const std::string &dir, const std::vector<EpochRecord> &hist,
                  const std::string &title) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream csv(dir + "/digits_history.csv");
  csv << "epoch,train_loss,test_loss,train_accuracy,test_accuracy,seconds\n";
  Series trainLoss{"train (mean of batches)", "#1f77b4", {}}, testLoss{"test", "#d62728", {}};
  Series trainAcc{"train", "#1f77b4", {}}, testAcc{"test", "#d62728", {}};
  for (size_t e = 0; e < hist.size(); ++e) {
    const EpochRecord &r = hist[e];
    csv << e + 1 << ',' << r.train_loss << ',' << r.test_loss << ',' << r.train_acc << ','
        << r.test_acc << ',' << r.seconds << '\n';
    trainLoss.y.push_back(r.train_loss);
    testLoss.y.push_back(r.test_loss);
    trainAcc.y.push_back(100 * r.train_acc);
    testAcc.y.push_back(100 * r.test_acc);
  }
  std::vector<Panel> panels = {
      {"Cross-entropy loss", "loss", {trainLoss, testLoss}, true, true, "epoch"},
      {"Accuracy", "accuracy (%)", {trainAcc, testAcc}, false, false, "epoch"}};
  return static_cast<bool>(csv.flush()) &&
         writeSvg(dir + "/digits_curves.svg", title, "epoch", panels);
}

int run(const Options &opt) {
  const auto start = Clock::now();
  std::string dir = opt.sample_dir.empty() ? findSampleDir() : opt.sample_dir;
  if (dir.empty()) {
    std::fprintf(stderr, "digits: cannot find mlp.diff and data/digits.csv (use --sample-dir)\n");
    return 1;
  }
  Split data = splitTrainTest(loadDigits(dir + "/data/digits.csv"), kTestFraction, opt.seed);
  const Digits &train = data.train;

  MlpLayout layout(Digits::kPixels, opt.hidden, Digits::kClasses);
  bool adam = opt.optimizer == "adam";
  int64_t batch = std::min(opt.batch, train.size());
  double lr = opt.lr > 0 ? opt.lr : adam ? 3e-3 : 0.05;
  std::printf("digits: %lld training and %lld test images of 8x8 pixels; MLP %lld-%lld-%lld "
              "(%zu parameters); %s, learning rate %g, batch %lld\n",
              static_cast<long long>(train.size()), static_cast<long long>(data.test.size()),
              static_cast<long long>(layout.in), static_cast<long long>(layout.hidden),
              static_cast<long long>(layout.out), layout.size,
              adam ? "Adam" : "SGD with momentum 0.9", lr, static_cast<long long>(batch));

  auto t0 = Clock::now();
  diffc::Jit jit;
  MlpProgram prog = MlpProgram::compile(jit, dir + "/mlp.diff");
  std::printf("compiled %s/mlp.diff (loss, its gradient, predict) in %.2f s\n", dir.c_str(),
              secondsSince(t0));

  std::vector<double> theta, grad(layout.size);
  initParams(layout, theta, opt.seed);
  // One bound call per batch size: the full batches and, when the set does not divide evenly,
  // the last, shorter one (B is a size parameter, bound afresh at every call).
  GradStep full(prog, layout, theta, grad, batch);
  std::unique_ptr<GradStep> tail;
  if (train.size() % batch != 0)
    tail = std::make_unique<GradStep>(prog, layout, theta, grad, train.size() % batch);
  Evaluator evalTrain(prog, layout, theta, train), evalTest(prog, layout, theta, data.test);
  std::optional<diffc::optim::Adam> adamOpt;
  std::optional<diffc::optim::SgdMomentum> sgdOpt;
  if (adam)
    adamOpt.emplace(layout.size, diffc::optim::AdamOptions{.lr = lr});
  else
    sgdOpt.emplace(layout.size, diffc::optim::SgdMomentumOptions{.lr = lr, .momentum = 0.9});

  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = static_cast<int64_t>(i);
  uint64_t rng = opt.seed ^ 0x5eedULL; // a stream apart from the split's
  std::vector<EpochRecord> hist;
  double trainSeconds = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    auto epochStart = Clock::now();
    shuffleIndices(order, rng);
    double lossSum = 0;
    for (size_t first = 0; first < order.size();) {
      GradStep &step = order.size() - first >= static_cast<size_t>(batch) ? full : *tail;
      fillBatch(step, train, order, first);
      double loss = step.run();
      if (epoch == 1 && first == 0) {
        auto rows = checkGradient(prog, layout, theta, grad, step.batchX(), step.batchLabels(),
                                  step.batch(), kGradCheckPerTensor, opt.seed);
        if (!reportGradCheck(rows, step.batch()))
          return 1;
        epochStart = Clock::now(); // the check is not part of the epoch's training time
      }
      if (adamOpt)
        adamOpt->step(theta, grad);
      else
        sgdOpt->step(theta, grad);
      lossSum += loss * static_cast<double>(step.batch());
      first += static_cast<size_t>(step.batch());
    }
    Evaluator::Scores trainScores = evalTrain.run(), testScores = evalTest.run();
    double secs = secondsSince(epochStart);
    trainSeconds += secs;
    hist.push_back({lossSum / static_cast<double>(train.size()), testScores.loss,
                    trainScores.accuracy, testScores.accuracy, secs});
    std::printf("epoch %3d/%d  loss %.4f  test loss %.4f  train acc %6.2f%%  test acc %6.2f%%  "
                "%.3f s\n",
                epoch, opt.epochs, hist.back().train_loss, testScores.loss,
                100 * trainScores.accuracy, 100 * testScores.accuracy, secs);
    std::fflush(stdout);
  }

  char title[160];
  std::snprintf(title, sizeof title, "diffc: MLP %lld-%lld-%lld on 8x8 digits, %s",
                static_cast<long long>(layout.in), static_cast<long long>(layout.hidden),
                static_cast<long long>(layout.out), adam ? "Adam" : "SGD + momentum");
  bool wrote = writeOutputs(opt.out_dir, hist, title);
  double final = hist.empty() ? 0 : hist.back().test_acc;
  std::printf(
      "test accuracy %.2f%% after %d epochs (bound %.2f%%); training %.2f s, total %.2f s\n",
      100 * final, opt.epochs, 100 * opt.min_accuracy, trainSeconds, secondsSince(start));
  if (!wrote) {
    std::fprintf(stderr, "digits: cannot write to %s\n", opt.out_dir.c_str());
    return 1;
  }
  std::printf("plot: %s/digits_curves.svg  history: %s/digits_history.csv\n", opt.out_dir.c_str(),
              opt.out_dir.c_str());
  if (final < opt.min_accuracy) {
    std::fprintf(stderr, "digits: test accuracy %.4f is below the bound %.4f\n", final,
                 opt.min_accuracy);
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  int code = 0;
  std::optional<Options> opt = parseOptions(argc, argv, &code);
  if (!opt)
    return code;
  try {
    return run(*opt);
  } catch (const std::exception &e) { // diffc::CompileError carries the rendered diagnostics
    std::fprintf(stderr, "digits: %s\n", e.what());
    return 1;
  }
}
