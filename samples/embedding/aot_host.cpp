// The same model compiled ahead of time: diffc_add_library(logistic_model SOURCES logistic.diff)
// ran `diffc build` at build time and produced logistic.h and an object file. This program links
// that object and diffc_rt only: no LLVM, no compiler at run time.
#include "logistic.h"
#include "logistic_reference.h"

#include <cstdio>

// c_api_check.c: the generated header used from C.
extern "C" int32_t loss_from_c(diffc_ctx *ctx, int64_t n, int64_t d, const double *w, double b,
                               const double *X, const double *y, double *value);

int main() {
  using namespace logistic;
  diffc_ctx *ctx = diffc_ctx_create(); // per-thread scratch memory, reused by every call
  if (!ctx)
    return 1;
  double v = 0, value = 0, gb = 0, vc = 0;
  std::vector<double> gw(D), gX(N * D), gy(N);
  // loss_call / loss_grad_call are the typed wrappers of the entry points loss / loss_grad.
  int32_t rc = loss_call(ctx, N, D, w.data(), b, X.data(), y.data(), &v);
  if (rc == DIFFC_OK)
    rc = loss_grad_call(ctx, N, D, w.data(), b, X.data(), y.data(), &value, gw.data(), &gb,
                        gX.data(), gy.data());
  if (rc == DIFFC_OK)
    rc = loss_from_c(ctx, N, D, w.data(), b, X.data(), y.data(), &vc);
  if (rc != DIFFC_OK) {
    char msg[256];
    diffc_error_message(&ctx->error, msg, sizeof msg);
    std::fprintf(stderr, "error at %d:%d in %s: %s\n", ctx->error.line, ctx->error.col,
                 ctx->error.function, msg);
    diffc_ctx_destroy(ctx);
    return 1;
  }
  diffc_ctx_destroy(ctx);

  Gradient want = reference();
  bool ok = check("loss", v, want.value);
  ok &= check("from C", vc, want.value);
  ok &= check("value", value, want.value);
  ok &= check("d_w", gw.data(), want.w);
  ok &= check("d_b", gb, want.b);
  ok &= check("d_X", gX.data(), want.X);
  ok &= check("d_y", gy.data(), want.y);
  return ok ? 0 : 1;
}
