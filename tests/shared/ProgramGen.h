// A generator of random well-typed .diff programs, shared by the randomized AD test
// (tests/unit/ad/RandomProgramsTest.cpp) and the structure-aware pipeline fuzzer
// (tests/fuzz/pipeline_fuzzer.cpp). Every program defines
//   fn helper(a: f64, v: f64[3]) -> f64
//   fn f(x: f64[3], s: f64, t: f64) -> f64
// whose body mixes elementwise ops with scalar broadcasting, reductions, selects, if-expressions
// and statements, for loops with carried values and element updates, @checkpoint loops, while
// loops, comprehensions and calls. It uses only functions that are smooth where they are defined,
// and keeps carried values bounded (tanh), so finite differences of f resolve its gradient.
//
// The choices come from a Choices source: a seeded LCG for tests, or the fuzzer's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace diffc::testgen {

constexpr int kVectorLength = 3; // length of every vector in the generated programs

/// Where the generator's random choices come from.
class Choices {
public:
  virtual ~Choices() = default;
  /// A number in [lo, hi).
  virtual double uniform(double lo, double hi) = 0;
};

/// A deterministic generator (a 64-bit LCG; independent of the library's engines).
class Rng final : public Choices {
public:
  explicit Rng(uint64_t seed) : s_(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  double uniform(double lo, double hi) override {
    s_ = s_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (static_cast<double>(s_ >> 11) / 9007199254740992.0);
  }

private:
  uint64_t s_;
};

/// Choices read from a byte string, two bytes per choice, so that a fuzzer's mutations of the
/// bytes become mutations of the program's structure. Past the end every choice is `lo`, which
/// makes the generator pick leaves and stop.
class ByteChoices final : public Choices {
public:
  ByteChoices(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  double uniform(double lo, double hi) override;

private:
  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

/// One random program (the source text of `helper` and `f`).
std::string randomProgram(Choices &choices);

} // namespace diffc::testgen
