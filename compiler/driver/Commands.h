// One function per `diffc` command; each returns the process exit code (0 success, 1 user error).
#pragma once

#include "driver/Options.h"

namespace diffc::driver {

int cmdCheck(const Options &o);
int cmdIr(const Options &o);
int cmdRun(const Options &o);
int cmdGradcheck(const Options &o);
int cmdDerive(const Options &o);
int cmdLlvm(const Options &o);
int cmdBuild(const Options &o);
int cmdBench(const Options &o);

} // namespace diffc::driver
