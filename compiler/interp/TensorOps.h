// Whole-tensor ops of the IR (shape manipulation, reductions, products, softmax). Each takes its
// operands and the result's element type / shape where the op needs them, and follows the
// conventions of ir/Ops.def. Element arithmetic goes through Elementwise.h, so f32 rounds and i64
// stays exact here exactly as in the elementwise ops.
#pragma once

#include "interp/Tensor.h"
#include "ir/IR.h"

#include <vector>

namespace diffc::interp::detail {

/// The same elements in row-major order with a new shape; the element counts must agree (a
/// runtime error otherwise, since reshape extents can come from data).
Tensor reshape(const Tensor &x, const std::vector<int64_t> &shape);
Tensor transpose(const Tensor &a);
/// Concatenation along the first axis into a tensor of `shape`.
Tensor concat(const std::vector<const Tensor *> &ins, ir::ElemType e,
              const std::vector<int64_t> &shape);
/// Stacks equal-shaped operands along a new first axis into a tensor of `shape`.
Tensor pack(const std::vector<const Tensor *> &ins, ir::ElemType e,
            const std::vector<int64_t> &shape);
Tensor diag(const Tensor &x);
Tensor eye(ir::ElemType e, const std::vector<int64_t> &shape);

/// sum prod reduce_max reduce_min logsumexp norm: the whole tensor to a scalar.
Tensor reduce(ir::OpKind k, const Tensor &x);
/// Flat index of the first maximum (a NaN counts as the maximum); i64 scalar.
Tensor argmax(const Tensor &x);
/// [m,k]x[k,n], [m,k]x[k], [k]x[k,n], [k]x[k].
Tensor matmul(const Tensor &a, const Tensor &b);
Tensor outer(const Tensor &x, const Tensor &y);
/// softmax or log_softmax along the last axis (a scalar is one row of one element).
Tensor softmax(ir::OpKind k, const Tensor &x);

} // namespace diffc::interp::detail
