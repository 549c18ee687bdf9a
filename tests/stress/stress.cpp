// Stress tests of the host API (diffc/diffc.hpp), as one executable with two parts:
//
//   modules   compiles many random programs (tests/shared/ProgramGen.h) and their gradients into
//             one diffc::Jit, calling each once and dropping it; the resident set size after the
//             warm-up must stay flat (modules release their code and IR): the growth per module
//             over the second half of the run must stay under --max-growth bytes.
//   threads   --threads threads call different gradients (one random program each, round-robin)
//             for --seconds; every result must be bit-identical to the one a single thread
//             computed first (determinism across threads and runs).
//
// Usage: diffc_stress [--modules N] [--threads T] [--seconds S] [--max-growth BYTES]
// Prints one line per part with its figures; exits non-zero on a failure. The ctest `stress`
// runs a short version; scripts/stress.sh the full one.
#include "ProgramGen.h"

#include <diffc/diffc.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

/// Resident set size of this process, bytes (/proc/self/statm).
int64_t rss() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

struct Inputs {
  std::vector<double> x{0.3, -0.7, 1.1};
  double s = 0.4, t = -0.9;
};

/// value, d_x[3], d_s, d_t of one gradient call, as raw doubles.
std::vector<double> callGradient(const diffc::Function &g, const Inputs &in) {
  diffc::Result r = g(diffc::view(in.x, {3}), in.s, in.t);
  std::vector<double> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.insert(out.end(), r[i].data.begin(), r[i].data.end());
  return out;
}

bool sameBits(const std::vector<double> &a, const std::vector<double> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

std::string program(uint64_t seed) {
  diffc::testgen::Rng rng(seed);
  return diffc::testgen::randomProgram(rng);
}

bool modulesPart(int modules, int64_t maxGrowth) {
  diffc::Jit jit;
  Inputs in;
  auto start = Clock::now();
  int64_t rssHalf = 0;
  for (int k = 0; k < modules; ++k) {
    diffc::Module m = jit.compile_string(program(static_cast<uint64_t>(k) + 1), "stress.diff");
    callGradient(m.gradient("f"), in);
    if (k == modules / 2 - 1)
      rssHalf = rss();
  }
  int64_t rssEnd = rss();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  // The allocator grows its heaps in steps of a megabyte or two, so a short run can see one step
  // that is not a leak; one step's worth is forgiven (a real leak of a module's code and IR, tens
  // of kilobytes each, still shows over the second half of a run of 100 modules or more).
  constexpr int64_t kHeapStep = 4 << 20;
  int64_t growth = rssEnd - rssHalf > kHeapStep ? rssEnd - rssHalf - kHeapStep : 0;
  double perModule = static_cast<double>(growth) / (modules - modules / 2);
  std::printf("modules: %d compiled and called in %.1f s (%.1f ms each); RSS %.1f MiB at half, "
              "%.1f MiB at end: %.0f bytes per module beyond one 4 MiB heap step (limit %lld)\n",
              modules, secs, 1000 * secs / modules, rssHalf / 1048576.0, rssEnd / 1048576.0,
              perModule, static_cast<long long>(maxGrowth));
  return perModule <= static_cast<double>(maxGrowth);
}

bool threadsPart(int threads, double seconds) {
  diffc::Jit jit;
  Inputs in;
  std::vector<diffc::Function> grads;
  std::vector<std::vector<double>> want;
  for (int k = 0; k < threads; ++k) {
    diffc::Module m = jit.compile_string(program(1000 + static_cast<uint64_t>(k)), "stress.diff");
    grads.push_back(m.gradient("f"));
    want.push_back(callGradient(grads.back(), in)); // one thread, first
  }
  std::atomic<int64_t> calls{0}, mismatches{0};
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      int64_t n = 0, bad = 0;
      for (int k = t; Clock::now() < deadline; k = (k + 1) % threads) {
        // Mostly this thread's own gradient, every fourth call another thread's.
        int which = n % 4 == 3 ? k : t;
        if (!sameBits(callGradient(grads[which], in), want[which]))
          ++bad;
        ++n;
      }
      calls += n;
      mismatches += bad;
    });
  for (std::thread &th : pool)
    th.join();
  std::printf("threads: %d threads for %.0f s: %lld gradient calls, %lld not bit-identical to "
              "the single-thread result\n",
              threads, seconds, static_cast<long long>(calls.load()),
              static_cast<long long>(mismatches.load()));
  return mismatches == 0 && calls >= threads;
}

} // namespace

int main(int argc, char **argv) {
  int modules = 1000, threads = 16;
  double seconds = 60;
  int64_t maxGrowth = 16 * 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--modules")
      modules = std::atoi(argv[i + 1]);
    else if (a == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (a == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (a == "--max-growth")
      maxGrowth = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    bool ok = modulesPart(modules, maxGrowth);
    ok = threadsPart(threads, seconds) && ok;
    std::printf("stress: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
  } catch (const diffc::Error &e) {
    std::fprintf(stderr, "stress: %s\n", e.what());
    return 1;
  }
}
