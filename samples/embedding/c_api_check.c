/* The generated header is C as well as C++: this file is compiled as C and calls the model. */
#include "logistic.h"

int32_t loss_from_c(diffc_ctx *ctx, int64_t n, int64_t d, const double *w, double b,
                    const double *X, const double *y, double *value) {
  return loss_call(ctx, n, d, w, b, X, y, value);
}
