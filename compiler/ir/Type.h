// IR types: a tensor of an element type with a symbolic shape (rank 0 is a scalar), or a tape (a
// last-in-first-out stack of such tensors, created by reverse-mode AD to carry values from the
// forward sweep to the reverse sweep). Tuples do not exist in the IR: they are flattened into
// several results.
#pragma once

#include "ir/Dim.h"

#include <span>
#include <string>

namespace diffc::ir {

enum class ElemType : uint8_t { F64, F32, I64, Bool };

/// Largest magnitude of an i64 value the interpreter keeps exactly (2^53; it stores elements as
/// doubles): a larger result of an i64 op is a runtime error there, constant folding leaves such an
/// op alone, and results and inputs beyond it are refused.
inline constexpr int64_t kMaxExactInt = int64_t(1) << 53;

const char *elemTypeName(ElemType e);
inline bool isFloat(ElemType e) { return e == ElemType::F64 || e == ElemType::F32; }

struct Type {
  ElemType elem = ElemType::F64;
  Shape shape;
  /// A tape whose entries have type `elem[shape]`.
  bool isTape = false;

  Type() = default;
  Type(ElemType e, Shape s = {}, bool tape = false) : elem(e), shape(std::move(s)), isTape(tape) {}
  static Type f64() { return Type(ElemType::F64); }
  static Type i64() { return Type(ElemType::I64); }
  static Type boolean() { return Type(ElemType::Bool); }

  size_t rank() const { return shape.size(); }
  bool isScalar() const { return !isTape && shape.empty(); }
  bool isTensor() const { return !isTape && !shape.empty(); }
  bool isFloat() const { return !isTape && ir::isFloat(elem); }
  /// The same shape with another element type.
  Type withElem(ElemType e) const { return Type(e, shape, isTape); }
  /// The type of one entry of a tape.
  Type entry() const { return Type(elem, shape, false); }

  bool operator==(const Type &o) const {
    return elem == o.elem && isTape == o.isTape && shape == o.shape;
  }
  bool operator!=(const Type &o) const { return !(*this == o); }

  /// `f64`, `f64[N, D]`, `i64[3]`, `tape<f64[D]>`.
  std::string str(std::span<const std::string> symbolNames) const;
};

} // namespace diffc::ir
