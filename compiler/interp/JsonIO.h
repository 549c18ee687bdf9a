// JSON input and output of `diffc run`: binding a JSON object to a function's parameters, and
// printing values.
//
// Input: an object mapping each parameter name to a number (scalars) or nested arrays (tensors,
// row-major); floats may also be the strings "NaN", "Infinity", "-Infinity"; i64 takes integers,
// bool takes true / false. Sizes are inferred from the shapes (an empty array leaves its inner
// extents to the other parameters).
// Output: nested arrays; f64 printed round-trip exact in the shortest form (always with `.` or `e`,
// so a float reads as a float); f32 in the shortest form that reads back as the same float;
// non-finite floats as the strings above; i64 as integers; bool as true / false.
#pragma once

#include "interp/Tensor.h"
#include "ir/IR.h"

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace diffc::interp {

/// Bad input for a function (a user error: exit code 1); the message names the parameter.
struct InputError : std::runtime_error {
  using runtime_error::runtime_error;
};

/// The arguments of fn from a JSON object, in parameter order. Throws InputError for a missing
/// member, a value of the wrong kind, a ragged array, shapes that contradict each other (the
/// message names the parameter and both shapes), or a member naming a size parameter whose value
/// differs from the size the shapes give. A member naming neither a parameter nor a size is an
/// error too, unless `ignored` is given: then it is listed there (the command line warns and goes
/// on, so one inputs file can serve several functions).
std::vector<Tensor> bindInputs(const ir::Function &fn, const nlohmann::json &obj,
                               std::vector<std::string> *ignored = nullptr);

/// JSON text of one value.
std::string formatValue(const Tensor &t);

} // namespace diffc::interp
