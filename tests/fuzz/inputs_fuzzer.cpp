// libFuzzer target for the JSON input path of `diffc run` / `gradcheck` / `bench`: bytes ->
// driver::parseInputs (the --inputs parser) -> interp::bindInputs for functions covering every
// element type, scalars, ragged and empty arrays, and inferred (also affine) sizes -> the
// interpreter runs the function -> interp::formatValue prints each argument, and the printed
// values bound again must give the same arguments bit for bit.
//
// Findings (abort): a crash, a sanitizer report, an exception other than InputError /
// RuntimeError, or a round trip that changes a value or shape.
#include "driver/Inputs.h"
#include "interp/Interpreter.h"
#include "interp/JsonIO.h"
#include "sema/Compile.h"
#include "support/Diagnostics.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

using namespace diffc;

namespace {

// Parameter names are shared between functions so that one input object binds to several.
constexpr const char *kProgram = R"(
fn scalars(x: f64, k: i64, b: bool, y: f32) -> f64 = x + f64(k) + f64(y) + select(b, 1.0, 0.0);
fn vectors[N](x: f64[N], k: i64[N], b: bool[N]) -> f64 = sum(x) + f64(sum(k));
fn matrix[N, M](w: f32[N, M], v: f64[M], y: f32) -> f32 = sum(w) + y;
fn affine[N](x: f64[N, N + 1], v: f64[2 * N], k: i64) -> f64 = sum(x) + sum(v) + f64(k);
fn cube[A, B, C](x: f64[A, B, C], v: f64[C]) -> f64 = sum(x) + sum(v);
)";

struct Fixture {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<ir::Module> module;
  Fixture() {
    file = std::make_unique<SourceFile>("inputs_fuzzer.diff", kProgram);
    diags = std::make_unique<DiagnosticEngine>(*file);
    module = compileModule(*file, *diags);
    if (!module) {
      diags->print(std::cerr);
      std::abort();
    }
  }
};

bool sameBits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) ||
         std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

[[noreturn]] void finding(const std::string &what, const nlohmann::json &j) {
  std::fprintf(stderr, "inputs finding: %s\ninput: %s\n", what.c_str(), j.dump().c_str());
  std::abort();
}

void bindOne(const interp::Interpreter &in, const ir::Function &fn, const nlohmann::json &obj) {
  std::vector<interp::Tensor> args;
  try {
    args = interp::bindInputs(fn, obj);
  } catch (const interp::InputError &) {
    return;
  }
  try {
    in.call(fn, args);
  } catch (const interp::RuntimeError &) {
  }
  // Print the arguments and bind them again: the same values, bit for bit.
  nlohmann::json again = nlohmann::json::object();
  for (size_t i = 0; i < args.size(); ++i)
    again[fn.params()[i]->name] = nlohmann::json::parse(interp::formatValue(args[i]));
  std::vector<interp::Tensor> back;
  try {
    back = interp::bindInputs(fn, again);
  } catch (const interp::InputError &e) {
    finding(fn.name + ": printed arguments do not bind again: " + e.what(), again);
  }
  for (size_t i = 0; i < args.size(); ++i) {
    bool same = args[i].shape == back[i].shape && args[i].data.size() == back[i].data.size();
    for (size_t k = 0; same && k < args[i].data.size(); ++k)
      same = sameBits(args[i].data[k], back[i].data[k]);
    if (!same)
      finding(fn.name + ": argument " + fn.params()[i]->name + " changes in a round trip", again);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Fixture fx;
  std::string error;
  auto j = driver::parseInputs(std::string(reinterpret_cast<const char *>(data), size), "fuzz.json",
                               error);
  if (!j) {
    if (error.empty())
      std::abort(); // a rejection must say why
    return 0;
  }
  interp::Interpreter in(*fx.module);
  auto sets = j->is_array() ? *j : nlohmann::json::array({*j});
  for (const nlohmann::json &obj : sets) {
    if (!obj.is_object())
      continue; // `diffc run` reports these before binding
    for (const auto &fn : fx.module->functions)
      bindOne(in, *fn, obj);
  }
  return 0;
}
