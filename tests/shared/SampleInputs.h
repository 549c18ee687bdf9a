// Deterministic arguments for any function, shared by the codegen program sweep
// (tests/unit/codegen/ProgramSweepTest.cpp), the pipeline fuzzer and the stress tests.
#pragma once

#include "interp/Tensor.h"
#include "ir/IR.h"
#include "ir/SizeInference.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace diffc::testgen {

/// Arguments for fn: every size parameter gets `base + index % 3`, floats a smooth pattern in
/// (-1, 1) (scalars in (0.1, 0.9): positive, for tolerances), integers small non-negative values
/// (valid as indices along the smallest extent), bools alternate. Nullopt when a parameter's
/// shape has no value for these sizes (a negative extent).
inline std::optional<std::vector<interp::Tensor>> sampleInputs(const ir::Function &fn,
                                                               int64_t base) {
  std::vector<int64_t> sizes;
  for (size_t s = 0; s < fn.sizeParams.size(); ++s)
    sizes.push_back(base + static_cast<int64_t>(s % 3));
  int64_t smallest = base;
  std::vector<interp::Tensor> args;
  double phase = 0.3;
  for (const ir::Value *p : fn.params()) {
    auto shape = ir::evalShape(p->type.shape, sizes);
    if (!shape)
      return std::nullopt;
    size_t n = 1;
    for (int64_t d : *shape) {
      if (d < 0)
        return std::nullopt;
      n *= static_cast<size_t>(d);
    }
    std::vector<double> data(n);
    for (size_t i = 0; i < n; ++i) {
      phase += 0.7;
      switch (p->type.elem) {
      case ir::ElemType::F64:
      case ir::ElemType::F32:
        data[i] = p->type.isScalar() ? 0.5 + 0.4 * std::sin(phase)
                                     : 0.9 * std::sin(phase * 1.3 + static_cast<double>(i));
        break;
      case ir::ElemType::I64:
        data[i] = static_cast<double>(i % static_cast<size_t>(smallest));
        break;
      case ir::ElemType::Bool:
        data[i] = static_cast<double>(i % 2);
        break;
      }
    }
    args.push_back(interp::Tensor::of(p->type.elem, *shape, data));
  }
  return args;
}

} // namespace diffc::testgen
