// diffc: the command-line driver. Dispatches to one function per command (Commands.h); every
// failure becomes a message and exit code 1, never a crash.
#include "driver/Commands.h"
#include "driver/Options.h"
#include "support/Diagnostics.h"

#include <fmt/format.h>

#include <cstring>
#include <iostream>
#include <new>

namespace {

constexpr const char *kUsage = R"(usage: diffc COMMAND FILE [options]

commands:
  check FILE                          parse and type-check; diagnostics only
  ir FILE [--fn F] [--grad] [--jvp] [--wrt a,b] [--no-opt] [--dump-after=lower|ad|simplify]
                                      print the IR, or F's adjoint / tangent program
  llvm FILE --fn F [--grad] [--wrt a,b] [--no-opt] [--fast-math] [--check-nan]
                                      print the LLVM IR (optimized for this CPU unless --no-opt)
  run FILE --fn F [--grad] [--wrt a,b] [--inputs FILE.json|-] [--interp]
        [--hessian | --jacobian] [--check-nan] [--no-cache] [--max-memory BYTES]
                                      compile and run; print JSON; --hessian / --jacobian add the
                                      full matrix over the (--wrt) parameters' elements, flattened;
                                      --check-nan stops at the first op (forward or adjoint) that
                                      produces NaN or inf, with its operands; --max-memory caps each
                                      call's scratch memory (K/M/G suffix)
  gradcheck FILE --fn F [--inputs FILE.json] [--wrt a,b] [--tol T] [--seed S] [--sizes N=3,D=2]
                                      compare the gradient with central finite differences
  build FILE -o OUT.o [--header OUT.h] [--fn F,G] [--prefix P] [--wrt a,b] [--no-grad]
        [--opt 0-3] [--fast-math] [--cpu native|x86-64|...]
                                      ahead-of-time object file and C/C++ header: each function
                                      F as symbol PF, and its gradient as PF_grad
  derive -e EXPR --wrt x[,y]          symbolic derivative of a scalar expression, simplified
                                      (`derive -e 'x^2*sin(x)' --wrt x`); one line per variable
  bench FILE --fn F --inputs FILE.json [--runs N] [--wrt a,b] [--fast-math] [--check-nan] [--no-cache]
                                      time forward and gradient calls interleaved; print JSON
                                      {"forward_ns", "gradient_ns", "ratio", "runs", "tape_bytes",
                                      "forward_cpu_ns", "gradient_cpu_ns"} (medians)
)";

} // namespace

int main(int argc, char **argv) {
  using namespace diffc::driver;
  Options o;
  std::string err = parseOptions(argc, argv, o);
  if (o.has("help") || o.command == "help" || o.command == "--help" || o.command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (!err.empty()) {
    std::cerr << "diffc: error: " << err << "\n" << kUsage;
    return 1;
  }
  try {
    if (o.command == "check")
      return cmdCheck(o);
    if (o.command == "ir")
      return cmdIr(o);
    if (o.command == "run")
      return cmdRun(o);
    if (o.command == "gradcheck")
      return cmdGradcheck(o);
    if (o.command == "derive")
      return cmdDerive(o);
    if (o.command == "llvm")
      return cmdLlvm(o);
    if (o.command == "build")
      return cmdBuild(o);
    if (o.command == "bench")
      return cmdBench(o);
    std::cerr << "diffc: error: unknown command '" << o.command << "'\n" << kUsage;
    return 1;
  } catch (const diffc::InternalError &e) {
    std::cerr << "diffc: internal compiler error: " << e.what()
              << "\nPlease report this with the program that caused it.\n";
    return 1;
  } catch (const std::bad_alloc &) {
    std::cerr << "diffc: error: out of memory\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "diffc: error: " << e.what() << "\n";
    return 1;
  }
}
