#include "driver/Commands.h"
#include "driver/Pipeline.h"

#include <iostream>

namespace diffc::driver {

int cmdCheck(const Options &o) {
  if (o.file.empty()) {
    reportError("diffc check", "missing FILE");
    return 1;
  }
  Session s;
  return compileFile(o.file, s, /*optimize=*/false) ? 0 : 1;
}

} // namespace diffc::driver
