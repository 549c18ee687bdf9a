#include "driver/Commands.h"
#include "driver/Pipeline.h"
#include "ir/Printer.h"

#include <iostream>

namespace diffc::driver {

int cmdIr(const Options &o) {
  if (o.file.empty()) {
    reportError("diffc ir", "missing FILE");
    return 1;
  }
  bool optimize = !o.has("no-opt");
  Session s;
  s.dumpAfter = o.get("dump-after").value_or("");
  if (!compileFile(o.file, s, optimize))
    return 1;
  bool grad = o.has("grad"), jvp = o.has("jvp");
  auto fnName = o.get("fn");
  if ((grad || jvp) && !fnName) {
    reportError("diffc ir", "--grad and --jvp need --fn F");
    return 1;
  }
  if (o.get("wrt") && !grad && !jvp) { // as in run: --wrt alone would be ignored silently
    reportError("diffc ir", "--wrt needs --grad or --jvp");
    return 1;
  }
  if (!fnName) {
    std::cout << ir::printModule(*s.module);
    return 0;
  }
  ir::Function *f = findFunction(s, *fnName);
  if (!f)
    return 1;
  if (grad && jvp) {
    reportError("diffc ir", "give --grad or --jvp, not both");
    return 1;
  }
  if (grad || jvp) {
    ir::Function *d = grad ? gradientOf(s, *f, o.list("wrt"), optimize)
                           : tangentOf(s, *f, o.list("wrt"), optimize);
    if (!d)
      return 1;
    f = d;
  }
  std::cout << ir::printFunction(*f);
  return 0;
}

} // namespace diffc::driver
