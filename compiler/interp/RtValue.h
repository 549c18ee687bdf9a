// Internal representation of interpreter values. Tensors are held through shared_ptr so that a
// value passed on at its last use can be mutated in place (`update`, `update_add`, `tape.push`):
// an op may write into a tensor exactly when it holds the only reference. Not part of the public
// API (see Tensor.h for that).
#pragma once

#include "interp/Memory.h"
#include "interp/Tensor.h"

#include <memory>
#include <stdexcept>
#include <vector>

namespace diffc::interp::detail {

/// A LIFO stack of tensors; entries are shared, so pushing a value does not copy its elements.
/// Under a memory cap it holds the bytes compiled code's tape would hold for its entries.
struct Tape {
  std::vector<std::shared_ptr<Tensor>> entries;

  Tape() = default;
  Tape(const Tape &o) : entries(o.entries) {
    if (meter)
      meter->charge(o.charged, o.charged);
    charged = o.charged;
  }
  Tape &operator=(const Tape &) = delete;
  ~Tape() {
    if (meter)
      meter->release(charged);
  }

  void push(std::shared_ptr<Tensor> t) {
    if (meter) {
      int64_t bytes = elemBytes(t->elem, t->size());
      meter->charge(bytes, bytes);
      charged += bytes;
    }
    entries.push_back(std::move(t));
  }

private:
  MemoryMeter *meter = MemoryMeter::current();
  int64_t charged = 0; // released with the tape: compiled code's tapes do not shrink on pop
};

/// A tensor or a tape. Exactly one pointer is set in a defined value.
struct RtValue {
  std::shared_ptr<Tensor> tensor;
  std::shared_ptr<Tape> tape;

  /// t as a value; under a memory cap (Memory.h) a tensor that is not a scalar is charged.
  static RtValue of(Tensor t) {
    if (MemoryMeter *m = MemoryMeter::current(); m && !t.isScalar())
      return {chargedTensor(*m, std::move(t)), nullptr};
    return {std::make_shared<Tensor>(std::move(t)), nullptr};
  }
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
