// Commands whose stage is not built yet report so plainly (exit 1) instead of pretending.
#include "driver/Commands.h"
#include "driver/Pipeline.h"

namespace diffc::driver {

int cmdDerive(const Options &) {
  reportError("diffc derive", "not available yet in this build");
  return 1;
}
int cmdLlvm(const Options &) {
  reportError("diffc llvm", "not available yet in this build");
  return 1;
}
int cmdBuild(const Options &) {
  reportError("diffc build", "not available yet in this build");
  return 1;
}
int cmdBench(const Options &) {
  reportError("diffc bench", "not available yet in this build");
  return 1;
}

} // namespace diffc::driver
