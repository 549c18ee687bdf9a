#include "sample_util.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>

namespace diffc::sample {

std::string findSampleFile(const std::string &file, const std::string &source_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path() / file, ec))
    return exe.parent_path().string();
  if (!source_dir.empty() && fs::exists(fs::path(source_dir) / file, ec))
    return source_dir;
  return {};
}

double centralDifference(const std::function<double()> &f, double &x, double h) {
  const double saved = x;
  x = saved + h;
  double up = f();
  x = saved - h;
  double down = f();
  x = saved;
  return (up - down) / (2 * h);
}

double relativeError(double a, double b, double floor) {
  return std::fabs(a - b) / std::max({std::fabs(a), std::fabs(b), floor});
}

uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rng::next() { return nextRandom(state_); }

double Rng::uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53; }

double Rng::normal() {
  double u = uniform(), v = uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

} // namespace diffc::sample
