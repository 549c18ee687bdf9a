// The memory compiled code uses: bump arenas over reusable chunks, and tapes grown by doubling.
// Compiled code allocates inline while the current chunk has room and calls in here otherwise, so
// a call on a warm context mallocs nothing.
#include "diffc/abi.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

struct diffc_chunk {
  diffc_chunk *next;
  char *end;
  char *data() { return reinterpret_cast<char *>(this) + kHeader; }
  int64_t capacity() { return end - data(); }
  static constexpr int64_t kHeader = 64; // keeps data() 64-byte aligned
};

namespace {

constexpr int64_t kMinChunk = 64 * 1024;

diffc_chunk *newChunk(int64_t capacity) {
  void *mem = std::aligned_alloc(64, static_cast<size_t>(capacity + diffc_chunk::kHeader));
  if (!mem)
    return nullptr;
  auto *c = static_cast<diffc_chunk *>(mem);
  c->next = nullptr;
  c->end = c->data() + capacity;
  return c;
}

void freeChunks(diffc_chunk *c) {
  while (c) {
    diffc_chunk *next = c->next;
    std::free(c);
    c = next;
  }
}

// Allocation from an arena with the arithmetic of compiled code's inline allocation: the rounding
// wraps like LLVM's `add`, and the unsigned comparison sends a wrapped (negative) size to the slow
// path, which refuses it. NULL when out of memory, never for 0 bytes.
void *arenaAlloc(diffc_arena *a, int64_t bytes) {
  uint64_t rounded = (static_cast<uint64_t>(bytes) + 63) & ~uint64_t(63);
  if (rounded <= static_cast<uint64_t>(a->end - a->cur)) {
    // Null means out of memory to the caller: an empty request from an arena without chunks
    // gets an address that is never read instead.
    alignas(64) static char empty[64];
    if (!a->cur)
      return empty;
    void *p = a->cur;
    a->cur += rounded;
    return p;
  }
  return diffc_rt_alloc_slow(a, static_cast<int64_t>(rounded));
}

} // namespace

extern "C" {

void *diffc_rt_alloc(diffc_arena *a, int64_t bytes, const char *function, int32_t line,
                     int32_t col) {
  void *p = arenaAlloc(a, bytes);
  if (!p)
    diffc_rt_fail(a->ctx, DIFFC_ERR_OUT_OF_MEMORY, function, line, col, bytes, 0, 0, 0);
  return p;
}

diffc_ctx *diffc_ctx_create(void) {
  auto *ctx = static_cast<diffc_ctx *>(std::calloc(1, sizeof(diffc_ctx)));
  if (ctx)
    ctx->temp.ctx = ctx->tape.ctx = ctx;
  return ctx;
}

void diffc_ctx_destroy(diffc_ctx *ctx) {
  if (!ctx)
    return;
  freeChunks(ctx->temp.first);
  freeChunks(ctx->tape.first);
  std::free(ctx);
}

void diffc_ctx_set_memory_limit(diffc_ctx *ctx, int64_t bytes) {
  ctx->memory_limit = bytes > 0 ? bytes : 0;
  // Between calls every chunk is free: drop them when they exceed the new cap, so that a call
  // under the cap gets no more than the cap even on a context warmed by bigger calls.
  if (bytes > 0 && ctx->memory_held > bytes) {
    for (diffc_arena *a : {&ctx->temp, &ctx->tape}) {
      freeChunks(a->first);
      a->cur = a->end = nullptr;
      a->chunk = a->first = nullptr;
    }
    ctx->memory_held = 0;
  }
}

int64_t diffc_ctx_reserved(const diffc_ctx *ctx) {
  int64_t total = 0;
  for (const diffc_arena *a : {&ctx->temp, &ctx->tape})
    for (diffc_chunk *c = a->first; c; c = c->next)
      total += c->capacity();
  return total;
}

void *diffc_rt_alloc_slow(diffc_arena *a, int64_t bytes) {
  diffc_ctx *ctx = a->ctx;
  ctx->limit_hit = 0;
  if (bytes < 0 || bytes > (int64_t(1) << 60))
    return nullptr;
  diffc_chunk *cur = a->chunk;
  diffc_chunk **link = cur ? &cur->next : &a->first;
  // Chunks after the current one are free (released earlier); reuse the next one if it is big
  // enough, else drop it: the replacement is at least twice as big, so this happens rarely.
  while (*link && (*link)->capacity() < bytes) {
    diffc_chunk *dead = *link;
    *link = dead->next;
    dead->next = nullptr;
    ctx->memory_held -= dead->capacity();
    std::free(dead);
  }
  diffc_chunk *next = *link;
  if (!next) {
    int64_t cap = std::max({kMinChunk, bytes, cur ? 2 * cur->capacity() : int64_t(0)});
    if (int64_t limit = ctx->memory_limit; limit > 0 && ctx->memory_held + cap > limit) {
      // Under a cap, grow by no more than the request needs.
      cap = bytes;
      if (ctx->memory_held + cap > limit) {
        ctx->limit_hit = 1;
        return nullptr;
      }
    }
    next = newChunk(cap);
    if (!next)
      return nullptr;
    ctx->memory_held += cap;
    *link = next;
  }
  a->chunk = next;
  a->cur = next->data() + bytes;
  a->end = next->end;
  return next->data();
}

void diffc_rt_release_slow(diffc_arena *a, diffc_chunk *chunk, char *cur) {
  a->chunk = chunk;
  a->cur = cur;
  a->end = chunk ? chunk->end : nullptr;
}

int32_t diffc_rt_tape_grow(diffc_ctx *ctx, diffc_tape *t, int64_t entryBytes) {
  return diffc_rt_tape_reserve(ctx, t, entryBytes, t->cap ? 2 * t->cap : 16);
}

int32_t diffc_rt_tape_reserve(diffc_ctx *ctx, diffc_tape *t, int64_t entryBytes, int64_t need) {
  if (need <= t->cap)
    return 0;
  ctx->limit_hit = 0;
  int64_t cap = need > 2 * t->cap ? need : 2 * t->cap;
  int64_t bytes;
  if (__builtin_mul_overflow(cap, entryBytes, &bytes))
    return DIFFC_ERR_OUT_OF_MEMORY;
  char *data = static_cast<char *>(arenaAlloc(&ctx->tape, bytes));
  if (!data)
    return DIFFC_ERR_OUT_OF_MEMORY;
  ctx->tape_bytes += bytes;
  if (t->count)
    std::memcpy(data, t->data, static_cast<size_t>(t->count * entryBytes));
  t->data = data;
  t->cap = cap;
  return 0;
}

diffc_tape *diffc_rt_tape_clone(diffc_ctx *ctx, const diffc_tape *t, int64_t entryBytes) {
  auto *c = static_cast<diffc_tape *>(arenaAlloc(&ctx->tape, sizeof(diffc_tape)));
  if (!c)
    return nullptr;
  *c = diffc_tape{nullptr, 0, 0};
  if (t->count == 0)
    return c;
  char *data = static_cast<char *>(arenaAlloc(&ctx->tape, t->cap * entryBytes));
  if (!data)
    return nullptr;
  ctx->tape_bytes += t->cap * entryBytes;
  std::memcpy(data, t->data, static_cast<size_t>(t->count * entryBytes));
  *c = diffc_tape{data, t->count, t->cap};
  return c;
}

} // extern "C"

extern "C" int64_t diffc_rt_ipow(int64_t base, int64_t exp) {
  // Integer power as the interpreter defines it (wrapping where it would report overflow). A
  // negative exponent truncates 1 / base^|exp| toward zero; base 0 is rejected by the caller.
  if (exp < 0)
    return base == 1 ? 1 : base == -1 ? (exp % 2 == 0 ? 1 : -1) : 0;
  uint64_t r = 1, b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1) {
    if (e & 1)
      r *= b;
    b *= b;
  }
  return static_cast<int64_t>(r);
}
