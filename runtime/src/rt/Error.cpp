// The error record compiled code fills when a runtime check fails, and its rendering as text.
#include "diffc/abi.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  ctx->error = diffc_error{code, line, col, 0, function, a, b, c, d, nullptr};
  return code;
}

namespace {

int64_t bitsOf(double v) {
  int64_t r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}

double doubleOf(int64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

/// The shortest text of v that reads back as v ("0", "1200", "0.1", "1e+300", "nan", "-inf").
void formatNumber(double v, char *out, size_t n) {
  if (v != v) {
    std::snprintf(out, n, "nan");
    return;
  }
  if (std::fabs(v) < 1e15 && v == std::trunc(v)) {
    std::snprintf(out, n, "%.0f", v); // an integer, written out
    return;
  }
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(out, n, "%.*g", p, v);
    if (std::strtod(out, nullptr) == v)
      return;
  }
}

/// "log produced -inf at element 3 (forward); operands: x = 0" (what DIFFC_ERR_NONFINITE says).
int nonFiniteMessage(const diffc_error *e, char *buf, size_t n) {
  const diffc_site *s = e->site;
  char value[32], at[48] = "";
  formatNumber(doubleOf(e->b), value, sizeof value);
  if (e->a >= 0)
    std::snprintf(at, sizeof at, " at element %" PRId64, e->a);
  if (e->code == DIFFC_ERR_NONFINITE_INPUT)
    return std::snprintf(buf, n, "input '%s' is %s%s", s ? s->names[0] : "?", value, at);
  if (!s)
    return std::snprintf(buf, n, "an operation produced %s%s", value, at);
  char operands[160] = "";
  size_t used = 0;
  for (int32_t i = 0; i < s->operands && i < 2; ++i) {
    char num[32];
    formatNumber(doubleOf(i == 0 ? e->c : e->d), num, sizeof num);
    const char *name = s->names[i] && *s->names[i] ? s->names[i] : nullptr;
    int w = std::snprintf(operands + used, sizeof operands - used, "%s%s%s%s",
                          i ? ", " : "; operands: ", name ? name : "", name ? " = " : "", num);
    if (w < 0 || static_cast<size_t>(w) >= sizeof operands - used)
      break;
    used += static_cast<size_t>(w);
  }
  return std::snprintf(buf, n, "%s produced %s%s (%s)%s", s->op, value, at, s->origin, operands);
}

} // namespace

int32_t diffc_rt_nonfinite(diffc_ctx *ctx, int32_t code, const char *function, int32_t line,
                           int32_t col, const diffc_site *site, int64_t index, double value,
                           double x, double y) {
  ctx->error =
      diffc_error{code, line, col, 0, function, index, bitsOf(value), bitsOf(x), bitsOf(y), site};
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
    if (e->b < 0) {
      r = std::snprintf(buf, n,
                        "slice %" PRId64 ":%" PRId64 " has negative length %" PRId64
                        " (axis %" PRId64 " of size %" PRId64 ")",
                        e->a, e->a + e->b, e->b, e->c, e->d);
      break;
    }
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
    else {
      char num[32];
      formatNumber(v, num, sizeof num);
      r = std::snprintf(buf, n, "cannot convert %s to i64: outside the range |v| <= 2^53", num);
    }
    break;
  }
  case DIFFC_ERR_EMPTY:
    r = std::snprintf(buf, n, "%s of an empty tensor",
                      e->a == 0   ? "max"
                      : e->a == 1 ? "min"
                      : e->a == 2 ? "argmax"
                                  : "reduction");
    break;
  case DIFFC_ERR_DEPTH:
    r = std::snprintf(buf, n, "call depth limit of %" PRId64 " exceeded (unbounded recursion?)",
                      e->a);
    break;
  case DIFFC_ERR_NONFINITE:
  case DIFFC_ERR_NONFINITE_INPUT:
    r = nonFiniteMessage(e, buf, n);
    break;
  default:
    r = std::snprintf(buf, n, "internal error (code %d)", static_cast<int>(e->code));
    break;
  }
  return r < 0 ? 0 : static_cast<size_t>(r);
}

} // extern "C"
