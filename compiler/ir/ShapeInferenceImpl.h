//===- ShapeInferenceImpl.h - Shape inference internals --------*- C++ -*-===//
//
// Shared by the ShapeInference*.cpp files only: the Inferrer (one method per
// op family, each with the node at hand for its error messages) and its
// helpers. Not part of the IR's interface: that is ShapeInference.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_SHAPEINFERENCEIMPL_H
#define KILN_IR_SHAPEINFERENCEIMPL_H

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/ShapeInference.h"

#include <span>
#include <string>
#include <variant>
#include <vector>

namespace kiln::shape_inference {

using TypeList = std::vector<TensorType>;

inline std::string dimsStr(const Dims &d) { return fmt::format("[{}]", fmt::join(d, ",")); }

inline bool checkedAdd(int64_t a, int64_t b, int64_t &r) { return !__builtin_add_overflow(a, b, &r); }
inline bool checkedMul(int64_t a, int64_t b, int64_t &r) { return !__builtin_mul_overflow(a, b, &r); }

/// Reads the operands of a node that belong to the op itself, i.e. without the
/// extra operands appended by fused Adds.
struct Operands {
  std::vector<const Value *> values;
  size_t size() const { return values.size(); }
  const Value *operator[](size_t i) const { return i < values.size() ? values[i] : nullptr; }
  const TensorType &type(size_t i) const { return values[i]->type; }
};

/// The node being inferred and its own operands, with the checks every rule
/// uses; errors name the node.
class Inferrer {
public:
  explicit Inferrer(const Node &n) : node(n) {}

  llvm::Expected<TypeList> run();

  const Node &node;
  Operands in;

  llvm::Error err(const std::string &msg) const { return nodeError(node, msg); }
  template <typename... Args>
  llvm::Error errf(fmt::format_string<Args...> f, Args &&...args) const {
    return nodeError(node, fmt::format(f, std::forward<Args>(args)...));
  }

  // Attribute access that reports missing/mistyped attributes as errors
  // rather than asserting: shape inference also guards the importer.
  llvm::Error needInt(const Attrs &a, const char *name, int64_t &out) const;
  llvm::Error needFloat(const Attrs &a, const char *name, double &out) const;
  llvm::Error needInts(const Attrs &a, const char *name, size_t len,
                       std::vector<int64_t> &out) const;

  /// The attributes an activation needs (Activations.def), as a node or as a
  /// fused epilogue; the other ops have none.
  llvm::Error needActivationAttrs(OpKind op, const Attrs &a) const;

  llvm::Error requireF32(size_t i, const char *what) const;
  llvm::Error requireRank(size_t i, const char *what, int64_t rank) const;

private:
  llvm::Expected<TensorType> inferOp();
  llvm::Error applyFusion(const Fusion &f, TensorType &t) const;
};

/// The result type of one op: its shape rule.
using ShapeRule = llvm::Expected<TensorType> (*)(const Inferrer &s);

/// One row of a family's table: the op and its rule.
struct OpShapeRule {
  OpKind op;
  ShapeRule infer;
};

/// Each ShapeInference*.cpp file ends with the table of the ops it infers;
/// ShapeInference.cpp merges them.
std::span<const OpShapeRule> nnShapeRules();
std::span<const OpShapeRule> tensorShapeRules();
std::span<const OpShapeRule> movementShapeRules(); // ShapeInferenceMovement.cpp
std::span<const OpShapeRule> quantShapeRules();

/// MaxPool/AveragePool over `x` with attributes `a`: a node's rule, and a
/// fused pool's.
llvm::Expected<TensorType> inferPool(const Inferrer &s, OpKind op, const Attrs &a,
                                     const TensorType &x);

template <typename T>
inline bool getAttr(const Attrs &a, const char *name, const T *&out) {
  auto it = a.all().find(name);
  if (it == a.all().end() || !std::holds_alternative<T>(it->second))
    return false;
  out = &std::get<T>(it->second);
  return true;
}

} // namespace kiln::shape_inference

// Propagates an llvm::Error out of the enclosing function.
#define KILN_TRY(expr)                                                         \
  do {                                                                         \
    if (llvm::Error e_ = (expr))                                               \
      return e_;                                                               \
  } while (false)

#endif // KILN_IR_SHAPEINFERENCEIMPL_H
