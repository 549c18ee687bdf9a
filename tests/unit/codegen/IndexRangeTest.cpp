// provenInRange (codegen/IndexRange.h): which point indexes codegen may leave unchecked. Every
// index op of a function is listed in program order with the verdict for its first axis; the
// unproven ones keep their runtime check (their failures are in
// tests/cli/index-range.diff).
#include "Harness.h"

#include "codegen/IndexRange.h"

using namespace diffc::test;
namespace ir = diffc::ir;

namespace {

void collect(const ir::Block &b, std::vector<bool> &out) {
  for (const auto &op : b.ops) {
    bool point = !op->ints.empty() && op->ints[0] == ir::kPoint;
    size_t first = op->kind == ir::OpKind::Index ? 1 : 2;
    bool indexing = op->kind == ir::OpKind::Index || op->kind == ir::OpKind::Update ||
                    op->kind == ir::OpKind::UpdateAdd;
    if (indexing && point && !op->operand(0)->type.isScalar())
      out.push_back(diffc::codegen::provenInRange(op->operand(static_cast<unsigned>(first)),
                                                  op->operand(0)->type.shape[0]));
    for (const auto &r : op->regions)
      collect(*r, out);
  }
}

std::vector<bool> verdicts(const std::string &src, const std::string &fn, bool grad = false) {
  auto m = fromSource(src);
  const ir::Function *f = m->lookup(fn);
  REQUIRE(f);
  if (grad)
    f = diffc::ad::buildGradient(*m, *f, {});
  std::vector<bool> out;
  collect(*f->body, out);
  return out;
}

} // namespace

TEST_CASE("index range: neighbours of a counter, in and out of the loop's range") {
  const char *src = R"(
fn f[N](x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N - 1 { acc += x[i + 1] * x[i]; }
  for i in 1..N { acc += x[i - 1]; }
  for i in 0..N { acc += x[i + 1]; }
  for i in 0..N - 1 { acc += x[i - 1]; }
  for i in 2..N { acc += x[i - 2] + x[i - 1]; }
  for i in 1..N + 1 { acc += x[i - 1]; }
  acc
}
)";
  // The last loop's bound N + 1 would wrap for N = INT64_MAX: refused, the check stays.
  std::vector<bool> want = {true, true, true, false, false, true, true, false};
  CHECK(verdicts(src, "f") == want);
}

TEST_CASE("index range: reversed, scaled and nested indexes") {
  const char *src = R"(
fn g[N, M](x: f64[N], A: f64[N, M], k: i64) -> f64 {
  var acc = 0.0;
  for j in 0..N { acc += x[N - 1 - j]; }
  for j in 0..N { acc += x[N - j]; }
  for j in 0..N - 1 { acc += x[(N - 2) - j + 1]; }
  for i in 0..N { for j in 0..i + 1 { acc += x[i - j]; } }
  for i in 0..N { for j in i..N { acc += x[j - i] + x[j + 1 - i]; } }
  for i in 0..N / 2 { acc += x[2 * i]; }
  for i in 0..N { acc += x[i + k]; }
  for i in 0..M { acc += A[N - 1, i]; }
  acc
}
)";
  // N / 2 and k are not affine in sizes: those stay checked. So does x[j + 1 - i] at j = N - 1.
  std::vector<bool> want = {true, false, true, true, true, false, false, false, false};
  CHECK(verdicts(src, "g") == want);
}

TEST_CASE("index range: the reverse sweep of a neighbour loop needs no checks") {
  const char *src = R"(
fn rosen[N](x: f64[N]) -> f64 {
  var acc = 0.0;
  for i in 0..N - 1 {
    let a = x[i + 1] - x[i] * x[i];
    acc += 100.0 * a * a + (1.0 - x[i]) * (1.0 - x[i]);
  }
  acc
}
)";
  std::vector<bool> got = verdicts(src, "rosen", /*grad=*/true);
  REQUIRE(got.size() >= 4); // forward reads, reverse reads and the two update_adds
  for (bool b : got)
    CHECK(b);
}
