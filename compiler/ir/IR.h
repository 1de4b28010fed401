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
#define OP(Name, Onnx, MinIn, MaxIn, Out) Name,
#include "compiler/ir/Ops.def"
};

/// The ONNX op type ("Conv"); kiln-internal ops are prefixed "kiln.".
const char *opName(OpKind op);
/// Lookup by ONNX op type; false when kiln has no such op.
bool opFromName(std::string_view onnxType, OpKind &op);
int opMinInputs(OpKind op);
int opMaxInputs(OpKind op); // -1: variadic
int opNumOutputs(OpKind op);

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
  const std::vector<double> &getFloats(const std::string &name) const;

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
/// matching the value's dtype (F32 -> f32, I64 -> i64, Bool -> i64 holding 0
/// or 1). Shared, never copied: VGG-16 carries 553 MB of these.
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
