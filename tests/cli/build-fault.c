/* Host of build-fault.diff compiled ahead of time: a fault of the program (an index out of range)
 * comes back to the C caller as a status and an error record with the source location. */
#include "m.h"

#include <stdio.h>

int main(void) {
  diffc_ctx *ctx = diffc_ctx_create();
  double x[3] = {1, 2, 3}, r = 0;
  int32_t ok = pick_call(ctx, 3, x, 1, &r);
  printf("pick(x, 1) = %g, status %d\n", r, ok);
  int32_t rc = pick_call(ctx, 3, x, 5, &r);
  char msg[128];
  diffc_error_message(&ctx->error, msg, sizeof msg);
  printf("pick(x, 5): status %d at %d:%d in %s: %s\n", rc, ctx->error.line, ctx->error.col,
         ctx->error.function, msg);
  diffc_ctx_destroy(ctx);
  return 0;
}
