#include "AdolcImpl.h"

#include <adolc/adolc.h>

#include <chrono>
#include <iostream>
#include <memory>

namespace diffc::bench {

namespace {

struct Tape {
  AdolcObjective objective;
  std::vector<double> x;
  short tag = 0;
  unsigned ops = 0, locs = 0, vals = 0, tays = 0; // buffer sizes, 0 before the first recording
};

double record(Tape &t) {
  size_t n = t.x.size();
  if (t.ops)
    trace_on(t.tag, 1, t.ops, t.locs, t.vals, t.tays);
  else
    trace_on(t.tag, 1);
  std::vector<adouble> ax(n);
  for (size_t i = 0; i < n; ++i)
    ax[i] <<= t.x[i];
  adouble y = t.objective(ax.data());
  double yv = 0;
  y >>= yv;
  trace_off();
  return yv;
}

double replay(Tape &t, double *g) {
  int n = static_cast<int>(t.x.size());
  double y = 0, one = 1.0;
  zos_forward(t.tag, 1, n, 1, t.x.data(), &y);
  fos_reverse(t.tag, 1, n, &one, g);
  return y;
}

} // namespace

std::vector<Impl> adolcImpls(AdolcObjective objective, const std::vector<double> &x, short tag) {
  auto t = std::make_shared<Tape>();
  t->objective = std::move(objective);
  t->x = x;
  t->tag = tag;
  record(*t);
  size_t stats[STAT_SIZE];
  tapestats(tag, stats);
  auto fit = [](size_t n) { return static_cast<unsigned>(n + 1024); };
  t->ops = fit(stats[NUM_OPERATIONS]);
  t->locs = fit(stats[NUM_LOCATIONS]);
  t->vals = fit(stats[NUM_VALUES]);
  t->tays = fit(stats[NUM_OPERATIONS] + stats[NUM_LOCATIONS]);
  auto t0 = std::chrono::steady_clock::now();
  record(*t); // again, with buffers that hold the whole tape in memory
  double tapeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tapestats(tag, stats);
  if (stats[OP_FILE_ACCESS] || stats[LOC_FILE_ACCESS] || stats[VAL_FILE_ACCESS])
    std::cerr << "diffc_bench: warning: ADOL-C tape " << tag << " did not fit in memory\n";

  Impl replayed;
  replayed.name = "adolc";
  replayed.setup_s = tapeSeconds;
  replayed.gradient = [t](double *g) { return replay(*t, g); };
  replayed.value = [t]() {
    double y = 0;
    zos_forward(t->tag, 1, static_cast<int>(t->x.size()), 0, t->x.data(), &y);
    return y;
  };
  Impl retaped;
  retaped.name = "adolc_retape";
  retaped.gradient = [t](double *g) {
    record(*t);
    return replay(*t, g);
  };
  return {replayed, retaped};
}

} // namespace diffc::bench
