// Views, scalar outputs and results.
#include "Host.h"

#include <fmt/format.h>

namespace diffc {

namespace {
template <typename T> View make(T *data, Elem e, std::vector<int64_t> shape, bool writable) {
  View v;
  v.data = const_cast<std::remove_const_t<T> *>(data);
  v.elem = e;
  v.shape = std::move(shape);
  v.writable = writable;
  return v;
}
} // namespace

View view(std::vector<double> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::f64, s, true);
}
View view(const std::vector<double> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::f64, s, false);
}
View view(std::vector<float> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::f32, s, true);
}
View view(const std::vector<float> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::f32, s, false);
}
View view(std::vector<int64_t> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::i64, s, true);
}
View view(const std::vector<int64_t> &v, std::initializer_list<int64_t> s) {
  return make(v.data(), Elem::i64, s, false);
}
View view(double *data, std::vector<int64_t> s) {
  return make(data, Elem::f64, std::move(s), true);
}
View view(const double *data, std::vector<int64_t> s) {
  return make(data, Elem::f64, std::move(s), false);
}
View out(double &x) { return make(&x, Elem::f64, {}, true); }
View out(int64_t &x) { return make(&x, Elem::i64, {}, true); }

double Tensor::scalar() const {
  if (!shape.empty() || data.size() != 1)
    throw Error(fmt::format("diffc: result is not a scalar (it has {} elements)", data.size()));
  return data[0];
}

const Tensor &Result::operator[](size_t i) const {
  if (i >= results_.size())
    throw Error(fmt::format("diffc: result {} requested, the function has {}", i,
                            results_.size()));
  return results_[i];
}

const Tensor &Result::get(std::string_view name) const {
  for (size_t i = 0; i < names_.size() && i < results_.size(); ++i)
    if (names_[i] == name)
      return results_[i];
  throw Error(fmt::format("diffc: no result named '{}'", name));
}

double Result::scalar() const { return (*this)[0].scalar(); }

const Tensor &Result::grad(std::string_view param) const {
  return get("d_" + std::string(param));
}

const Tensor &Result::grad(size_t i) const { return (*this)[i + 1]; }

} // namespace diffc
