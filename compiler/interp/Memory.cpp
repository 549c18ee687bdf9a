#include "interp/Memory.h"

#include "interp/RtValue.h"

#include <fmt/format.h>
#include <limits>

namespace diffc::interp::detail {

namespace {
thread_local MemoryMeter *currentMeter = nullptr;
} // namespace

void MemoryMeter::check(int64_t request, int64_t charged) const {
  // held_ <= limit_ always, so the subtraction cannot overflow.
  if (charged > limit_ - held_)
    throw OpFailure(
        fmt::format("memory limit of {} bytes exceeded (allocating {} bytes)", limit_, request));
}

MemoryMeter *MemoryMeter::current() { return currentMeter; }

MeterScope::MeterScope(MemoryMeter *m) : previous_(currentMeter) { currentMeter = m; }
MeterScope::~MeterScope() { currentMeter = previous_; }

int64_t elemBytes(ir::ElemType e, size_t n) {
  int64_t size = e == ir::ElemType::Bool ? 1 : e == ir::ElemType::F32 ? 4 : 8;
  int64_t bytes;
  // A count no tensor can have: more than any cap.
  if (n > static_cast<size_t>(std::numeric_limits<int64_t>::max()) ||
      __builtin_mul_overflow(static_cast<int64_t>(n), size, &bytes))
    return std::numeric_limits<int64_t>::max();
  return bytes;
}

int64_t arenaBytes(ir::ElemType e, size_t n) {
  int64_t bytes = elemBytes(e, n);
  return bytes > std::numeric_limits<int64_t>::max() - 63 ? bytes : (bytes + 63) & ~int64_t(63);
}

std::shared_ptr<Tensor> chargedTensor(MemoryMeter &m, Tensor t) {
  int64_t charged = arenaBytes(t.elem, t.size());
  m.charge(elemBytes(t.elem, t.size()), charged);
  // The meter outlives every value of its call (Interpreter::call destroys them first).
  return std::shared_ptr<Tensor>(new Tensor(std::move(t)), [&m, charged](Tensor *p) {
    m.release(charged);
    delete p;
  });
}

} // namespace diffc::interp::detail
