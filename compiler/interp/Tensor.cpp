#include "interp/Tensor.h"

#include <stdexcept>

namespace diffc::interp {

size_t numElements(const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw std::length_error("negative extent in a tensor shape");
    if (__builtin_mul_overflow(n, static_cast<size_t>(d), &n))
      throw std::length_error("tensor shape has too many elements");
  }
  return n;
}

Tensor Tensor::scalar(double v, ir::ElemType e) {
  Tensor t;
  t.elem = e;
  t.data.push_back(v);
  return t;
}

Tensor Tensor::zeros(ir::ElemType e, std::vector<int64_t> shape) {
  Tensor t;
  t.elem = e;
  size_t n = numElements(shape);
  t.shape = std::move(shape);
  t.data.assign(n, 0.0);
  return t;
}

Tensor Tensor::of(ir::ElemType e, std::vector<int64_t> shape, std::vector<double> values) {
  if (numElements(shape) != values.size())
    throw std::invalid_argument("Tensor::of: the number of values does not match the shape");
  Tensor t;
  t.elem = e;
  t.shape = std::move(shape);
  t.data = std::move(values);
  return t;
}

double Tensor::item() const {
  if (data.size() != 1)
    throw std::logic_error("Tensor::item() on a value with " + std::to_string(data.size()) +
                           " elements");
  return data[0];
}

} // namespace diffc::interp
