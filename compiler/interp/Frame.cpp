#include "interp/Frame.h"

#include "ir/SizeInference.h"

namespace diffc::interp::detail {

const Tensor &tensorOf(const RtValue &v) {
  if (!v.tensor)
    internalf("expected a tensor value, got a tape");
  return *v.tensor;
}

int64_t intOf(const RtValue &v) {
  const Tensor &t = tensorOf(v);
  if (!t.shape.empty() || t.elem != ir::ElemType::I64)
    internalf("expected an i64 scalar, got {} {}", ir::elemTypeName(t.elem), ir::shapeStr(t.shape));
  return static_cast<int64_t>(t.data.at(0));
}

bool boolOf(const RtValue &v) {
  const Tensor &t = tensorOf(v);
  if (!t.shape.empty() || t.elem != ir::ElemType::Bool)
    internalf("expected a bool scalar, got {} {}", ir::elemTypeName(t.elem), ir::shapeStr(t.shape));
  return t.data.at(0) != 0;
}

int64_t evalDim(const Frame &f, const ir::Dim &d) {
  auto v = d.evaluate(f.sizes);
  if (!v)
    failf("size expression {} overflows", d.str(f.fn.sizeParams));
  return *v;
}

std::vector<int64_t> concreteShape(const Frame &f, const ir::Type &t) {
  std::vector<int64_t> s;
  s.reserve(t.shape.size());
  for (const ir::Dim &d : t.shape) {
    int64_t v = evalDim(f, d);
    if (v < 0)
      failf("shape {} has a negative extent ({} = {})", t.str(f.fn.sizeParams),
            d.str(f.fn.sizeParams), v);
    s.push_back(v);
  }
  return s;
}

bool hasType(const Frame &f, const ir::Type &t, const RtValue &v) {
  if (t.isTape)
    return v.tape != nullptr;
  if (!v.tensor || v.tensor->elem != t.elem || v.tensor->shape.size() != t.shape.size())
    return false;
  for (size_t a = 0; a < t.shape.size(); ++a) {
    auto d = t.shape[a].evaluate(f.sizes);
    if (!d || *d != v.tensor->shape[a])
      return false;
  }
  return v.tensor->data.size() == numElements(v.tensor->shape);
}

void typeMismatch(const Frame &f, const ir::Type &t, const RtValue &v, const char *what,
                  size_t index, const ir::Op *op) {
  std::string want = t.str(f.fn.sizeParams);
  if (auto s = ir::evalShape(t.shape, f.sizes); s && !t.isTape)
    want += " = " + ir::shapeStr(*s);
  std::string got = v.tape     ? "a tape"
                    : v.tensor ? fmt::format("{} {} ({} values)", ir::elemTypeName(v.tensor->elem),
                                             ir::shapeStr(v.tensor->shape), v.tensor->data.size())
                               : "undefined";
  std::string of = op ? fmt::format(" of '{}'", ir::opMnemonic(op->kind)) : "";
  internalf("{} {}{} in '{}' should be {} but is {}", what, index, of, f.fn.name, want, got);
}

std::string paramName(const ir::Function &fn, size_t i) {
  const std::string &n = fn.params()[i]->name;
  return n.empty() ? fmt::format("#{}", i) : n;
}

} // namespace diffc::interp::detail
