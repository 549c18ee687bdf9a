/* The binary interface between code compiled by diffc (JIT or ahead of time) and its caller.
 *
 * Every diffc function F that has no tape parameters or results gets one C entry point:
 *
 *   int32_t ENTRY(diffc_ctx *ctx, const int64_t *sizes, const void *const *args,
 *                 void *const *results);
 *
 *   ctx      per-thread scratch state (arenas and the error record), from diffc_ctx_create().
 *            Not shared by concurrent calls: use one ctx per thread. Memory in it is reused from
 *            call to call, so a warm ctx makes a call allocate nothing.
 *   sizes    the values of F's size parameters, in declaration order (`fn f[N, D]` -> {N, D});
 *            unused (may be NULL) when F has none. Every parameter's shape must be the one its
 *            type gives for these sizes; the entry checks that every extent is non-negative.
 *   args     one pointer per parameter: a tensor parameter points to its elements (row-major,
 *            contiguous: double for f64, float for f32, int64_t for i64, uint8_t 0/1 for bool);
 *            a scalar parameter points to one such element. Arguments are only read.
 *   results  one pointer per result (tuples are flattened in order): a tensor result points to a
 *            caller-owned buffer of the result type's shape, a scalar result to one element. The
 *            result buffers must not overlap the arguments or each other.
 *   returns  0 on success. Otherwise a diffc_status code; ctx->error then says what happened and
 *            where (results are unspecified). Compiled code never aborts, throws or prints.
 *
 * The JIT host API (diffc/diffc.hpp) wraps all of this; AOT users call the entry points directly
 * and link the small runtime library `diffc_rt` (these functions), which does not need LLVM.
 */
#ifndef DIFFC_ABI_H
#define DIFFC_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum diffc_status {
  DIFFC_OK = 0,
  DIFFC_ERR_INDEX = 1,         /* a = index, b = extent, c = axis */
  DIFFC_ERR_SLICE = 2,         /* a = start, b = length, c = axis, d = extent */
  DIFFC_ERR_RESHAPE = 3,       /* a = element count of the operand, b = of the requested shape */
  DIFFC_ERR_DIV_ZERO = 4,      /* integer division or remainder by zero */
  DIFFC_ERR_NEGATIVE_SIZE = 5, /* a = the extent */
  DIFFC_ERR_OVERFLOW = 6,      /* a size or an integer result overflowed int64 */
  DIFFC_ERR_OUT_OF_MEMORY = 7, /* a = bytes requested */
  DIFFC_ERR_TAPE_EMPTY = 8,    /* tape.pop on an empty tape (an internal error) */
  DIFFC_ERR_CAST = 9,          /* a = the bits of the double that has no i64 value */
  DIFFC_ERR_EMPTY = 10,        /* max, min or argmax (a = 0, 1, 2) of no elements */
  DIFFC_ERR_INTERNAL = 11,
  DIFFC_ERR_DEPTH = 12, /* a = the call depth limit (unbounded recursion?) */
  /* Only from code compiled with the non-finite check (`--check-nan`, Options::check_nan): */
  DIFFC_ERR_NONFINITE = 13,       /* an op produced NaN or +-inf: a = flat element index (-1 for a
                                     scalar), b = the value, c and d = the first site->operands operands
                                     at that element (doubles stored as their bits) */
  DIFFC_ERR_NONFINITE_INPUT = 14, /* an argument is NaN or +-inf: a = flat element index (-1 for a
                                    scalar), b = the value (bits); site->names[0] = the parameter */
  DIFFC_ERR_MEMORY_LIMIT = 15,    /* a = bytes requested, b = the context's memory limit */
  DIFFC_ERR_TOO_LARGE = 16        /* a tensor's element or byte count overflows int64 */
} diffc_status;

/* The op a non-finite check sits after (static data of the compiled code). */
typedef struct diffc_site {
  const char *op;     /* mnemonic of the op ("log"); "" for an input */
  const char *origin; /* "forward", "adjoint of sqrt", "tangent of exp", ... */
  int32_t operands;   /* how many operand values the error record holds (0-2) */
  int32_t reserved;
  const char *names[2]; /* the operands' source names ("" when unnamed) */
} diffc_site;

/* What went wrong and where. Strings are static (they live as long as the compiled code). */
typedef struct diffc_error {
  int32_t code; /* diffc_status */
  int32_t line; /* 1-based source position of the faulting operation; 0 when unknown */
  int32_t col;
  int32_t reserved;
  const char *function;   /* the diffc function where it happened */
  int64_t a, b, c, d;     /* code-specific values, see diffc_status */
  const diffc_site *site; /* DIFFC_ERR_NONFINITE*: the op; otherwise NULL */
} diffc_error;

typedef struct diffc_chunk diffc_chunk;
typedef struct diffc_ctx diffc_ctx;

/* A bump allocator over a list of chunks. `cur`/`end` are read and written by compiled code. */
typedef struct diffc_arena {
  char *cur;
  char *end;
  diffc_chunk *chunk; /* the chunk cur points into; NULL before the first allocation */
  diffc_chunk *first;
  diffc_ctx *ctx; /* the context holding this arena (its memory limit) */
} diffc_arena;

/* A tape: a stack of fixed-size entries, grown by doubling inside the tape arena. */
typedef struct diffc_tape {
  char *data;
  int64_t count;
  int64_t cap;
} diffc_tape;

typedef struct diffc_ctx {
  diffc_arena temp; /* temporaries: released at loop iterations and at the end of a call */
  diffc_arena tape; /* tapes and their entries: released at the end of a call */
  diffc_error error;
  int64_t depth; /* nesting of calls of recursive functions in the current call */
  /* Bytes of tape storage taken so far (a running total, for benchmarks). Tapes grow by doubling
   * and are released only at the end of a call, so what one call adds is its peak tape memory. */
  int64_t tape_bytes;
  /* Memory: arena bytes (both arenas) the context holds, and an optional cap on them. */
  int64_t memory_limit; /* 0: none; see diffc_ctx_set_memory_limit */
  int64_t memory_held;
  int32_t limit_hit; /* the last failed allocation was refused by the cap */
  int32_t reserved2;
} diffc_ctx;

/* A fresh context; NULL when out of memory. */
diffc_ctx *diffc_ctx_create(void);
void diffc_ctx_destroy(diffc_ctx *ctx);
/* Caps the arena memory (temporaries and tapes) the context may hold at `bytes`; 0 removes the
 * cap. A call that needs more fails with DIFFC_ERR_MEMORY_LIMIT. Call it between calls only: when
 * the context holds more than the new cap, it releases that memory first. */
void diffc_ctx_set_memory_limit(diffc_ctx *ctx, int64_t bytes);
/* Bytes of arena memory the context holds (for tests and diagnostics). */
int64_t diffc_ctx_reserved(const diffc_ctx *ctx);
/* Renders `err` as a message ("index 7 is out of range for axis 0 of extent 3"), without the
 * location. Returns the length it wanted (snprintf style). */
size_t diffc_error_message(const diffc_error *err, char *buf, size_t n);

/* ---- Called by compiled code only ---- */
/* Allocates `bytes` (a multiple of 64) from a new or reused chunk; NULL when out of memory. */
void *diffc_rt_alloc_slow(diffc_arena *arena, int64_t bytes);
/* Allocates `bytes` (any count, rounded up to 64) from the arena, as the inline bump allocation
 * of compiled code does. Out of memory (never for 0 bytes), it fills the error record as
 * diffc_rt_fail(ctx, DIFFC_ERR_OUT_OF_MEMORY, function, line, col, bytes) does and returns NULL.
 * Code that runs once per call uses it. */
void *diffc_rt_alloc(diffc_arena *arena, int64_t bytes, const char *function, int32_t line,
                     int32_t col);
/* Returns the arena to a mark taken earlier (chunk, cur), keeping later chunks for reuse. */
void diffc_rt_release_slow(diffc_arena *arena, diffc_chunk *chunk, char *cur);
/* Makes room for one more entry of `entry_bytes`; 0 on success, else a diffc_status. */
int32_t diffc_rt_tape_grow(diffc_ctx *ctx, diffc_tape *tape, int64_t entry_bytes);
/* Makes room for at least `need` entries (a counted loop's pushes, known before it runs): grows to
 * max(need, twice the capacity) at once. 0, or DIFFC_ERR_OUT_OF_MEMORY. */
int32_t diffc_rt_tape_reserve(diffc_ctx *ctx, diffc_tape *tape, int64_t entry_bytes, int64_t need);
/* A copy of `tape` (for a tape value that is still used after a push or pop); NULL when out of
 * memory. */
diffc_tape *diffc_rt_tape_clone(diffc_ctx *ctx, const diffc_tape *tape, int64_t entry_bytes);
/* base^exp for i64 (a negative exp truncates 1/base^|exp|; base != 0 then). */
int64_t diffc_rt_ipow(int64_t base, int64_t exp);
/* out[m x n] (row-major, contiguous) = A B, with A(i,p) = a[i*a_rs + p*a_cs] and
 * B(p,j) = b[p*b_rs + j*b_cs]: each element summed in increasing p from 0, no FMA. */
void diffc_rt_matmul_f64(double *out, const double *a, const double *b, int64_t m, int64_t k,
                         int64_t n, int64_t a_rs, int64_t a_cs, int64_t b_rs, int64_t b_cs);
void diffc_rt_matmul_f32(float *out, const float *a, const float *b, int64_t m, int64_t k,
                         int64_t n, int64_t a_rs, int64_t a_cs, int64_t b_rs, int64_t b_cs);
/* out[i*n + j] = out[i*n + j] + row[j] for the m x n matrix out (a bias after a matmul). */
void diffc_rt_add_row_f64(double *out, const double *row, int64_t m, int64_t n);
void diffc_rt_add_row_f32(float *out, const float *row, int64_t m, int64_t n);
/* Fills ctx->error; returns `code`. */
int32_t diffc_rt_fail(diffc_ctx *ctx, int32_t code, const char *function, int32_t line, int32_t col,
                      int64_t a, int64_t b, int64_t c, int64_t d);
/* Fills ctx->error for a non-finite value (DIFFC_ERR_NONFINITE or _INPUT); returns `code`. */
int32_t diffc_rt_nonfinite(diffc_ctx *ctx, int32_t code, const char *function, int32_t line,
                           int32_t col, const diffc_site *site, int64_t index, double value,
                           double x, double y);

#ifdef __cplusplus
}
#endif

#endif /* DIFFC_ABI_H */
