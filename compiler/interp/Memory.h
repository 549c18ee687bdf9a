// The cap on the scratch memory of one interpreter call (InterpreterOptions::maxMemory), counted
// the way compiled code counts the arenas that diffc_ctx_set_memory_limit caps, so that `--interp`
// and the JIT refuse the same programs with the same message:
//   - a tensor the call creates holds its element count times the element size of its IR type
//     (f64 / i64 8 bytes, f32 4, bool 1), rounded up to 64 bytes, for as long as it is alive;
//     scalars hold nothing (compiled code keeps them in registers); arguments are not counted;
//   - a tape holds the bytes of every entry pushed onto it until the tape itself dies (compiled
//     code's tapes do not shrink when popped).
// The executors free memory at different points (the interpreter at a value's last use, compiled
// code when a scope ends; compiled code also grows arenas and tapes by doubling), so near the cap
// one may fail where the other still fits; a request larger than the cap fails in both at the op
// that makes it.
#pragma once

#include "interp/Tensor.h"
#include "ir/Type.h"

#include <cstdint>
#include <memory>

namespace diffc::interp::detail {

class MemoryMeter {
public:
  explicit MemoryMeter(int64_t limit) : limit_(limit) {}
  /// Throws OpFailure "memory limit of L bytes exceeded (allocating B bytes)" (the text of
  /// DIFFC_ERR_MEMORY_LIMIT) unless `request` more bytes fit; `charged` is what they count for.
  void check(int64_t request, int64_t charged) const;
  void charge(int64_t request, int64_t charged) {
    check(request, charged);
    held_ += charged;
  }
  void release(int64_t charged) { held_ -= charged; }

  /// The meter of the capped call running on this thread; null when there is none.
  static MemoryMeter *current();

private:
  int64_t limit_;
  int64_t held_ = 0;
  friend class MeterScope;
};

/// Makes a meter the current one of this thread while it lives (restoring the previous one).
class MeterScope {
public:
  explicit MeterScope(MemoryMeter *m);
  ~MeterScope();
  MeterScope(const MeterScope &) = delete;
  MeterScope &operator=(const MeterScope &) = delete;

private:
  MemoryMeter *previous_;
};

/// Bytes of n elements of type e in compiled code (the size of a tape entry).
int64_t elemBytes(ir::ElemType e, size_t n);
/// Bytes an arena allocation of n elements of type e takes: elemBytes rounded up to 64.
int64_t arenaBytes(ir::ElemType e, size_t n);
/// t as a shared tensor that holds arenaBytes of m until its last reference dies (OpFailure
/// when they do not fit).
std::shared_ptr<Tensor> chargedTensor(MemoryMeter &m, Tensor t);

} // namespace diffc::interp::detail
