#include "AdolcImpl.h"

#ifdef DIFFC_BENCH_ADOLC

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
  bool recorded = false;
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

/// Records the tape twice, the second time with buffers that hold all of it; returns the
/// seconds of the second recording.
double prepare(Tape &t) {
  record(t);
  size_t stats[STAT_SIZE];
  tapestats(t.tag, stats);
  auto fit = [](size_t n) { return static_cast<unsigned>(n + 1024); };
  t.ops = fit(stats[NUM_OPERATIONS]);
  t.locs = fit(stats[NUM_LOCATIONS]);
  t.vals = fit(stats[NUM_VALUES]);
  t.tays = fit(stats[NUM_OPERATIONS] + stats[NUM_LOCATIONS]);
  auto t0 = std::chrono::steady_clock::now();
  record(t);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tapestats(t.tag, stats);
  if (stats[OP_FILE_ACCESS] || stats[LOC_FILE_ACCESS] || stats[VAL_FILE_ACCESS])
    std::cerr << "diffc_bench: warning: ADOL-C tape " << t.tag << " did not fit in memory\n";
  return seconds;
}

} // namespace

std::vector<Impl> adolcImpls(AdolcObjective objective, const std::vector<double> &x, short tag) {
  auto t = std::make_shared<Tape>();
  t->objective = std::move(objective);
  t->x = x;
  t->tag = tag;
  Impl replayed;
  replayed.name = "adolc";
  auto setup = replayed.setup_s;
  auto ready = [t, setup] {
    if (!t->recorded) {
      *setup = prepare(*t);
      t->recorded = true;
    }
  };
  replayed.gradient = [t, ready](double *g) {
    ready();
    return replay(*t, g);
  };
  replayed.value = [t, ready]() {
    ready();
    double y = 0;
    zos_forward(t->tag, 1, static_cast<int>(t->x.size()), 0, t->x.data(), &y);
    return y;
  };
  replayed.release = [t] {
    if (t->recorded)
      removeTape(t->tag, ADOLC_REMOVE_COMPLETELY);
    t->recorded = false;
  };
  Impl retaped;
  retaped.name = "adolc_retape";
  retaped.gradient = [t, ready](double *g) {
    ready();
    record(*t);
    return replay(*t, g);
  };
  return {replayed, retaped};
}

} // namespace diffc::bench

#endif // DIFFC_BENCH_ADOLC
