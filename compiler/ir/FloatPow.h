// The float `pow` of the IR, one definition for the interpreter and constant folding (codegen
// emits the same thing in Scalar.cpp). `x ^ 2` is the correctly rounded x * x: libm's pow(x, 2)
// is off by one ulp for about one argument in a thousand, and costs a call where x * x is one
// instruction the vectorizer can use. Special values agree: (+-0)^2 = +0, (+-inf)^2 = inf,
// NaN^2 = NaN.
#pragma once

#include <cmath>

namespace diffc::ir {

template <typename T> T floatPow(T a, T b) { return b == T(2) ? a * a : std::pow(a, b); }

} // namespace diffc::ir
