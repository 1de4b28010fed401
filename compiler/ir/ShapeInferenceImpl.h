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

/// Shared by the checks below: the node being inferred, for error messages.
class Inferrer {
public:
  explicit Inferrer(const Node &n) : n_(n) {}

  llvm::Expected<TypeList> run();

private:
  const Node &n_;
  Operands in_;

  llvm::Error err(const std::string &msg) const { return nodeError(n_, msg); }
  template <typename... Args>
  llvm::Error errf(fmt::format_string<Args...> f, Args &&...args) const {
    return nodeError(n_, fmt::format(f, std::forward<Args>(args)...));
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

  llvm::Expected<TensorType> inferOp();
  llvm::Expected<TensorType> conv();
  llvm::Expected<TensorType> pool(OpKind op, const Attrs &a, const TensorType &x) const;
  llvm::Expected<TensorType> maxPoolIndices();
  llvm::Expected<TensorType> globalPool();
  llvm::Expected<TensorType> lrn();
  llvm::Expected<TensorType> batchNorm();
  llvm::Expected<TensorType> gemm();
  llvm::Expected<TensorType> matMul();
  llvm::Expected<TensorType> elementwise();
  llvm::Expected<TensorType> unary();
  llvm::Expected<TensorType> softmax();
  llvm::Expected<TensorType> flatten();
  llvm::Expected<TensorType> reshape();
  llvm::Expected<TensorType> transpose();
  llvm::Expected<TensorType> concat();
  llvm::Expected<TensorType> pad();
  llvm::Expected<TensorType> shape();
  llvm::Expected<TensorType> gather();
  llvm::Expected<TensorType> unsqueeze();
  llvm::Expected<TensorType> squeeze();
  llvm::Expected<TensorType> cast();
  llvm::Expected<TensorType> scaleShift();
  llvm::Error applyFusion(const Fusion &f, TensorType &t) const;
};

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
