// Internal representation of interpreter values. Tensors are held through shared_ptr so that a
// value passed on at its last use can be mutated in place (`update`, `update_add`, `tape.push`):
// an op may write into a tensor exactly when it holds the only reference. Not part of the public
// API (see Tensor.h for that).
#pragma once

#include "interp/Tensor.h"

#include <memory>
#include <stdexcept>
#include <vector>

namespace diffc::interp::detail {

/// A LIFO stack of tensors; entries are shared, so pushing a value does not copy its elements.
struct Tape {
  std::vector<std::shared_ptr<Tensor>> entries;
};

/// A tensor or a tape. Exactly one pointer is set in a defined value.
struct RtValue {
  std::shared_ptr<Tensor> tensor;
  std::shared_ptr<Tape> tape;

  static RtValue of(Tensor t) { return {std::make_shared<Tensor>(std::move(t)), nullptr}; }
  bool defined() const { return tensor || tape; }
};

/// How many times, on this thread, update / update_add / tape.push / tape.pop had to copy their
/// target because another reference to it was live. A test hook: the in-place guarantee is
/// checked by counting these copies rather than by timing.
uint64_t &sharedTargetCopies();

/// A fault of the program raised by a kernel, which does not know its op; the interpreter turns it
/// into a RuntimeError carrying the op's location.
struct OpFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace diffc::interp::detail
