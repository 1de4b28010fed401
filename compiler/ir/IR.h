//===- IR.h - kiln's graph IR: Graph, Node, Value ---------------*- C++ -*-===//
//
// A Graph owns Values and Nodes. Nodes are kept in topological order; every
// Value is produced by exactly one Node, or is a graph input, or is a
// constant (initializer). All shapes are static.
//
// Attributes are canonical: the importer writes every attribute an op has,
// with the spec's defaults filled in and ONNX's variants (auto_pad, opset
// differences, inputs that carry attributes) resolved, so passes, the
// interpreter and the code generator each read one form.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_IR_H
#define KILN_IR_IR_H

#include "compiler/ir/Types.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiln {

enum class OpKind : uint16_t {
#define OP(Name, Onnx, MinIn, MaxIn, Out, Family, Flags) Name,
#include "compiler/ir/Ops.def"
};

/// How many ops Ops.def declares: the size of every table indexed by OpKind.
inline constexpr size_t NumOpKinds = 0
#define OP(Name, Onnx, MinIn, MaxIn, Out, Family, Flags) +1
#include "compiler/ir/Ops.def"
    ;

/// What kind of computation an op is (Ops.def). The families Activation and
/// ElementwiseBinary are handled generically, by the op's row alone.
enum class OpFamily : uint8_t {
  Conv,
  Pool,
  Normalization,
  Dense,
  ElementwiseBinary,
  Activation, ///< elementwise unary f32, fusable; declared in Activations.def
  Reduction,  ///< Reduce* over axes; declared in Reductions.def
  DataMovement,
  ShapeArithmetic,
  Quantization, ///< QuantizeLinear, DequantizeLinear (docs/INT8.md)
  Internal,
};

/// Properties of an op (Ops.def says what each means).
namespace opflag {
enum : uint32_t {
  F32 = 1u << 0,
  Blockable = 1u << 1,
  SameBytes = 1u << 2,
  Identity = 1u << 3,
  Epilogue = 1u << 4,
};
} // namespace opflag

/// An op's row of Ops.def.
struct OpInfo {
  const char *name; ///< the ONNX op type ("Conv"); kiln's own are "kiln.*"
  int minInputs, maxInputs, outputs; ///< maxInputs -1: variadic
  OpFamily family;
  uint32_t flags;

  bool is(OpFamily f) const { return family == f; }
  bool has(uint32_t flag) const { return (flags & flag) == flag; }
  bool isActivation() const { return family == OpFamily::Activation; }
  bool isElementwiseBinary() const { return family == OpFamily::ElementwiseBinary; }
  bool f32Only() const { return has(opflag::F32); }
  bool blockable() const { return has(opflag::Blockable); }
  bool sameBytes() const { return has(opflag::SameBytes); }
  bool isIdentity() const { return has(opflag::Identity); }
  bool acceptsEpilogue() const { return has(opflag::Epilogue); }
};

const OpInfo &opInfo(OpKind op);

/// An activation's row of Activations.def: its kernel ABI code
/// (KilnActivation) and the attributes carried as the epilogue parameters a
/// and b ("" when absent), with the spec's defaults.
struct ActivationInfo {
  int64_t code;
  const char *attrA;
  double defaultA;
  const char *attrB;
  double defaultB;
  /// Fusion passes may put it into a Conv/Gemm/MatMul epilogue (rows other
  /// than UNFUSED_ACTIVATION in Activations.def).
  bool fuses;
};

/// Null for ops that are not activations.
const ActivationInfo *activationInfo(OpKind op);
inline bool isActivation(OpKind op) { return opInfo(op).isActivation(); }

/// The ONNX op type ("Conv"); kiln-internal ops are prefixed "kiln.".
inline const char *opName(OpKind op) { return opInfo(op).name; }
inline int opMinInputs(OpKind op) { return opInfo(op).minInputs; }
inline int opMaxInputs(OpKind op) { return opInfo(op).maxInputs; } // -1: variadic
inline int opNumOutputs(OpKind op) { return opInfo(op).outputs; }

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

using AttrValue = std::variant<int64_t, double, std::string,
                               std::vector<int64_t>, std::vector<double>>;

/// Ordered, so that printing is deterministic.
class Attrs {
public:
  void set(const std::string &name, AttrValue v) { map_[name] = std::move(v); }
  bool has(const std::string &name) const { return map_.count(name) != 0; }
  void erase(const std::string &name) { map_.erase(name); }

  /// Typed getters; assert that the attribute exists with that type (the
  /// importer guarantees canonical attributes).
  int64_t getInt(const std::string &name) const;
  double getFloat(const std::string &name) const;
  const std::string &getString(const std::string &name) const;
  const std::vector<int64_t> &getInts(const std::string &name) const;

  int64_t getInt(const std::string &name, int64_t dflt) const;
  double getFloat(const std::string &name, double dflt) const;

  const std::map<std::string, AttrValue> &all() const { return map_; }
  bool operator==(const Attrs &o) const { return map_ == o.map_; }

private:
  std::map<std::string, AttrValue> map_;
};

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Immutable payload of a constant value. Exactly one of the vectors is used,
/// matching the value's dtype (F32 -> f32; I64, I32, I8 and U8 -> i64 holding
/// a value of the type; Bool -> i64 holding 0 or 1). Shared, never copied: VGG-16 carries 553 MB of these.
struct ConstantData {
  std::vector<float> f32;
  std::vector<int64_t> i64;
};

class Node;

//===----------------------------------------------------------------------===//
// Value
//===----------------------------------------------------------------------===//

class Value {
public:
  std::string name;
  TensorType type;
  Node *producer = nullptr; // null for graph inputs and constants
  std::shared_ptr<const ConstantData> constant; // set for constants

  // Decided by passes; read by the code generator.
  Layout layout;
  /// Offset in the workspace arena, or -1 when the value is not in the arena
  /// (graph inputs, outputs and constants).
  int64_t offset = -1;
  /// A view shares its storage with another value (Reshape, Flatten).
  Value *viewOf = nullptr;

  bool isConstant() const { return constant != nullptr; }
  const float *f32() const { return constant->f32.data(); }
  const int64_t *i64() const { return constant->i64.data(); }
};

//===----------------------------------------------------------------------===//
// Node
//===----------------------------------------------------------------------===//

/// An operation absorbed into a node's epilogue by a fusion pass. Extra
/// operands (the shortcut of a residual Add) are appended to the node's
/// inputs; attrs["input"] holds the index of that operand.
struct Fusion {
  OpKind op;
  Attrs attrs;
  bool operator==(const Fusion &o) const = default;
};

class Node {
public:
  OpKind op;
  std::string name;
  std::vector<Value *> inputs;
  std::vector<Value *> outputs;
  Attrs attrs;
  std::vector<Fusion> fused;

  Value *input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  Value *output(size_t i = 0) const { return outputs[i]; }
  bool hasFusion(OpKind op) const;
};

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

class Graph {
public:
  std::string name;
  std::vector<Value *> inputs;
  std::vector<Value *> outputs;
  /// Total bytes of the workspace arena, set by memory planning.
  int64_t workspaceBytes = 0;

  Value *addValue(std::string name, TensorType type);
  Value *addConstant(std::string name, TensorType type,
                     std::shared_ptr<const ConstantData> data);
  /// Appends a node; its outputs must be fresh values. Sets their producer.
  Node *addNode(OpKind op, std::string name, std::vector<Value *> inputs,
                std::vector<Value *> outputs, Attrs attrs = {});
  /// Inserts a node right before `before` (which must be in the graph).
  Node *insertNodeBefore(Node *before, OpKind op, std::string name,
                         std::vector<Value *> inputs,
                         std::vector<Value *> outputs, Attrs attrs = {});

  /// Nodes in topological order.
  const std::vector<std::unique_ptr<Node>> &nodes() const { return nodes_; }
  const std::vector<std::unique_ptr<Value>> &values() const { return values_; }

  /// Every use of `from` (node inputs and graph outputs) becomes `to`.
  void replaceAllUsesWith(Value *from, Value *to);
  /// Nodes that read v, in graph order (a node reading v twice appears once).
  std::vector<Node *> users(const Value *v) const;
  bool isGraphOutput(const Value *v) const;

  /// Removes nodes for which pred is true; their outputs must be unused.
  template <typename Pred> void eraseNodesIf(Pred pred) {
    std::erase_if(nodes_, [&](const std::unique_ptr<Node> &n) { return pred(*n); });
    removeUnusedValues();
  }
  /// Drops values nobody produces, reads or exports (keeps graph inputs).
  void removeUnusedValues();
  /// Re-sorts nodes topologically (stable: keeps the existing order where it
  /// is already valid). Returns false when the graph has a cycle.
  bool topologicalSort();
  /// A name not yet used by any value, derived from `base`.
  std::string uniqueValueName(const std::string &base) const;

private:
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

} // namespace kiln

#endif // KILN_IR_IR_H
