//===- ImportContext.h - What an op importer sees of the import --*- C++ -*-===//
//
// Each ONNX op has one import function `void importX(NodeContext &)` that
// reads attributes with the spec's defaults, checks what kiln needs and
// emits canonical IR nodes. Errors are sticky: the first one is kept, and
// after it every accessor returns a harmless default and emit() does
// nothing, so import functions read like the spec instead of like error
// plumbing. The driver turns the kept error into an llvm::Error.
//
// emit() infers the result type and folds the node into a constant when all
// its operands are constants (Shape needs only a static operand shape), so
// the exporter's shape arithmetic never reaches the graph.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_IMPORTCONTEXT_H
#define KILN_FRONTEND_IMPORTCONTEXT_H

#include "compiler/ir/IR.h"
#include "frontend/Tensors.h"

#include "llvm/Support/Error.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kiln::frontend {

/// State shared by the whole import of one graph.
struct ImportState {
  Graph &graph;
  int64_t opset = 0;
  TensorSource tensors;
  /// ONNX value name -> IR value, for everything defined so far.
  std::unordered_map<std::string, Value *> values;
  /// ONNX names read by some node or exported by the graph.
  std::unordered_set<std::string> used;
  /// Graph output names: never folded away, so outputs stay computed.
  std::unordered_set<std::string> graphOutputs;
  /// Every ONNX value name in the model; helper values avoid them.
  std::unordered_set<std::string> reserved;

  explicit ImportState(Graph &g) : graph(g) {}
  /// A fresh value name derived from `base`, clashing with no ONNX name.
  std::string freshName(const std::string &base);
};

class NodeContext {
public:
  NodeContext(ImportState &state, const onnx::NodeProto &proto, std::string name)
      : state_(state), proto_(proto), name_(std::move(name)) {}

  int64_t opset() const { return state_.opset; }
  const std::string &name() const { return name_; }
  const std::string &opType() const { return proto_.op_type(); }

  //===--- Errors ---------------------------------------------------------===//
  /// Records `msg` as this node's error unless one is already recorded.
  void fail(const std::string &msg);
  template <typename... Args>
  void failf(fmt::format_string<Args...> f, Args &&...args) {
    fail(fmt::format(f, std::forward<Args>(args)...));
  }
  /// Records an unsupported feature (same as fail, worded for the user).
  void unsupported(const std::string &what) { fail(what + " is not supported"); }
  bool failed() const { return error_.has_value(); }
  /// The recorded error as "node '<name>' (<Op>): <msg>", or success.
  llvm::Error takeError();

  //===--- Inputs ---------------------------------------------------------===//
  /// Number of inputs, counting absent optional ones ("") in the middle.
  size_t numInputs() const { return size_t(proto_.input_size()); }
  bool hasInput(size_t i) const;
  /// A required input; records an error when it is absent.
  Value *input(size_t i);
  /// An optional input, null when absent.
  Value *optionalInput(size_t i);
  /// Every input, all required (Sum, Concat).
  std::vector<Value *> allInputs();
  /// The values of a constant integer input, e.g. Reshape's shape. Records
  /// an error naming `what` when the input is not a constant.
  std::vector<int64_t> constInts(size_t i, const char *what);
  /// A constant scalar (one element) input as a double, e.g. Clip's min.
  std::optional<double> constScalar(size_t i, const char *what);

  //===--- Attributes -----------------------------------------------------===//
  bool hasAttr(const char *name) const { return findAttr(name) != nullptr; }
  int64_t attrInt(const char *name, int64_t dflt);
  double attrFloat(const char *name, double dflt);
  std::string attrString(const char *name, const std::string &dflt);
  std::vector<int64_t> attrInts(const char *name, std::vector<int64_t> dflt = {});
  std::vector<double> attrFloats(const char *name, std::vector<double> dflt = {});
  /// A TENSOR attribute decoded with the model's limits; nullopt (with an
  /// error) when it is absent, mistyped or malformed.
  std::optional<ConstantTensor> tensorAttr(const char *name);
  /// Records an error when a required attribute is absent.
  bool requireAttr(const char *name);

  //===--- Outputs --------------------------------------------------------===//
  size_t numOutputs() const { return size_t(proto_.output_size()); }
  /// Whether output i exists and something reads it (or the graph exports it).
  bool outputUsed(size_t i) const;
  /// Records an error when any output from `first` on is used.
  void requireUnusedOutputs(size_t first, const char *what);

  //===--- Building -------------------------------------------------------===//
  /// Emits `op` producing ONNX output 0 (named after it). Returns null after
  /// an error.
  Value *emit(OpKind op, std::vector<Value *> inputs, Attrs attrs = {});
  /// Emits `op` producing ONNX output `i` of a multi-output ONNX op, as its
  /// own node named "<node>.<suffix>". Returns null after an error.
  Value *emitOutput(size_t i, OpKind op, std::vector<Value *> inputs, Attrs attrs,
                    const std::string &suffix);
  /// Emits a helper node whose result is not an ONNX value (e.g. the Reshape
  /// of a legacy broadcast); `suffix` names it.
  Value *emitHelper(OpKind op, std::vector<Value *> inputs, Attrs attrs,
                    const std::string &suffix);
  /// A constant that is not an ONNX value (a default zero point); `suffix`
  /// names it. Null after an error.
  Value *constantHelper(const ConstantTensor &t, const std::string &suffix);
  /// Binds ONNX output `i` to a new constant.
  void defineConstant(size_t i, const ConstantTensor &t);

  /// Names of ONNX outputs the import function bound.
  const std::vector<bool> &boundOutputs() const { return bound_; }

private:
  ImportState &state_;
  const onnx::NodeProto &proto_;
  std::string name_;
  std::optional<std::string> error_;
  std::vector<bool> bound_;

  const onnx::AttributeProto *findAttr(const char *name) const;
  const onnx::AttributeProto *typedAttr(const char *name, int type);
  Value *build(OpKind op, std::vector<Value *> inputs, Attrs attrs,
               const std::string &valueName, const std::string &nodeName,
               bool mayFold);
  void bind(size_t i, Value *v);
};

} // namespace kiln::frontend

#endif // KILN_FRONTEND_IMPORTCONTEXT_H
