// The diffc implementation of a problem: the case's model.diff compiled once by the JIT, called
// through the host API with call_into (no allocation per call, arguments built once).
#pragma once

#include "Problem.h"

#include <diffc/diffc.hpp>

#include <memory>

namespace diffc::bench {

/// Value and gradient of `fn` in `file` w.r.t. `wrt`, called with `args` (views that must stay
/// valid as long as the Impl: keep their storage in `keepAlive`). Each gradient result is
/// written into the caller's buffer at the running offset, with the shape of its parameter.
Impl diffcImpl(const std::string &file, const std::string &fn, const std::vector<std::string> &wrt,
               std::vector<diffc::Arg> args, std::vector<std::vector<int64_t>> gradShapes,
               std::shared_ptr<const void> keepAlive);

} // namespace diffc::bench
