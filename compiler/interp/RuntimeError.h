// A fault of the interpreted program (index out of range, integer division by zero, shape
// mismatch at a call, ...): a user error, reported with the place in the source where it happened.
// Broken IR invariants are not runtime errors; they throw diffc::InternalError.
#pragma once

#include "support/SourceFile.h"

#include <stdexcept>
#include <string>

namespace diffc::interp {

struct RuntimeError : std::runtime_error {
  SourceLoc loc;        // the op (or function) that failed; invalid when unknown
  std::string function; // the function it belongs to; empty when unknown

  explicit RuntimeError(const std::string &message, SourceLoc l = {}, std::string fn = {})
      : std::runtime_error(message), loc(l), function(std::move(fn)) {}
};

} // namespace diffc::interp
