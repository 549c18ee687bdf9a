// `diffc llvm FILE --fn F [--grad] [--wrt a,b] [--no-opt] [--fast-math]`: the LLVM IR the backend
// makes for F (or its gradient), after the optimisation pipeline unless --no-opt.
#include "codegen/Codegen.h"
#include "driver/Commands.h"
#include "driver/Pipeline.h"

#include <fmt/format.h>

#include <iostream>

namespace diffc::driver {

int cmdLlvm(const Options &o) {
  if (o.file.empty() || !o.get("fn")) {
    reportError("diffc llvm", o.file.empty() ? "missing FILE" : "missing --fn F");
    return 1;
  }
  bool optimize = !o.has("no-opt");
  Session s;
  if (!compileFile(o.file, s, optimize))
    return 1;
  ir::Function *f = findFunction(s, *o.get("fn"));
  if (!f)
    return 1;
  ir::Function *target = f;
  if (o.has("grad")) {
    target = gradientOf(s, *f, o.list("wrt"), optimize);
    if (!target)
      return 1;
  } else if (o.get("wrt")) {
    reportError("diffc llvm", "--wrt needs --grad");
    return 1;
  }
  codegen::CodegenOptions opts;
  opts.fastMath = o.has("fast-math");
  opts.checkNonFinite = o.has("check-nan");
  try {
    std::cout << codegen::emitLLVM(*s.module, target->name, optimize, opts);
  } catch (const codegen::CodegenError &e) {
    reportError("diffc llvm", fmt::format("LLVM code generation failed: {}", e.what()));
    return 1;
  }
  return 0;
}

} // namespace diffc::driver
