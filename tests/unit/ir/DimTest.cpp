// Symbolic dims: canonical arithmetic and the source-like rendering the printer relies on.
#include "ir/Dim.h"

#include <doctest/doctest.h>

#include <vector>

using namespace diffc::ir;

namespace {
const std::vector<std::string> kNames = {"N", "D", "K"};
const Dim N = Dim::symbol(0), D = Dim::symbol(1), K = Dim::symbol(2);
Dim c(int64_t v) { return Dim::constant(v); }
} // namespace

TEST_CASE("dim printing") {
  CHECK(N.str(kNames) == "N");
  CHECK((N - c(1)).str(kNames) == "N - 1");
  CHECK((c(2) * N + c(1)).str(kNames) == "2*N + 1");
  CHECK((N * D).str(kNames) == "N*D");
  CHECK((D * N).str(kNames) == "N*D");
  CHECK(c(3).str(kNames) == "3");
  CHECK(Dim().str(kNames) == "0");
  CHECK((-N).str(kNames) == "-N");
  CHECK((c(1) - N).str(kNames) == "-N + 1");
  CHECK((c(-2) * N * D + c(3) * K - c(4)).str(kNames) == "-2*N*D + 3*K - 4");
}

TEST_CASE("dim arithmetic is canonical") {
  CHECK((N + D) == (D + N));
  CHECK((N - N) == c(0));
  CHECK((N - N).isConstant());
  CHECK((N + c(1) - c(1)) == N);
  CHECK(((N + c(1)) * (N - c(1))) == (N * N - c(1)));
  CHECK((c(2) * N) == (N + N));
  CHECK((N * D).symbols() == std::vector<uint32_t>{0, 1});
  CHECK(N.asSymbol() == 0u);
  CHECK(!(c(2) * N).asSymbol());
  CHECK((c(6) * c(7)).constantValue() == 42);
}

TEST_CASE("dim evaluation and substitution") {
  std::vector<int64_t> vals = {5, 3, 2};
  CHECK((c(2) * N + c(1)).evaluate(vals) == 11);
  CHECK((N * D - K).evaluate(vals) == 13);
  // A callee's K*K evaluated with K := N - 1 in the caller: (N - 1)^2 = N*N - 2*N + 1.
  std::vector<Dim> subst = {N - c(1)};
  Dim callee = Dim::symbol(0) * Dim::symbol(0);
  CHECK(callee.substitute(subst) == N * N - c(2) * N + c(1));
  CHECK(callee.substitute(subst).str(kNames) == "N*N - 2*N + 1");
}

TEST_CASE("dim linear in one unknown symbol (size inference from affine dims)") {
  std::vector<bool> none = {false, false, false}, nKnown = {true, false, false};
  auto l = (c(2) * N + c(1)).linearIn(none);
  REQUIRE(l);
  CHECK(l->sym == 0);
  CHECK(l->coeff == 2);
  CHECK(l->rest == c(1));
  CHECK(!(N + D).linearIn(none)); // two unknowns
  CHECK(!(N * N).linearIn(none)); // not linear
  CHECK(!c(3).linearIn(none));    // no unknown
  auto m = (c(2) * N + D).linearIn(nKnown);
  REQUIRE(m);
  CHECK(m->sym == 1);
  CHECK(m->coeff == 1);
  CHECK(m->rest == c(2) * N);
  CHECK((c(4) * N + c(2)).divExact(2) == c(2) * N + c(1));
  CHECK(!(c(4) * N + c(1)).divExact(2));
}

TEST_CASE("dim arithmetic that leaves int64 is marked, never undefined") {
  const int64_t kMax = INT64_MAX;
  CHECK(!(c(kMax) + c(0)).overflowed());
  CHECK((c(kMax) + c(1)).overflowed());
  CHECK((c(kMax) * N + c(2) * N).overflowed());
  CHECK((c(INT64_MIN + 1) - c(2)).overflowed());
  CHECK((c(kMax) * c(2)).overflowed());
  CHECK((c(4294967296) * N * c(4294967296)).overflowed());
  CHECK((-(c(-kMax) - c(1))).overflowed());
  // It sticks through later arithmetic and substitution, and has no value.
  Dim bad = c(kMax) + c(1);
  CHECK((bad - c(1)).overflowed());
  CHECK((bad * c(0)).overflowed());
  CHECK(bad != c(INT64_MIN));
  CHECK((N * N).substitute(std::vector<Dim>{c(4294967296)}).overflowed());
  CHECK(!(N * N).substitute(std::vector<Dim>{c(3037000499)}).overflowed());
  CHECK(!bad.evaluate(std::vector<int64_t>{}));
  CHECK(!(bad * N).linearIn({false}));
  // INT64_MIN / -1 is not computed; INT64_MIN prints as its magnitude.
  Dim min = c(-kMax) - c(1);
  CHECK(!min.overflowed());
  CHECK(min.divExact(-1)->overflowed());
  CHECK(min.str(kNames) == "-9223372036854775808");
}
