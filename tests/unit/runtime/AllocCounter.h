// Counts every call of the global operator new in this test executable (see AllocCounter.cpp).
#pragma once

namespace diffc_test {
/// Calls of operator new since the program started.
long allocationCount();
} // namespace diffc_test
