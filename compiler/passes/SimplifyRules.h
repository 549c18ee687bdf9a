// Internal to the simplifier: the local rewrite rules, one op at a time. Each rule looks at one op
// (whose operands are already final for this sweep) and either leaves it alone or rewrites it.
// They are split by family: ConstFold.cpp (constants), Identities.cpp (algebraic identities).
#pragma once

#include "ir/IR.h"

#include <cstdint>
#include <optional>

namespace diffc::passes::detail {

/// The value of a `const` op's result, in its element type: floats in f (rounded to f32 for
/// f32), i64 and bool in i.
struct Scalar {
  ir::ElemType elem = ir::ElemType::F64;
  double f = 0;
  int64_t i = 0;
};

/// v's value when v is the result of a `const` op.
std::optional<Scalar> constantOf(const ir::Value *v);

/// Turns op into a `const` when its value is known at compile time: scalar unary, binary,
/// comparison and cast ops on constants, and `dim` of a constant dim. Computes exactly what the
/// interpreter computes; leaves alone what would fail at run time (integer division by zero,
/// integer results beyond +-2^53, NaN to i64). Returns true when it rewrote op.
bool foldConstant(ir::Op &op);

/// A value equal to op's (only) result by an algebraic identity that holds in IEEE arithmetic
/// (`x * 1`, `neg(neg x)`, `broadcast` to the same type, ...), or null. The value has the
/// result's exact type.
ir::Value *identityFor(const ir::Op &op);

/// Elementwise ops (and select) accept scalar operands: replaces an operand that is a `fill` or
/// `broadcast` of a scalar by that scalar, when another operand keeps the result's shape.
/// Returns true when it changed op.
bool useScalarOperands(ir::Op &op);

/// An `index` of an `index` reads the original tensor directly: x[i, :][j] -> x[i, j],
/// x[i, :, :][j, a:b] -> x[i, j, a:b]. Only where the outer part keeps whole axes (or a slice the
/// inner index keeps whole), so that the bounds checks are the same. The adjoint then
/// accumulates straight into x's rows instead of a zero temporary of the outer part's shape.
/// Returns true when it changed op.
bool composeIndex(ir::Op &op);

} // namespace diffc::passes::detail
