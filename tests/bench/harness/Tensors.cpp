#include "Tensors.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace diffc::bench {

namespace {

nlohmann::json nested(const double *&p, const std::vector<int64_t> &shape, size_t dim) {
  if (dim == shape.size())
    return *p++;
  nlohmann::json a = nlohmann::json::array();
  for (int64_t i = 0; i < shape[dim]; ++i)
    a.push_back(nested(p, shape, dim + 1));
  return a;
}

} // namespace

nlohmann::json tensorJson(const double *data, const std::vector<int64_t> &shape) {
  const double *p = data;
  return nested(p, shape, 0);
}

std::vector<double> readNumbers(const std::string &path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "diffc_bench: cannot read " << path << "\n";
    std::exit(1);
  }
  std::vector<double> v;
  for (double x; in >> x;)
    v.push_back(x);
  return v;
}

std::vector<double> uniform(size_t count, double lo, double hi, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(count);
  for (double &e : v)
    e = dist(rng);
  return v;
}

} // namespace diffc::bench
