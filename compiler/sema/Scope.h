// Lexical scopes of a function body during lowering. A binding maps a source name to the IR value
// that currently holds it; assigning a `var` rebinds the name to a new SSA value, which is how
// mutable variables become SSA (and, at loops and branches, loop-carried values and `if` results).
#pragma once

#include "ir/IR.h"
#include "support/SourceFile.h"

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace diffc::sema {

struct Binding {
  enum class Kind { Let, Var, Param, Size, LoopIndex } kind = Kind::Let;
  std::string name;           // the source name (set by Scopes::declare)
  ir::Value *value = nullptr; // null for Size (use `dim`), or after an error (poison)
  Span decl;
  /// For size parameters: the symbol. For i64 lets whose value is a size expression: that dim.
  bool hasDim = false;
  ir::Dim dim;
  /// Scope depth of the innermost map (comprehension) body at declaration; assigning a var
  /// declared outside a map from inside it is an error.
  unsigned mapDepth = 0;
  /// A var whose initial value is made of integer literals only (`var s = 0;`, `var p = [0, 0];`,
  /// `var a = fill(0, N);`): it may turn out to be f64.
  bool intLiteralInit = false;
  /// A var whose initial value is a float literal (`var s = 0.0;`): it may turn out to be f32.
  bool floatLiteralInit = false;
};

class Scopes {
public:
  void push() { scopes_.emplace_back(); }
  void pop() { scopes_.pop_back(); }

  /// Declares in the innermost scope; returns the earlier binding of the same scope, if any.
  Binding *declare(const std::string &name, Binding b) {
    b.name = name;
    auto &s = scopes_.back();
    for (auto &[n, old] : s)
      if (n == name) {
        clash_ = old;
        old = b;
        return &clash_;
      }
    s.emplace_back(name, b);
    return nullptr;
  }

  Binding *lookup(const std::string &name) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      for (auto &[n, b] : *it)
        if (n == name)
          return &b;
    return nullptr;
  }

  /// Every visible `var` binding (innermost wins), in declaration order, for loop-carried values
  /// and branches. The order is deterministic so printed IR is stable.
  std::vector<Binding *> visibleVars() {
    std::vector<Binding *> out;
    for (auto &scope : scopes_)
      for (auto &[name, b] : scope)
        if (b.kind == Binding::Kind::Var && b.value && lookup(name) == &b)
          out.push_back(&b);
    return out;
  }

  /// Every visible binding that holds a value (not sizes), outermost first, shadowed ones left out.
  std::vector<std::pair<std::string, Binding *>> visibleValues() {
    std::vector<std::pair<std::string, Binding *>> out;
    for (auto &scope : scopes_)
      for (auto &[name, b] : scope)
        if (b.kind != Binding::Kind::Size && b.value && lookup(name) == &b)
          out.emplace_back(name, &b);
    return out;
  }

  /// Names of all visible bindings (for "did you mean" suggestions).
  std::vector<std::string> visibleNames() const {
    std::vector<std::string> out;
    for (auto &s : scopes_)
      for (auto &kv : s)
        out.push_back(kv.first);
    return out;
  }

private:
  // deque: bindings keep their addresses while later ones are declared.
  std::vector<std::deque<std::pair<std::string, Binding>>> scopes_;
  Binding clash_;
};

} // namespace diffc::sema
