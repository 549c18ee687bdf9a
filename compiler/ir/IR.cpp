#include "ir/IR.h"

#include <cstring>

namespace diffc::ir {

namespace {
struct OpInfo {
  const char *mnemonic;
  OpClass cls;
};
constexpr OpInfo kOpInfo[] = {
#define DIFFC_OP(K, M, C) {M, OpClass::C},
#include "ir/Ops.def"
};
} // namespace

const char *opMnemonic(OpKind k) { return kOpInfo[static_cast<size_t>(k)].mnemonic; }
OpClass opClass(OpKind k) { return kOpInfo[static_cast<size_t>(k)].cls; }

bool opKindFromMnemonic(std::string_view m, OpKind &out) {
  for (size_t i = 0; i < std::size(kOpInfo); ++i)
    if (m == kOpInfo[i].mnemonic) {
      out = static_cast<OpKind>(i);
      return true;
    }
  return false;
}

const char *elemTypeName(ElemType e) {
  switch (e) {
  case ElemType::F64:
    return "f64";
  case ElemType::F32:
    return "f32";
  case ElemType::I64:
    return "i64";
  case ElemType::Bool:
    return "bool";
  }
  return "?";
}

std::string Type::str(std::span<const std::string> names) const {
  std::string s = elemTypeName(elem);
  if (!shape.empty()) {
    s += "[";
    for (size_t i = 0; i < shape.size(); ++i) {
      if (i)
        s += ", ";
      s += shape[i].str(names);
    }
    s += "]";
  }
  return isTape ? "tape<" + s + ">" : s;
}

namespace {
template <typename T> void eraseAt(std::vector<T> &v, size_t i) {
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
}
void renumber(std::vector<Value *> &vs) {
  for (unsigned i = 0; i < vs.size(); ++i)
    vs[i]->index = i;
}
} // namespace

ErasedCarried eraseCarried(Op &loop, size_t k) {
  size_t operand = carriedOperandBase(loop) + k, arg = carriedArgBase(loop) + k;
  ErasedCarried erased{loop.operands.at(operand), nullptr};
  eraseAt(loop.operands, operand);
  for (auto &r : loop.regions) {
    eraseAt(r->args, arg);
    renumber(r->args);
  }
  // A while's condition yields its bool, not the carried values: only the body's yield changes.
  Op *y = loopBody(loop).terminator();
  erased.yielded = y->operands.at(k);
  eraseAt(y->operands, k);
  eraseAt(loop.results, k);
  renumber(loop.results);
  return erased;
}

Function::Function() : body(std::make_unique<Block>()) { body->function = this; }

Value *Function::newValue(Type type, std::string name) {
  Value &v = values_.emplace_back();
  v.id = static_cast<uint32_t>(values_.size() - 1);
  v.type = std::move(type);
  v.name = std::move(name);
  return &v;
}

Value *Function::addParam(Type type, std::string name) {
  Value *v = newValue(std::move(type), std::move(name));
  v->ownerBlock = body.get();
  v->index = static_cast<unsigned>(body->args.size());
  body->args.push_back(v);
  return v;
}

Function *Module::lookup(std::string_view name) const {
  for (const auto &f : functions)
    if (f->name == name)
      return f.get();
  return nullptr;
}

Function *Module::addFunction(std::string name) {
  functions.push_back(std::make_unique<Function>());
  functions.back()->name = std::move(name);
  return functions.back().get();
}

Op *Builder::create(OpKind kind, std::vector<Value *> operands, std::vector<Type> resultTypes,
                    std::string resultName) {
  auto op = std::make_unique<Op>();
  op->kind = kind;
  op->operands = std::move(operands);
  op->loc = loc_;
  op->origin = origin_;
  op->parent = block_;
  for (unsigned i = 0; i < resultTypes.size(); ++i) {
    Value *v = fn_.newValue(std::move(resultTypes[i]), i == 0 ? resultName : std::string());
    v->def = op.get();
    v->index = i;
    op->results.push_back(v);
  }
  Op *raw = op.get();
  block_->ops.push_back(std::move(op));
  return raw;
}

Value *Builder::value(OpKind kind, std::vector<Value *> operands, Type resultType,
                      std::string resultName) {
  return create(kind, std::move(operands), {std::move(resultType)}, std::move(resultName))
      ->result();
}

Block *Builder::addRegion(Op *op, std::vector<Type> argTypes, std::vector<std::string> argNames) {
  auto b = std::make_unique<Block>();
  b->parentOp = op;
  b->function = &fn_;
  for (unsigned i = 0; i < argTypes.size(); ++i) {
    Value *v = fn_.newValue(std::move(argTypes[i]), i < argNames.size() ? argNames[i] : "");
    v->ownerBlock = b.get();
    v->index = i;
    b->args.push_back(v);
  }
  Block *raw = b.get();
  op->regions.push_back(std::move(b));
  return raw;
}

Value *Builder::constF64(double v, ElemType e) {
  Op *op = create(OpKind::Const, {}, {Type(e)});
  op->fval = v;
  return op->result();
}

Value *Builder::constI64(int64_t v) {
  Op *op = create(OpKind::Const, {}, {Type::i64()});
  op->ival = v;
  return op->result();
}

Value *Builder::constBool(bool v) {
  Op *op = create(OpKind::Const, {}, {Type::boolean()});
  op->ival = v ? 1 : 0;
  return op->result();
}

Value *Builder::dimValue(const Dim &d) {
  Op *op = create(OpKind::DimValue, {}, {Type::i64()});
  op->dims.push_back(d);
  return op->result();
}

} // namespace diffc::ir
