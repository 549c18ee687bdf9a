/* Calls what diffc_add_library built with each of its options; exits 1 on a wrong value. */
#include "embedding_options_sq.h" /* PREFIX sq_, FUNCTIONS sq, gradient with respect to x only */
#include "models/all.h"           /* both sources, PREFIX all_, NO_GRADIENT */

#include <stdio.h>

static int expect(const char *what, double got, double want) {
  printf("%-12s = %g (expected %g)\n", what, got, want);
  return got == want;
}

int main(void) {
  diffc_ctx *ctx = diffc_ctx_create();
  double w[2] = {1, 2}, h[2] = {3, 4};
  double sq = 0, area = 0, cube = 0, value = 0, d_x = 0;
  int ok = all_sq_call(ctx, 3, 2, &sq) == DIFFC_OK;
  ok &= all_area_call(ctx, 2, w, h, &area) == DIFFC_OK;
  ok &= all_cube_call(ctx, 2, &cube) == DIFFC_OK;
  ok &= sq_sq_grad_call(ctx, 3, 2, &value, &d_x) == DIFFC_OK; /* d/dx k x^2 = 2 k x */
  ok &= expect("all_sq", sq, 18) & expect("all_area", area, 11) & expect("all_cube", cube, 8);
  ok &= expect("sq_sq_grad", value, 18) & expect("d_x", d_x, 12);
  diffc_ctx_destroy(ctx);
  return ok ? 0 : 1;
}
