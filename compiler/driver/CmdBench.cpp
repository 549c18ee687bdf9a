// `diffc bench FILE --fn F --inputs FILE.json [--runs N] [--wrt a,b] [--fast-math] [--check-nan]
// [--no-cache]`: compiles F and its gradient once, then times them interleaved in one process
// (forward, gradient, forward, ...) so that both see the same machine state, and prints the medians
// as JSON:
//   {"forward_ns": median, "gradient_ns": median, "ratio": gradient/forward, "runs": n,
//    "tape_bytes": the tape memory the gradient holds at its peak,
//    "forward_cpu_ns", "gradient_cpu_ns": medians of the thread's CPU time per call}
// The CPU times leave out the time the thread was not running: on a loaded machine a call longer
// than a scheduler time slice is preempted, which inflates the wall times of long calls only.
// A function without a scalar float result has no gradient: gradient_ns and ratio are null. An
// inputs array (a batch, as for run) is timed set by set and prints a JSON array of such objects.
#include "codegen/Codegen.h"
#include "driver/Commands.h"
#include "driver/Executor.h"
#include "driver/Inputs.h"
#include "driver/Pipeline.h"
#include "interp/JsonIO.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include <time.h>

namespace diffc::driver {

namespace {

using Clock = std::chrono::steady_clock;

double threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct Sample {
  double wall, cpu; // nanoseconds per call
};

/// Wall and thread CPU time per call of `reps` back-to-back runs.
Sample timeRuns(codegen::PreparedCall &c, int reps) {
  auto t0 = Clock::now();
  double c0 = threadCpuNs();
  for (int i = 0; i < reps; ++i)
    c.run();
  double c1 = threadCpuNs();
  auto t1 = Clock::now();
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / reps, (c1 - c0) / reps};
}

/// How many back-to-back calls make one sample last about 20 microseconds, so that the clock's
/// resolution does not dominate tiny functions.
int repsFor(codegen::PreparedCall &c) {
  double one = timeRuns(c, 1).wall;
  one = std::min(one, timeRuns(c, 1).wall);
  return static_cast<int>(std::clamp(20000.0 / std::max(one, 1.0), 1.0, 100000.0));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string number(double v) { return fmt::format("{:.17g}", v); }

} // namespace

int cmdBench(const Options &o) {
  if (o.file.empty() || !o.get("fn")) {
    reportError("diffc bench", o.file.empty() ? "missing FILE" : "missing --fn F");
    return 1;
  }
  int runs = 0; // 0: as many as fit in about one second, between 10 and 1000
  if (auto r = o.get("runs")) {
    try {
      size_t used = 0;
      runs = std::stoi(*r, &used);
      if (used != r->size() || runs < 1)
        throw std::invalid_argument("runs");
    } catch (const std::exception &) {
      reportError("diffc bench", fmt::format("--runs needs a positive integer, got '{}'", *r));
      return 1;
    }
  }
  Session s;
  if (!compileFile(o.file, s, true))
    return 1;
  ir::Function *f = findFunction(s, *o.get("fn"));
  if (!f)
    return 1;
  bool differentiable = !f->resultIsTuple && f->resultTypes.size() == 1 &&
                        f->resultTypes[0].isScalar() && f->resultTypes[0].isFloat();
  ir::Function *g = nullptr;
  if (differentiable) {
    g = gradientOf(s, *f, o.list("wrt"), true);
    if (!g)
      return 1;
  }
  auto inputs = readInputs(o.get("inputs"));
  if (!inputs)
    return 1;
  std::string inputsName = o.get("inputs").value_or("<no inputs>");
  if (inputsName == "-")
    inputsName = "<stdin>";
  // One object of inputs, or (as for run) an array of them: each is timed in turn and the output
  // is a JSON array of the per-set results, in order.
  const bool isBatch = inputs->is_array();
  if (isBatch && inputs->empty()) {
    reportError(inputsName, "the batch of input sets is empty");
    return 1;
  }
  for (size_t k = 0; k < (isBatch ? inputs->size() : 1); ++k)
    if (!(isBatch ? (*inputs)[k] : *inputs).is_object()) {
      reportError(isBatch ? fmt::format("{}: input set {}", inputsName, k) : inputsName,
                  "bench needs a JSON object mapping parameter names to values (or an array "
                  "of them)");
      return 1;
    }
  std::string error;
  auto engine = codegen::JitEngine::create(error);
  if (!engine) {
    reportError("diffc bench", fmt::format("cannot start the LLVM JIT: {}", error));
    return 1;
  }
  std::string where = inputsName;
  try {
    auto jm = codegen::JitModule::compile(engine, s.module, jitOptions(o));
    std::vector<std::string> results;
    for (size_t k = 0; k < (isBatch ? inputs->size() : 1); ++k) {
      const nlohmann::json &set = isBatch ? (*inputs)[k] : *inputs;
      where = isBatch ? fmt::format("{}: input set {}", inputsName, k) : inputsName;
      std::vector<interp::Tensor> args = bindCommandLineInputs(*f, set, where);
      auto fwd = jm->prepare(f->name, args);
      std::unique_ptr<codegen::PreparedCall> grad = g ? jm->prepare(g->name, args) : nullptr;
      // Warm up (first-touch of the arena, caches) and check that both run cleanly; the tape
      // storage one gradient call takes is its peak tape memory.
      fwd->run();
      int64_t tapeBytes = 0;
      if (grad) {
        int64_t before = codegen::threadTapeBytes();
        grad->run();
        tapeBytes = codegen::threadTapeBytes() - before;
      }
      int fr = repsFor(*fwd), gr = grad ? repsFor(*grad) : 1;
      std::vector<double> ft, gt, fc, gc;
      auto start = Clock::now();
      for (int i = 0; runs ? i < runs : i < 1000; ++i) {
        Sample f1 = timeRuns(*fwd, fr);
        ft.push_back(f1.wall);
        fc.push_back(f1.cpu);
        if (grad) {
          Sample g1 = timeRuns(*grad, gr);
          gt.push_back(g1.wall);
          gc.push_back(g1.cpu);
        }
        if (!runs && i + 1 >= 10 && Clock::now() - start > std::chrono::seconds(1))
          break;
      }
      double fm = median(ft);
      std::string gm = grad ? number(median(gt)) : "null";
      std::string ratio = grad ? number(median(gt) / fm) : "null";
      std::string gcm = grad ? number(median(gc)) : "null";
      results.push_back(fmt::format("{{\"forward_ns\": {}, \"gradient_ns\": {}, \"ratio\": {}, "
                                    "\"runs\": {}, \"tape_bytes\": {}, \"forward_cpu_ns\": {}, "
                                    "\"gradient_cpu_ns\": {}}}",
                                    number(fm), gm, ratio, ft.size(), tapeBytes, number(median(fc)),
                                    gcm));
    }
    if (!isBatch)
      std::cout << results[0] << "\n";
    else
      for (size_t k = 0; k < results.size(); ++k)
        std::cout << (k ? " " : "[") << results[k] << (k + 1 < results.size() ? ",\n" : "]\n");
  } catch (const interp::InputError &e) {
    reportError(where, e.what());
    return 1;
  } catch (const interp::RuntimeError &e) {
    reportRuntimeError(s, e);
    if (isBatch)
      noteInputSet(where);
    return 1;
  } catch (const codegen::CodegenError &e) {
    reportError("diffc bench", fmt::format("LLVM code generation failed: {}", e.what()));
    return 1;
  }
  return 0;
}

} // namespace diffc::driver
