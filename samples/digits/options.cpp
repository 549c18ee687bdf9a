#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace diffc::sample {

namespace {

constexpr const char *kUsage =
    "usage: digits [--epochs N] [--optimizer adam|sgd] [--out DIR] [--batch N] [--hidden N]\n"
    "              [--lr X] [--seed N] [--min-accuracy X] [--sample-dir DIR]\n"
    "Trains the multilayer perceptron of mlp.diff on the 8x8 handwritten digits with diffc's\n"
    "gradients, checks the first batch's gradient against finite differences, prints one line per\n"
    "epoch and writes DIR/digits_curves.svg and DIR/digits_history.csv (default DIR: digits-out).\n"
    "Exits 1 if the gradient check fails or the final test accuracy is below --min-accuracy\n"
    "(default 0.95).\n";

bool parseNumber(std::string_view s, double &out) {
  std::string str(s);
  char *end = nullptr;
  out = std::strtod(str.c_str(), &end);
  return !str.empty() && end == str.c_str() + str.size();
}

} // namespace

std::optional<Options> parseOptions(int argc, char **argv, int *exit_code) {
  Options o;
  auto fail = [&](const std::string &msg) -> std::optional<Options> {
    std::fprintf(stderr, "digits: %s\n%s", msg.c_str(), kUsage);
    *exit_code = 2;
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      *exit_code = 0;
      return std::nullopt;
    }
    if (i + 1 >= argc)
      return fail("unknown option or missing value: " + std::string(a));
    std::string_view v = argv[++i];
    double x = 0;
    bool isNum = parseNumber(v, x);
    auto positiveInt = [&] { return isNum && x >= 1 && x == static_cast<int64_t>(x) && x < 1e7; };
    if (a == "--epochs" && positiveInt())
      o.epochs = static_cast<int>(x);
    else if (a == "--batch" && positiveInt())
      o.batch = static_cast<int64_t>(x);
    else if (a == "--hidden" && positiveInt())
      o.hidden = static_cast<int64_t>(x);
    else if (a == "--seed" && isNum && x >= 0 && x == static_cast<int64_t>(x))
      o.seed = static_cast<uint64_t>(x);
    else if (a == "--lr" && isNum && x > 0)
      o.lr = x;
    else if (a == "--min-accuracy" && isNum && x >= 0 && x <= 1)
      o.min_accuracy = x;
    else if (a == "--optimizer" && (v == "adam" || v == "sgd"))
      o.optimizer = v;
    else if (a == "--out")
      o.out_dir = v;
    else if (a == "--sample-dir")
      o.sample_dir = v;
    else
      return fail("bad option or value: " + std::string(a) + " " + std::string(v));
  }
  return o;
}

std::string findSampleDir() {
  namespace fs = std::filesystem;
  auto holds = [](const fs::path &d) {
    std::error_code ec;
    return fs::exists(d / "mlp.diff", ec) && fs::exists(d / "data" / "digits.csv", ec);
  };
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && holds(exe.parent_path()))
    return exe.parent_path().string();
#ifdef DIFFC_DIGITS_SOURCE_DIR
  if (holds(DIFFC_DIGITS_SOURCE_DIR))
    return DIFFC_DIGITS_SOURCE_DIR;
#endif
  return {};
}

} // namespace diffc::sample
