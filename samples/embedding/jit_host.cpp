// The smallest host program for the JIT: compile a .diff file at run time, then call a function
// and its gradient. Usage: jit_host logistic.diff
#include "logistic_reference.h"

#include <diffc/diffc.hpp>

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s logistic.diff\n", argv[0]);
    return 2;
  }
  using namespace logistic;
  try {
    diffc::Jit jit;
    diffc::Module m = jit.compile_file(argv[1]);
    diffc::Function loss = m.function("loss");
    diffc::Function dloss = m.gradient("loss"); // value, then d/dw, d/db, d/dX, d/dy

    double v = loss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N})).scalar();
    diffc::Result r = dloss(diffc::view(w, {D}), b, diffc::view(X, {N, D}), diffc::view(y, {N}));

    Gradient want = reference();
    bool ok = check("loss", v, want.value);
    ok &= check("value", r.value(), want.value);
    ok &= check("d_w", r.grad("w").data.data(), want.w);
    ok &= check("d_b", r.grad("b").scalar(), want.b);
    ok &= check("d_X", r.grad("X").data.data(), want.X);
    ok &= check("d_y", r.grad("y").data.data(), want.y);
    return ok ? 0 : 1;
  } catch (const diffc::Error &e) { // CompileError too: what() holds the diagnostics
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
