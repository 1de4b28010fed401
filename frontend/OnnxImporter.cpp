//===- OnnxImporter.cpp - ONNX model file to kiln IR ----------------------===//
//
// The driver: reads and parses the file, checks the opset, turns graph
// inputs and initializers into values, checks the node list as a whole
// (every op supported, every input defined, every value produced once, no
// cycles), then imports the nodes in topological order through the per-op
// functions of OpImporters.h and verifies the result.
//
//===----------------------------------------------------------------------===//

#include "frontend/OnnxImporter.h"

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/Verifier.h"
#include "frontend/InputShapes.h"
#include "frontend/OpImporters.h"

#include "onnx/defs/schema.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <deque>
#include <set>

namespace kiln {

using namespace frontend;

namespace {

/// The newest opset of the default domain whose semantics kiln implements
/// (what ONNX 1.12, the library kiln is built against, knows).
constexpr int64_t MaxOpset = 17;
/// IR versions kiln reads: 3 (ONNX 1.0, the first with opset_import) to 10
/// (ONNX 1.16). ONNX Runtime refuses versions it does not know; so does kiln.
constexpr int64_t MinIrVersion = 3, MaxIrVersion = 10;

/// Control flow carries subgraphs, which kiln does not import: named before
/// anything else about such a node (its bool condition, its inputs) is judged.
bool isControlFlow(const std::string &op) {
  return op == "If" || op == "Loop" || op == "Scan" || op == "SequenceMap";
}

bool isDefaultDomain(const std::string &d) { return d.empty() || d == "ai.onnx"; }

class GraphImporter {
public:
  GraphImporter(const onnx::GraphProto &g, int64_t opset, const std::string &baseDir,
                const ImportOptions &opts)
      : proto_(g), opts_(opts), graph_(std::make_unique<Graph>()), state_(*graph_) {
    state_.opset = opset;
    state_.tensors.baseDir = baseDir;
  }

  llvm::Expected<std::unique_ptr<Graph>> run();
  /// How each graph input was bound (after run()).
  std::vector<InputBinding> &bindings() { return bindings_; }

private:
  const onnx::GraphProto &proto_;
  const ImportOptions &opts_;
  std::unique_ptr<Graph> graph_;
  ImportState state_;
  std::vector<std::string> nodeNames_;
  std::vector<int> order_;
  std::vector<InputBinding> bindings_;

  std::string nodeLabel(int i) const {
    const auto &n = proto_.node(i);
    std::string op = isDefaultDomain(n.domain()) ? n.op_type()
                                                 : n.domain() + ":" + n.op_type();
    return fmt::format("node '{}' ({})", displayName(nodeNames_[i]), displayName(op));
  }
  llvm::Error checkOps();
  llvm::Error checkSchema(int i) const;
  llvm::Error importConstantsAndInputs();
  llvm::Error checkNodes();
  llvm::Error sortNodes();
  llvm::Error importNodes();
  llvm::Error bindOutputs();
};

/// The ops before anything else: every node named, control flow first, then
/// every unsupported op at once, so the user learns the whole list.
llvm::Error GraphImporter::checkOps() {
  int n = proto_.node_size();
  if (n > limits::MaxNodes)
    return inputError(fmt::format("graph has {} nodes, more than the limit of {}", n,
                                  limits::MaxNodes));
  for (int i = 0; i < n; ++i) {
    const auto &node = proto_.node(i);
    nodeNames_.push_back(node.name().empty()
                             ? fmt::format("{}_{}", node.op_type(), i)
                             : node.name());
  }
  std::vector<std::string> controlFlow, unsupported;
  for (int i = 0; i < n; ++i) {
    const auto &node = proto_.node(i);
    if (isDefaultDomain(node.domain()) && isControlFlow(node.op_type()))
      controlFlow.push_back(nodeLabel(i));
    else if (!isDefaultDomain(node.domain()) || !findOpImporter(node.op_type()))
      unsupported.push_back(nodeLabel(i));
  }
  if (!controlFlow.empty())
    return inputError(fmt::format("control flow (subgraphs) is not supported: {}",
                                  fmt::join(controlFlow, ", ")));
  if (!unsupported.empty())
    return inputError(fmt::format("unsupported ops: {}", fmt::join(unsupported, ", ")));
  return llvm::Error::success();
}

/// Node i against ONNX's own schema of its op at the model's opset: input and
/// output counts, attributes named once, typed, and of the op's type where the
/// op knows them (ONNX Runtime refuses the same files).
llvm::Error GraphImporter::checkSchema(int i) const {
  const auto &node = proto_.node(i);
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), int(state_.opset), "");
  if (!schema)
    return inputError(fmt::format("{}: the op does not exist in opset {}", nodeLabel(i),
                                  state_.opset));
  auto count = [&](const char *what, int have, int lo, int hi) -> llvm::Error {
    if (have >= lo && have <= hi)
      return llvm::Error::success();
    std::string want = lo == hi ? fmt::to_string(lo)
                       : hi >= (1 << 30) ? fmt::format("at least {}", lo)
                                          : fmt::format("{} to {}", lo, hi);
    return inputError(fmt::format("{}: has {} {}, the op takes {} (opset {})",
                                  nodeLabel(i), have, what, want, state_.opset));
  };
  if (auto e = count("inputs", node.input_size(), schema->min_input(),
                     schema->max_input()))
    return e;
  if (auto e = count("outputs", node.output_size(), schema->min_output(),
                     schema->max_output()))
    return e;
  std::unordered_set<std::string> seen;
  for (const auto &a : node.attribute()) {
    std::string what = fmt::format("{}: attribute '{}'", nodeLabel(i), displayName(a.name()));
    if (a.name().empty())
      return inputError(fmt::format("{}: an attribute has no name", nodeLabel(i)));
    if (!seen.insert(a.name()).second)
      return inputError(what + " is given twice");
    if (a.type() == onnx::AttributeProto::UNDEFINED)
      return inputError(what + " has no type (UNDEFINED)");
    // Attributes the op does not know are left alone: older exporters write
    // legacy ones (BatchNormalization's is_test) that importers ignore.
    auto it = schema->attributes().find(a.name());
    if (it != schema->attributes().end() && it->second.type != a.type())
      return inputError(fmt::format(
          "{} has type {}, expected {}", what,
          onnx::AttributeProto::AttributeType_Name(a.type()),
          onnx::AttributeProto::AttributeType_Name(it->second.type)));
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::importConstantsAndInputs() {
  if (proto_.sparse_initializer_size() > 0)
    return inputError("sparse initializers are not supported");
  for (const auto &t : proto_.initializer()) {
    std::string what = fmt::format("initializer '{}'", displayName(t.name()));
    if (t.name().empty())
      return inputError("an initializer has no name");
    if (state_.values.count(t.name()))
      return inputError(what + " is defined twice");
    auto c = decodeTensor(t, what, state_.tensors);
    if (!c)
      return c.takeError();
    state_.values[t.name()] = graph_->addConstant(t.name(), c->type, c->data);
  }
  std::set<std::string> initializers;
  for (const auto &t : proto_.initializer())
    initializers.insert(t.name());
  auto binder = InputShapeBinder::create(proto_, initializers, opts_);
  if (!binder)
    return binder.takeError();
  std::unordered_set<std::string> seen;
  for (const auto &vi : proto_.input()) {
    if (vi.name().empty())
      return inputError("a graph input has no name");
    if (!seen.insert(vi.name()).second)
      return inputError(
          fmt::format("graph input '{}' is declared twice", displayName(vi.name())));
    if (state_.values.count(vi.name()))
      continue; // an initializer: a constant, not an input
    InputBinding binding;
    auto type = binder->bind(vi, binding);
    if (!type)
      return type.takeError();
    bindings_.push_back(std::move(binding));
    Value *v = graph_->addValue(vi.name(), *type);
    graph_->inputs.push_back(v);
    state_.values[vi.name()] = v;
  }
  for (auto &[name, v] : state_.values)
    state_.reserved.insert(name);
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkNodes() {
  int n = proto_.node_size();
  for (int i = 0; i < n; ++i)
    if (auto e = checkSchema(i))
      return e;

  // Each value is defined once: by an input, an initializer or one node.
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string &out : proto_.node(i).output()) {
      if (out.empty())
        continue;
      if (state_.values.count(out))
        return inputError(fmt::format("{}: output '{}' is also a graph input or "
                                      "initializer",
                                      nodeLabel(i), displayName(out)));
      auto [it, fresh] = producer.emplace(out, i);
      if (!fresh)
        return inputError(fmt::format("value '{}' is produced twice: by {} and by {}",
                                      displayName(out), nodeLabel(it->second),
                                      nodeLabel(i)));
      state_.reserved.insert(out);
    }
  }
  for (int i = 0; i < n; ++i)
    for (const std::string &in : proto_.node(i).input()) {
      if (in.empty())
        continue;
      if (!state_.values.count(in) && !producer.count(in))
        return inputError(fmt::format("{}: input '{}' is not defined", nodeLabel(i),
                                      displayName(in)));
      state_.used.insert(in);
    }
  if (proto_.output_size() == 0)
    return inputError("graph has no outputs");
  for (const auto &vi : proto_.output()) {
    if (!state_.values.count(vi.name()) && !producer.count(vi.name()))
      return inputError(
          fmt::format("graph output '{}' is not defined", displayName(vi.name())));
    state_.used.insert(vi.name());
    state_.graphOutputs.insert(vi.name());
  }

  // Kahn's algorithm over node indices, taking ready nodes in file order.
  std::vector<int> pending(size_t(n), 0);
  std::unordered_map<std::string, std::vector<int>> readers;
  for (int i = 0; i < n; ++i)
    for (const std::string &in : proto_.node(i).input())
      if (!in.empty() && producer.count(in)) {
        ++pending[size_t(i)];
        readers[in].push_back(i);
      }
  std::deque<int> ready;
  for (int i = 0; i < n; ++i)
    if (pending[size_t(i)] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order_.push_back(i);
    for (const std::string &out : proto_.node(i).output()) {
      auto it = readers.find(out);
      if (out.empty() || it == readers.end())
        continue;
      for (int r : it->second)
        if (--pending[size_t(r)] == 0)
          ready.push_back(r);
    }
  }
  if (int(order_.size()) != n) {
    for (int i = 0; i < n; ++i)
      if (pending[size_t(i)] != 0)
        return inputError(fmt::format("graph has a cycle through {}", nodeLabel(i)));
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::importNodes() {
  for (int i : order_) {
    const auto &node = proto_.node(i);
    NodeContext ctx(state_, node, nodeNames_[size_t(i)]);
    findOpImporter(node.op_type())(ctx);
    if (!ctx.failed()) {
      const auto &bound = ctx.boundOutputs();
      for (size_t o = 0; o < ctx.numOutputs(); ++o)
        if (ctx.outputUsed(o) && (o >= bound.size() || !bound[o]))
          ctx.failf("output {} ('{}') is used, which is not supported", o,
                    displayName(node.output(int(o))));
    }
    if (auto e = ctx.takeError())
      return e;
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::bindOutputs() {
  for (const auto &vi : proto_.output()) {
    auto it = state_.values.find(vi.name());
    if (it == state_.values.end())
      return inputError(
          fmt::format("graph output '{}' is not defined", displayName(vi.name())));
    graph_->outputs.push_back(it->second);
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Graph>> GraphImporter::run() {
  graph_->name = proto_.name();
  if (opts_.batch && *opts_.batch <= 0)
    return inputError(fmt::format("batch size {} must be positive", *opts_.batch));
  if (auto e = checkOps())
    return e;
  if (auto e = importConstantsAndInputs())
    return e;
  if (auto e = checkNodes())
    return e;
  if (auto e = importNodes())
    return e;
  if (auto e = bindOutputs())
    return e;
  // Nodes were emitted in dependency order; this only confirms it.
  if (!graph_->topologicalSort())
    return inputError("graph has a cycle");
  // Folding left shape constants nobody reads.
  graph_->removeUnusedValues();
  if (auto e = verifyGraph(*graph_))
    return e;
  return std::move(graph_);
}

} // namespace

llvm::Expected<std::unique_ptr<Graph>> importOnnxBytes(const void *data, size_t size,
                                                       const std::string &baseDir,
                                                       const ImportOptions &opts,
                                                       std::vector<InputBinding> *bindings) {
  if (size > size_t(limits::MaxFileBytes))
    return inputError(fmt::format("model is {} bytes, more than the limit of {}", size,
                                  limits::MaxFileBytes));
  if (size > size_t(INT_MAX))
    return inputError(fmt::format("model is {} bytes; protobuf cannot parse more than "
                                  "2 GiB: store the weights as external data",
                                  size));
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, int(size)))
    return inputError("not an ONNX model: the protobuf does not parse as a ModelProto");
  if (!model.has_graph())
    return inputError("not an ONNX model: it has no graph");

  if (model.ir_version() < MinIrVersion || model.ir_version() > MaxIrVersion)
    return inputError(fmt::format("ir_version {} is not supported (kiln reads {} to {})",
                                  model.ir_version(), MinIrVersion, MaxIrVersion));
  int64_t opset = -1;
  bool found = false;
  for (const auto &imp : model.opset_import())
    if (isDefaultDomain(imp.domain())) {
      if (found)
        return inputError("opset_import names the default domain twice");
      found = true;
      opset = imp.version();
    }
  if (!found)
    return inputError("the model does not import the default ONNX opset "
                      "(opset_import has no entry for domain \"\")");
  if (opset < 1 || opset > MaxOpset)
    return inputError(fmt::format("ONNX opset {} is not supported (kiln supports "
                                  "opsets 1 to {})",
                                  opset, MaxOpset));
  GraphImporter importer(model.graph(), opset, baseDir, opts);
  auto graph = importer.run();
  if (graph && bindings)
    *bindings = std::move(importer.bindings());
  return graph;
}

llvm::Expected<std::unique_ptr<Graph>> importOnnxFile(const std::string &path,
                                                      const ImportOptions &opts,
                                                      std::vector<InputBinding> *bindings) {
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(path, st))
    return inputError(fmt::format("cannot open '{}': {}", displayName(path), ec.message()));
  if (!llvm::sys::fs::is_regular_file(st))
    return inputError(fmt::format("'{}' is not a regular file", displayName(path)));
  if (st.getSize() > uint64_t(limits::MaxFileBytes))
    return inputError(fmt::format("model is {} bytes, more than the limit of {}",
                                  st.getSize(), limits::MaxFileBytes));
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return inputError(fmt::format("cannot read '{}': {}", displayName(path),
                                  buf.getError().message()));
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(path));
  if (dir.empty())
    dir = ".";
  return importOnnxBytes((*buf)->getBufferStart(), (*buf)->getBufferSize(),
                         std::string(dir.str()), opts, bindings);
}

} // namespace kiln
