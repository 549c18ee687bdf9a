// The error record compiled code fills when a runtime check fails, and its rendering as text.
#include "diffc/abi.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

extern "C" {

int32_t diffc_rt_fail(diffc_ctx *ctx, int32_t code, const char *function, int32_t line, int32_t col,
                      int64_t a, int64_t b, int64_t c, int64_t d) {
  // An allocation the context's memory cap refused is reported as such (compiled code only sees a
  // failed allocation).
  if (code == DIFFC_ERR_OUT_OF_MEMORY && ctx->limit_hit) {
    code = DIFFC_ERR_MEMORY_LIMIT;
    b = ctx->memory_limit;
  }
  ctx->error = diffc_error{code, line, col, 0, function, a, b, c, d};
  return code;
}

size_t diffc_error_message(const diffc_error *e, char *buf, size_t n) {
  int r = 0;
  switch (e->code) {
  case DIFFC_OK:
    r = std::snprintf(buf, n, "no error");
    break;
  case DIFFC_ERR_INDEX:
    r = std::snprintf(buf, n,
                      "index %" PRId64 " out of range for axis %" PRId64 " of size %" PRId64, e->a,
                      e->c, e->b);
    break;
  case DIFFC_ERR_SLICE:
    r = std::snprintf(
        buf, n, "slice %" PRId64 ":%" PRId64 " out of range for axis %" PRId64 " of size %" PRId64,
        e->a, e->a + e->b, e->c, e->d);
    break;
  case DIFFC_ERR_RESHAPE:
    r = std::snprintf(buf, n,
                      "cannot reshape %" PRId64 " elements to a shape of %" PRId64 " elements",
                      e->a, e->b);
    break;
  case DIFFC_ERR_DIV_ZERO:
    r = std::snprintf(buf, n, "integer division by zero");
    break;
  case DIFFC_ERR_NEGATIVE_SIZE:
    r = std::snprintf(buf, n, "negative extent %" PRId64 " in a tensor shape", e->a);
    break;
  case DIFFC_ERR_OVERFLOW:
    r = std::snprintf(buf, n, "integer overflow");
    break;
  case DIFFC_ERR_OUT_OF_MEMORY:
    r = std::snprintf(buf, n, "out of memory (allocating %" PRId64 " bytes)", e->a);
    break;
  case DIFFC_ERR_MEMORY_LIMIT:
    r = std::snprintf(buf, n,
                      "memory limit of %" PRId64 " bytes exceeded (allocating %" PRId64 " bytes)",
                      e->b, e->a);
    break;
  case DIFFC_ERR_TOO_LARGE:
    r = std::snprintf(buf, n, "tensor too large: its size in bytes overflows int64");
    break;
  case DIFFC_ERR_TAPE_EMPTY:
    r = std::snprintf(buf, n, "internal error: pop from an empty tape");
    break;
  case DIFFC_ERR_CAST: {
    double v;
    std::memcpy(&v, &e->a, sizeof v);
    if (v != v)
      r = std::snprintf(buf, n, "cannot convert NaN to i64");
    else
      r = std::snprintf(buf, n, "cannot convert %.17g to i64: outside the range |v| <= 2^53", v);
    break;
  }
  case DIFFC_ERR_EMPTY:
    r = std::snprintf(buf, n, "reduction of an empty tensor");
    break;
  case DIFFC_ERR_DEPTH:
    r = std::snprintf(buf, n, "call depth limit of %" PRId64 " exceeded (unbounded recursion?)",
                      e->a);
    break;
  default:
    r = std::snprintf(buf, n, "internal error (code %d)", static_cast<int>(e->code));
    break;
  }
  return r < 0 ? 0 : static_cast<size_t>(r);
}

} // extern "C"
