// JSON inputs of `diffc run` (binding and every input error) and output formatting.
#include "IrBuild.h"

#include "interp/JsonIO.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;
using nlohmann::json;

namespace {

/// fn f[N, D](w: f64[D], b: f64, X: f64[N, D], n: i64, flag: bool) -> f64 = 0
ir::Function *buildF(ir::Module &m) {
  FnBuilder f(m, "f", {"N", "D"});
  f.param(Type(F64, {sym(1)}), "w");
  f.param(ty(F64), "b");
  f.param(Type(F64, {sym(0), sym(1)}), "X");
  f.param(ty(I64), "n");
  f.param(ty(Bool), "flag");
  f.ret({f.f64(0)});
  return f.fn;
}

const char *kGood = R"({"w": [1, 2], "b": 0.5, "X": [[1, 2], [3, 4], [5, 6]], "n": 3,
                        "flag": true})";

/// The InputError message for inputs that are kGood with `patch` merged in (null deletes).
std::string errorFor(const json &patch) {
  ir::Module m;
  ir::Function *fn = buildF(m);
  json in = json::parse(kGood);
  in.merge_patch(patch);
  try {
    bindInputs(*fn, in);
  } catch (const InputError &e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("bindInputs maps members to parameters by name") {
  ir::Module m;
  ir::Function *fn = buildF(m);
  auto args = bindInputs(*fn, json::parse(kGood));
  REQUIRE(args.size() == 5);
  CHECK(args[0] == vec({1, 2}));
  CHECK(args[1] == sc(0.5));
  CHECK(args[2] == mat(3, 2, {1, 2, 3, 4, 5, 6}));
  CHECK(args[3] == i64(3));
  CHECK(args[4] == sc(1, Bool));
  // The bound arguments run.
  CHECK(Interpreter(m).call(*fn, args).at(0) == sc(0));
}

TEST_CASE("bindInputs: non-finite floats as strings, integral floats for i64, empty arrays") {
  ir::Module m;
  ir::Function *fn = buildF(m);
  auto args = bindInputs(*fn, json::parse(R"({"w": ["NaN", "Infinity"], "b": "-Infinity",
      "X": [], "n": 4.0, "flag": false})"));
  CHECK(std::isnan(args[0].data[0]));
  CHECK(args[0].data[1] == std::numeric_limits<double>::infinity());
  CHECK(args[1].item() == -std::numeric_limits<double>::infinity());
  // `[]` for X: N = 0, and D comes from w.
  CHECK(args[2].shape == std::vector<int64_t>{0, 2});
  CHECK(args[3] == i64(4));
  CHECK(args[4] == sc(0, Bool));
}

TEST_CASE("bindInputs: missing and unknown members") {
  CHECK(errorFor({{"b", nullptr}}) == "missing input 'b' (f64)");
  CHECK(errorFor({{"X", nullptr}}) == "missing input 'X' (f64[N, D])");
  CHECK(errorFor({{"q", 1}}) == "unknown input 'q': function 'f' has parameters w, b, X, n, flag");
}

TEST_CASE("bindInputs: sizes given as inputs must agree; other members can be ignored") {
  CHECK(errorFor({{"N", 3}, {"D", 2.0}}) == "(no error)");
  CHECK(errorFor({{"N", 4}}) == "input 'N' is 4, but the shapes of the inputs give N = 3");
  CHECK(errorFor({{"D", "2"}}) == "input 'D' is \"2\", but the shapes of the inputs give D = 2");
  ir::Module m;
  ir::Function *fn = buildF(m);
  json in = json::parse(kGood);
  in["q"] = 1;
  in["label"] = "x";
  std::vector<std::string> ignored;
  CHECK(bindInputs(*fn, in, &ignored).size() == 5);
  CHECK(ignored == std::vector<std::string>{"label", "q"});
}

TEST_CASE("bindInputs: values of the wrong kind") {
  CHECK(errorFor({{"b", {1, 2}}}) ==
        "input 'b' (f64): b is an array, expected a number (the parameter is a scalar)");
  CHECK(errorFor({{"b", "hi"}}) == "input 'b' (f64): b is the string \"hi\", expected a number "
                                   "(or \"NaN\", \"Infinity\", \"-Infinity\")");
  CHECK(errorFor({{"b", true}}) == "input 'b' (f64): b is a boolean, expected a number");
  CHECK(errorFor({{"b", json::object()}}) == "input 'b' (f64): b is an object, expected a number");
  CHECK(errorFor({{"w", {1, "x"}}}) ==
        "input 'w' (f64[D]): w[1] is the string \"x\", expected a number (or \"NaN\", "
        "\"Infinity\", \"-Infinity\")");
  CHECK(errorFor({{"n", 2.5}}) == "input 'n' (i64): n is 2.5, expected an integer");
  CHECK(errorFor({{"n", "3"}}) == "input 'n' (i64): n is a string, expected an integer");
  CHECK(errorFor({{"n", true}}) == "input 'n' (i64): n is a boolean, expected an integer");
  CHECK(errorFor({{"n", int64_t(1) << 60}}) ==
        "input 'n' (i64): n is 1152921504606846976, outside the i64 range |v| <= 2^53");
  CHECK(errorFor({{"flag", 1}}) == "input 'flag' (bool): flag is a number, expected true or false");
  CHECK(errorFor({{"flag", "true"}}) ==
        "input 'flag' (bool): flag is a string, expected true or false");
}

TEST_CASE("bindInputs: wrong nesting depth and ragged arrays") {
  CHECK(errorFor({{"X", {1, 2}}}) ==
        "input 'X' (f64[N, D]): X[0] is a number, expected an array (the parameter has rank 2)");
  CHECK(errorFor({{"X", 5}}) ==
        "input 'X' (f64[N, D]): X is a number, expected an array (the parameter has rank 2)");
  CHECK(errorFor({{"w", {{1}, {2}}}}) == "input 'w' (f64[D]): w[0] is an array, expected a number");
  CHECK(errorFor({{"X", {{1, 2}, {3}}}}) ==
        "input 'X' (f64[N, D]): ragged array: X[1] has 1 entries but X[0] has 2");
  CHECK(errorFor({{"X", {{1, 2}, {3, 4}, {5, 6, 7}}}}) ==
        "input 'X' (f64[N, D]): ragged array: X[2] has 3 entries but X[0] has 2");
}

TEST_CASE("bindInputs: shapes that contradict each other") {
  CHECK(errorFor({{"w", {1, 2, 3}}}) ==
        "size D is 3 from parameter 'w' (shape [3]) but 2 from parameter 'X' (shape [3, 2])");
  // X = [] makes X [0, 2] from w, which agrees; w = [] against a full X does not.
  CHECK(errorFor({{"w", json::array()}}) ==
        "size D is 0 from parameter 'w' (shape [0]) but 2 from parameter 'X' (shape [3, 2])");
}

TEST_CASE("bindInputs: the inputs must be an object") {
  ir::Module m;
  ir::Function *fn = buildF(m);
  CHECK_THROWS_WITH_AS(bindInputs(*fn, json::array()),
                       "inputs must be a JSON object mapping the parameters of 'f' to values, "
                       "got an array",
                       InputError);
}

TEST_CASE("bindInputs: f32 values are rounded to float, f32 parameters accept integers") {
  ir::Module m;
  FnBuilder f(m, "g");
  f.param(ty(F32, {2}), "v");
  f.ret({f.f64(0)});
  auto args = bindInputs(*f.fn, json::parse(R"({"v": [0.1, 3]})"));
  CHECK(args[0] == vec({static_cast<double>(0.1f), 3}, F32));
}

TEST_CASE("formatValue: floats") {
  auto f = [](double v) { return formatValue(sc(v)); };
  CHECK(f(0) == "0.0");
  CHECK(f(-0.0) == "-0.0");
  CHECK(f(1.5) == "1.5");
  CHECK(f(0.1) == "0.1");
  CHECK(f(3) == "3.0");
  CHECK(f(0.6931471805599453) == "0.6931471805599453");
  CHECK(f(1e-300) == "1e-300");
  CHECK(f(1e21) == "1e+21");
  CHECK(f(123456789012) == "123456789012.0");
  CHECK(f(std::numeric_limits<double>::quiet_NaN()) == "\"NaN\"");
  CHECK(f(std::numeric_limits<double>::infinity()) == "\"Infinity\"");
  CHECK(f(-std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
  CHECK(formatValue(sc(0.1f, F32)) == "0.1");
  CHECK(formatValue(sc(2, F32)) == "2.0");
}

TEST_CASE("formatValue: f64 text reads back as the same double") {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 2000; ++i) {
    uint64_t b = bits(rng);
    double v;
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v))
      continue;
    std::string s = formatValue(sc(v));
    INFO(s);
    CHECK(s.find_first_of(".e") != std::string::npos);
    CHECK(std::strtod(s.c_str(), nullptr) == v);
    CHECK(json::parse(s).get<double>() == v);
  }
}

TEST_CASE("formatValue: integers, booleans, nested arrays") {
  CHECK(formatValue(i64(42)) == "42");
  CHECK(formatValue(i64(-7)) == "-7");
  CHECK(formatValue(i64(int64_t(1) << 53)) == "9007199254740992");
  CHECK(formatValue(sc(1, Bool)) == "true");
  CHECK(formatValue(vec({1, 0}, Bool)) == "[true, false]");
  CHECK(formatValue(vec({1, 2.5})) == "[1.0, 2.5]");
  CHECK(formatValue(mat(2, 2, {1, 2, 3, 4}, I64)) == "[[1, 2], [3, 4]]");
  CHECK(formatValue(vec({})) == "[]");
  CHECK(formatValue(Tensor::zeros(F64, {2, 0})) == "[[], []]");
  CHECK(formatValue(Tensor::zeros(F64, {0, 3})) == "[]");
  CHECK(formatValue(Tensor::zeros(F64, {1, 1, 2})) == "[[[0.0, 0.0]]]");
  // The output is JSON that reads back to the same values.
  json j = json::parse(formatValue(mat(2, 2, {0.1, -2, 1e-300, 4})));
  CHECK(j[1][0].get<double>() == 1e-300);
}
