// index / update / update_add: each per-axis mode, and out-of-range errors with the op's location.
#include "IrBuild.h"

#include "interp/RtValue.h"

using namespace diffc;
using namespace diffc::interp;
using namespace diffc::interp::test;

namespace {

std::function<void(ir::Op &)> modes(std::vector<int64_t> m, std::vector<int64_t> lens = {}) {
  return [m, lens](ir::Op &o) {
    o.ints = m;
    for (int64_t l : lens)
      o.dims.push_back(cst(l));
  };
}

const Tensor kA = mat(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9});

} // namespace

TEST_CASE("index: points, slices, whole axes") {
  Tensor x = vec({10, 20, 30});
  CHECK(runOp(OpKind::Index, {x, i64(1)}, ty(F64), modes({ir::kPoint})) == sc(20));
  CHECK(runOp(OpKind::Index, {x, i64(1)}, ty(F64, {2}), modes({ir::kSlice}, {2})) ==
        vec({20, 30}));
  CHECK(runOp(OpKind::Index, {x, i64(3)}, ty(F64, {0}), modes({ir::kSlice}, {0})) == vec({}));
  // A[1] (the trailing axis is whole when its mode is left out), A[:, 2], A[2, 0]
  CHECK(runOp(OpKind::Index, {kA, i64(1)}, ty(F64, {3}), modes({ir::kPoint})) == vec({4, 5, 6}));
  CHECK(runOp(OpKind::Index, {kA, i64(1)}, ty(F64, {3}), modes({ir::kPoint, ir::kFull})) ==
        vec({4, 5, 6}));
  CHECK(runOp(OpKind::Index, {kA, i64(2)}, ty(F64, {3}), modes({ir::kFull, ir::kPoint})) ==
        vec({3, 6, 9}));
  CHECK(runOp(OpKind::Index, {kA, i64(2), i64(0)}, ty(F64), modes({ir::kPoint, ir::kPoint})) ==
        sc(7));
  // A[1:3, 0:2]
  CHECK(runOp(OpKind::Index, {kA, i64(1), i64(0)}, ty(F64, {2, 2}),
              modes({ir::kSlice, ir::kSlice}, {2, 2})) == mat(2, 2, {4, 5, 7, 8}));
  // A[0:2, 1]
  CHECK(runOp(OpKind::Index, {kA, i64(0), i64(1)}, ty(F64, {2}),
              modes({ir::kSlice, ir::kPoint}, {2})) == vec({2, 5}));
  CHECK(runOp(OpKind::Index, {vec({4, 5}, I64), i64(0)}, ty(I64), modes({ir::kPoint})) == i64(4));
}

TEST_CASE("update and update_add") {
  Tensor x = vec({10, 20, 30});
  CHECK(runOp(OpKind::Update, {x, sc(5), i64(1)}, ty(F64, {3}), modes({ir::kPoint})) ==
        vec({10, 5, 30}));
  CHECK(runOp(OpKind::UpdateAdd, {x, sc(5), i64(1)}, ty(F64, {3}), modes({ir::kPoint})) ==
        vec({10, 25, 30}));
  CHECK(runOp(OpKind::Update, {x, vec({1, 2}), i64(0)}, ty(F64, {3}), modes({ir::kSlice}, {2})) ==
        vec({1, 2, 30}));
  // A[:, 0] = [7, 8, 9]
  CHECK(runOp(OpKind::Update, {kA, vec({7, 8, 9}), i64(0)}, ty(F64, {3, 3}),
              modes({ir::kFull, ir::kPoint})) == mat(3, 3, {7, 2, 3, 8, 5, 6, 9, 8, 9}));
  // A[1:3, 1:3] += [[1, 1], [1, 1]]
  CHECK(runOp(OpKind::UpdateAdd, {kA, mat(2, 2, {1, 1, 1, 1}), i64(1), i64(1)}, ty(F64, {3, 3}),
              modes({ir::kSlice, ir::kSlice}, {2, 2})) ==
        mat(3, 3, {1, 2, 3, 4, 6, 7, 7, 9, 10}));
  // A[2] = 0 (a scalar broadcast over the row)
  CHECK(runOp(OpKind::Update, {kA, sc(0), i64(2)}, ty(F64, {3, 3}), modes({ir::kPoint})) ==
        mat(3, 3, {1, 2, 3, 4, 5, 6, 0, 0, 0}));
  CHECK(runOp(OpKind::UpdateAdd, {vec({1, 2}, I64), i64(3), i64(0)}, ty(I64, {2}),
              modes({ir::kPoint})) == vec({4, 2}, I64));
}

TEST_CASE("update keeps the old value when it is still used") {
  // y = update(x, 9, 0); return x, y  -- x must not change
  ir::Module m;
  FnBuilder f(m, "f");
  Value *x = f.param(ty(F64, {2}), "x");
  ir::Op *u = f.op(OpKind::Update, {x, f.f64(9), f.int64(0)}, {ty(F64, {2})});
  u->ints = {ir::kPoint};
  f.ret({x, u->result()});
  uint64_t copies = detail::sharedTargetCopies();
  auto r = Interpreter(m).call(*f.fn, {vec({1, 2})});
  CHECK(detail::sharedTargetCopies() == copies + 1);
  CHECK(r[0] == vec({1, 2}));
  CHECK(r[1] == vec({9, 2}));
}

TEST_CASE("out-of-range indices and slices are runtime errors at the op") {
  Tensor x = vec({10, 20, 30});
  auto e = runtimeError([&] { runOp(OpKind::Index, {x, i64(5)}, ty(F64), modes({ir::kPoint})); });
  CHECK(std::string(e.what()) == "index 5 out of range for axis 0 of size 3");
  CHECK(e.loc.line == 1);
  CHECK(e.loc.col == 5);
  CHECK(e.function == "f");
  e = runtimeError([&] { runOp(OpKind::Index, {x, i64(-1)}, ty(F64), modes({ir::kPoint})); });
  CHECK(std::string(e.what()) == "index -1 out of range for axis 0 of size 3");
  e = runtimeError(
      [&] { runOp(OpKind::Index, {x, i64(2)}, ty(F64, {2}), modes({ir::kSlice}, {2})); });
  CHECK(std::string(e.what()) == "slice 2:4 out of range for axis 0 of size 3");
  e = runtimeError(
      [&] { runOp(OpKind::Index, {x, i64(-1)}, ty(F64, {2}), modes({ir::kSlice}, {2})); });
  CHECK(std::string(e.what()) == "slice -1:1 out of range for axis 0 of size 3");
  e = runtimeError([&] {
    runOp(OpKind::Index, {kA, i64(0), i64(3)}, ty(F64), modes({ir::kPoint, ir::kPoint}));
  });
  CHECK(std::string(e.what()) == "index 3 out of range for axis 1 of size 3");
  e = runtimeError([&] {
    runOp(OpKind::Update, {x, sc(1), i64(3)}, ty(F64, {3}), modes({ir::kPoint}));
  });
  CHECK(std::string(e.what()) == "index 3 out of range for axis 0 of size 3");
  e = runtimeError([&] {
    runOp(OpKind::UpdateAdd, {x, sc(1), i64(-2)}, ty(F64, {3}), modes({ir::kPoint}));
  });
  CHECK(std::string(e.what()) == "index -2 out of range for axis 0 of size 3");
}

TEST_CASE("a slice whose length is a size expression") {
  // fn f[N](x: f64[N]) -> f64[N - 1] = x[1:N]
  ir::Module m;
  FnBuilder f(m, "f", {"N"});
  Value *x = f.param(Type(F64, {sym(0)}), "x");
  ir::Op *o = f.op(OpKind::Index, {x, f.int64(1)}, {Type(F64, {sym(0) - cst(1)})});
  o->ints = {ir::kSlice};
  o->dims = {sym(0) - cst(1)};
  f.ret({o->result()});
  Interpreter in(m);
  CHECK(in.call("f", {vec({1, 2, 3})}).at(0) == vec({2, 3}));
  CHECK(in.call("f", {vec({1})}).at(0) == vec({}));
  // N = 0: the slice 1:0 has length -1.
  auto e = runtimeError([&] { in.call("f", {vec({})}); });
  CHECK(std::string(e.what()) == "slice 1:0 has negative length -1 (axis 0 of size 0)");
  CHECK(e.loc.line == 1);
}

TEST_CASE("values still used later are never updated in place") {
  // r = if c { x[0] = 9 } else { x }; s = for i in 0..3 (acc = 0) { acc + sum(x[1] = 5) }
  // return x, r, s  -- x must be unchanged by both the branch and every loop iteration.
  ir::Module m;
  FnBuilder f(m, "f");
  Type v2 = ty(F64, {2});
  Value *x = f.param(v2, "x");
  Value *c = f.param(ty(Bool), "c");
  auto update = [&](double v) {
    ir::Op *u = f.op(OpKind::Update, {x, f.f64(v), f.int64(0)}, {v2});
    u->ints = {ir::kPoint};
    return u->result();
  };
  ir::Op *iff = f.op(OpKind::If, {c}, {v2});
  f.region(iff);
  f.yield({update(9)});
  f.done();
  f.region(iff);
  f.yield({x});
  f.done();
  ir::Op *loop = f.op(OpKind::For, {f.int64(0), f.int64(3), f.f64(0)}, {ty(F64)});
  ir::Block *body = f.region(loop, {ty(I64), ty(F64)});
  Value *s = f.val(OpKind::Sum, {update(5)}, ty(F64));
  f.yield({f.val(OpKind::Add, {body->args[1], s}, ty(F64))});
  f.done();
  f.ret({x, iff->result(), loop->result()});
  auto r = Interpreter(m).call(*f.fn, {vec({1, 2}), sc(1, Bool)});
  CHECK(r[0] == vec({1, 2}));
  CHECK(r[1] == vec({9, 2}));
  CHECK(r[2] == sc(21)); // 3 * (5 + 2)
}
