// FnLowering::copyBytes: tensors of a symbolic size are copied inline from 16 to 128 bytes (four
// overlapping 8-byte pieces below 32 bytes, two or four 32-byte ones above) and by memcpy
// otherwise. Every byte count from 1 to 320 goes through a tape push, a tape pop and a
// copy-on-update, for 1-, 4- and 8-byte elements, and must come back unchanged (JIT and
// interpreter bit-equal).
#include "Harness.h"

using namespace diffc::test;

TEST_CASE("codegen: copies of every small size keep every element") {
  auto j = jit(fromIR(
      R"(func @f[N](%x: f64[N], %y: f32[N], %b: bool[N]) -> (f64[N], f32[N], bool[N], f64[N]) {
  %t = tape.new : tape<f64[N]>
  %u = tape.new : tape<f32[N]>
  %v = tape.new : tape<bool[N]>
  %t1 = tape.push %t, %x : tape<f64[N]>
  %u1 = tape.push %u, %y : tape<f32[N]>
  %v1 = tape.push %v, %b : tape<bool[N]>
  %t2, %px = tape.pop %t1 : tape<f64[N]>, f64[N]
  %u2, %py = tape.pop %u1 : tape<f32[N]>, f32[N]
  %v2, %pb = tape.pop %v1 : tape<bool[N]>, bool[N]
  %k = const 0 : i64
  %a = const 9.5 : f64
  %z = update %x[%k], %a : f64[N]
  return %px, %py, %pb, %z
}
)"));
  for (int64_t n = 1; n <= 40; ++n) {
    INFO("N = " << n);
    std::vector<double> x, y, b;
    for (int64_t i = 0; i < n; ++i) {
      x.push_back(0.5 + static_cast<double>(i) * 1.25);
      y.push_back(static_cast<double>(static_cast<float>(-0.75 * static_cast<double>(i) + 2)));
      b.push_back(static_cast<double>((i * 7) % 3 == 1));
    }
    auto r = same(*j, "f", {V(x), V(y, ElemType::F32), V(b, ElemType::Bool)});
    CHECK(r[0].data == x);
    CHECK(r[1].data == y);
    CHECK(r[2].data == b);
    std::vector<double> z = x;
    z[0] = 9.5;
    CHECK(r[3].data == z);
  }
}
