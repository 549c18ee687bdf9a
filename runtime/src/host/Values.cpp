// Views, scalar outputs and results.
#include "Host.h"

#include "ir/SizeInference.h"

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
// A view of a vector must not reach past its end: the call reads (and writes) every element.
template <typename T> View ofVector(const std::vector<T> &v, Elem e, Extents &s, bool writable) {
  int64_t n = 1;
  for (int64_t d : s.dims) {
    if (d < 0)
      throw Error(
          fmt::format("diffc::view: negative extent {} in shape {}", d, ir::shapeStr(s.dims)));
    n = __builtin_mul_overflow(n, d, &n) ? INT64_MAX : n;
  }
  if (static_cast<uint64_t>(n) > v.size())
    throw Error(fmt::format("diffc::view: shape {} needs {} elements but the vector has {}",
                            ir::shapeStr(s.dims), n, v.size()));
  return make(v.data(), e, std::move(s.dims), writable);
}
} // namespace

View view(std::vector<double> &v, Extents s) { return ofVector(v, Elem::f64, s, true); }
View view(const std::vector<double> &v, Extents s) { return ofVector(v, Elem::f64, s, false); }
View view(std::vector<float> &v, Extents s) { return ofVector(v, Elem::f32, s, true); }
View view(const std::vector<float> &v, Extents s) { return ofVector(v, Elem::f32, s, false); }
View view(std::vector<int64_t> &v, Extents s) { return ofVector(v, Elem::i64, s, true); }
View view(const std::vector<int64_t> &v, Extents s) { return ofVector(v, Elem::i64, s, false); }
View view(double *data, Extents s) { return make(data, Elem::f64, std::move(s.dims), true); }
View view(const double *data, Extents s) { return make(data, Elem::f64, std::move(s.dims), false); }
View out(double &x) { return make(&x, Elem::f64, {}, true); }
View out(int64_t &x) { return make(&x, Elem::i64, {}, true); }

double Tensor::scalar() const {
  if (!shape.empty() || data.size() != 1)
    throw Error(fmt::format("diffc: result is not a scalar (it has {} elements)", data.size()));
  return data[0];
}

const Tensor &Result::operator[](size_t i) const {
  if (i >= results_.size())
    throw Error(fmt::format("diffc: result {} requested, the function has {}", i, results_.size()));
  return results_[i];
}

const Tensor &Result::get(std::string_view name) const {
  for (size_t i = 0; i < names_.size() && i < results_.size(); ++i)
    if (names_[i] == name)
      return results_[i];
  throw Error(fmt::format("diffc: no result named '{}'", name));
}

double Result::scalar() const { return (*this)[0].scalar(); }

const Tensor &Result::grad(std::string_view param) const { return get("d_" + std::string(param)); }

const Tensor &Result::grad(size_t i) const { return (*this)[i + 1]; }

} // namespace diffc
