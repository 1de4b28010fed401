//===- ImportContext.cpp - What an op importer sees of the import ---------===//

#include "frontend/ImportContext.h"

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/ShapeInference.h"
#include "frontend/ConstantFolding.h"

namespace kiln::frontend {

using onnx::AttributeProto;

std::string ImportState::freshName(const std::string &base) {
  std::string name = base;
  for (int i = 1; reserved.count(name) || values.count(name); ++i)
    name = fmt::format("{}.{}", base, i);
  reserved.insert(name);
  return name;
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

void NodeContext::fail(const std::string &msg) {
  if (error_)
    return;
  error_ = llvm::toString(nodeError(name_, opType(), msg));
}

llvm::Error NodeContext::takeError() {
  if (!error_)
    return llvm::Error::success();
  std::string msg = std::move(*error_);
  error_.reset();
  return inputError(msg);
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

bool NodeContext::hasInput(size_t i) const {
  return i < numInputs() && !proto_.input(int(i)).empty();
}

Value *NodeContext::optionalInput(size_t i) {
  if (failed() || !hasInput(i))
    return nullptr;
  auto it = state_.values.find(proto_.input(int(i)));
  // The driver checked that every input is defined before import.
  assert(it != state_.values.end() && "input not defined");
  return it->second;
}

Value *NodeContext::input(size_t i) {
  if (!failed() && !hasInput(i))
    failf("required input {} is missing", i);
  return optionalInput(i);
}

std::vector<Value *> NodeContext::allInputs() {
  std::vector<Value *> result;
  if (numInputs() == 0)
    fail("needs at least one input");
  for (size_t i = 0; i < numInputs(); ++i)
    result.push_back(input(i));
  return result;
}

void NodeContext::failNotConstant(const char *what, const Value &v, const char *why) {
  auto it = state_.foldFailures.find(&v);
  if (it != state_.foldFailures.end())
    failf("{} (input '{}') is not a constant: its producer {}", what,
          displayName(v.name), it->second);
  else
    failf("{} (input '{}') must be a constant{}", what, displayName(v.name), why);
}

std::vector<int64_t> NodeContext::constInts(size_t i, const char *what) {
  Value *v = input(i);
  if (!v)
    return {};
  if (!v->isConstant()) {
    failNotConstant(what, *v, "; kiln needs static shapes");
    return {};
  }
  if (DType t = v->type.dtype;
      t != DType::I64 && t != DType::I32 && t != DType::I8 && t != DType::U8) {
    failf("{} (input '{}') has element type {}, expected an integer type", what,
          displayName(v->name), dtypeName(v->type.dtype));
    return {};
  }
  if (v->type.rank() > 1) {
    failf("{} (input '{}') has rank {}, expected 1", what, displayName(v->name),
          v->type.rank());
    return {};
  }
  return v->constant->i64;
}

DType NodeContext::declaredType(size_t i) {
  Value *v = optionalInput(i);
  if (!v)
    return DType::F32;
  auto it = state_.declaredTypes.find(v);
  return it != state_.declaredTypes.end() ? it->second : v->type.dtype;
}

std::optional<double> NodeContext::constScalar(size_t i, const char *what) {
  Value *v = input(i);
  if (!v)
    return std::nullopt;
  if (!v->isConstant()) {
    failNotConstant(what, *v);
    return std::nullopt;
  }
  if (v->type.numElements() != 1) {
    failf("{} (input '{}') must have one element, has shape {}", what,
          displayName(v->name), v->type.str());
    return std::nullopt;
  }
  if (v->type.dtype == DType::F32)
    return double(v->constant->f32[0]);
  return double(v->constant->i64[0]);
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// The attribute's type; pre-IR-3 models may leave `type` unset, in which
/// case the populated field tells.
static int attrType(const AttributeProto &a) {
  if (a.type() != AttributeProto::UNDEFINED)
    return a.type();
  if (a.has_f()) return AttributeProto::FLOAT;
  if (a.has_i()) return AttributeProto::INT;
  if (a.has_s()) return AttributeProto::STRING;
  if (a.has_t()) return AttributeProto::TENSOR;
  if (a.has_g()) return AttributeProto::GRAPH;
  if (a.floats_size()) return AttributeProto::FLOATS;
  if (a.ints_size()) return AttributeProto::INTS;
  if (a.strings_size()) return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

static std::string attrTypeName(int t) {
  if (AttributeProto::AttributeType_IsValid(t))
    return AttributeProto::AttributeType_Name(AttributeProto::AttributeType(t));
  return fmt::format("<type {}>", t);
}

const AttributeProto *NodeContext::findAttr(const char *name) const {
  for (const AttributeProto &a : proto_.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

const AttributeProto *NodeContext::typedAttr(const char *name, int type) {
  const AttributeProto *a = findAttr(name);
  if (!a || failed())
    return nullptr;
  int actual = attrType(*a);
  // An empty list has no populated field to tell its type by.
  bool emptyList = actual == AttributeProto::UNDEFINED &&
                   (type == AttributeProto::INTS || type == AttributeProto::FLOATS);
  if (actual != type && !emptyList) {
    failf("attribute '{}' has type {}, expected {}", name, attrTypeName(actual),
          attrTypeName(type));
    return nullptr;
  }
  return a;
}

int64_t NodeContext::attrInt(const char *name, int64_t dflt) {
  const AttributeProto *a = typedAttr(name, AttributeProto::INT);
  return a ? a->i() : dflt;
}

double NodeContext::attrFloat(const char *name, double dflt) {
  const AttributeProto *a = typedAttr(name, AttributeProto::FLOAT);
  return a ? double(a->f()) : dflt;
}

std::string NodeContext::attrString(const char *name, const std::string &dflt) {
  const AttributeProto *a = typedAttr(name, AttributeProto::STRING);
  return a ? a->s() : dflt;
}

std::vector<int64_t> NodeContext::attrInts(const char *name, std::vector<int64_t> dflt) {
  const AttributeProto *a = typedAttr(name, AttributeProto::INTS);
  if (!a)
    return dflt;
  if (a->ints_size() > (1 << 20)) {
    failf("attribute '{}' has {} values, too many", name, a->ints_size());
    return dflt;
  }
  return {a->ints().begin(), a->ints().end()};
}

std::vector<double> NodeContext::attrFloats(const char *name, std::vector<double> dflt) {
  const AttributeProto *a = typedAttr(name, AttributeProto::FLOATS);
  if (!a)
    return dflt;
  return {a->floats().begin(), a->floats().end()};
}

std::optional<ConstantTensor> NodeContext::tensorAttr(const char *name) {
  const AttributeProto *a = typedAttr(name, AttributeProto::TENSOR);
  if (!a) {
    if (!failed())
      failf("required attribute '{}' is missing", name);
    return std::nullopt;
  }
  auto t = decodeTensor(a->t(), fmt::format("attribute '{}'", name),
                        state_.tensors);
  if (!t) {
    fail(llvm::toString(t.takeError()));
    return std::nullopt;
  }
  return std::move(*t);
}

int32_t NodeContext::tensorAttrDataType(const char *name) const {
  const AttributeProto *a = findAttr(name);
  return a && a->has_t() ? a->t().data_type() : int32_t(onnx::TensorProto::UNDEFINED);
}

bool NodeContext::requireAttr(const char *name) {
  if (!failed() && !hasAttr(name))
    failf("required attribute '{}' is missing", name);
  return !failed();
}

//===----------------------------------------------------------------------===//
// Outputs and building
//===----------------------------------------------------------------------===//

bool NodeContext::outputUsed(size_t i) const {
  return i < numOutputs() && !proto_.output(int(i)).empty() &&
         state_.used.count(proto_.output(int(i)));
}

void NodeContext::requireUnusedOutputs(size_t first, const char *what) {
  for (size_t i = first; i < numOutputs(); ++i)
    if (outputUsed(i))
      failf("output {} ('{}', {}) is used, which is not supported", i,
            displayName(proto_.output(int(i))), what);
}

void NodeContext::bind(size_t i, Value *v) {
  if (bound_.size() < numOutputs())
    bound_.resize(numOutputs());
  state_.values[proto_.output(int(i))] = v;
  bound_[i] = true;
}

Value *NodeContext::build(OpKind op, std::vector<Value *> inputs, Attrs attrs,
                          const std::string &valueName, const std::string &nodeName,
                          bool mayFold) {
  if (failed())
    return nullptr;
  for (Value *v : inputs)
    if (!v) {
      fail("an operand is missing");
      return nullptr;
    }
  // Infer on a detached node first: folded nodes never enter the graph.
  Node probe;
  probe.op = op;
  probe.name = nodeName;
  probe.inputs = inputs;
  probe.attrs = attrs;
  Value scratch;
  probe.outputs = {&scratch};
  auto types = inferResultTypes(probe);
  if (!types) {
    // Report against the ONNX node, with the shape inference's reason.
    std::string msg = llvm::toString(types.takeError());
    std::string prefix = llvm::toString(nodeError(nodeName, opName(op), ""));
    if (llvm::StringRef(msg).startswith(prefix))
      msg = msg.substr(prefix.size());
    fail(msg);
    return nullptr;
  }
  const TensorType &type = types->front();
  std::string foldFailure;
  if (mayFold)
    if (auto folded = foldNode(op, attrs, inputs, type, &foldFailure))
      return state_.graph.addConstant(valueName, folded->type, folded->data);
  Value *out = state_.graph.addValue(valueName, type);
  if (!foldFailure.empty())
    state_.foldFailures[out] = fmt::format("'{}' ({}) cannot evaluate its constant operands: {}",
                                           displayName(nodeName), opName(op), foldFailure);
  state_.graph.addNode(op, nodeName, std::move(inputs), {out}, std::move(attrs));
  return out;
}

Value *NodeContext::emit(OpKind op, std::vector<Value *> inputs, Attrs attrs) {
  if (failed())
    return nullptr;
  if (numOutputs() == 0 || proto_.output(0).empty()) {
    fail("output 0 has no name");
    return nullptr;
  }
  const std::string &outName = proto_.output(0);
  bool mayFold = !state_.graphOutputs.count(outName);
  Value *v = build(op, std::move(inputs), std::move(attrs), outName, name_, mayFold);
  if (v)
    bind(0, v);
  return v;
}

Value *NodeContext::emitOutput(size_t i, OpKind op, std::vector<Value *> inputs,
                               Attrs attrs, const std::string &suffix) {
  if (failed())
    return nullptr;
  if (i >= numOutputs() || proto_.output(int(i)).empty()) {
    failf("output {} has no name", i);
    return nullptr;
  }
  const std::string &outName = proto_.output(int(i));
  bool mayFold = !state_.graphOutputs.count(outName);
  Value *v = build(op, std::move(inputs), std::move(attrs), outName,
                   name_ + "." + suffix, mayFold);
  if (v)
    bind(i, v);
  return v;
}

Value *NodeContext::emitHelper(OpKind op, std::vector<Value *> inputs, Attrs attrs,
                               const std::string &suffix) {
  if (failed())
    return nullptr;
  std::string base = numOutputs() > 0 && !proto_.output(0).empty() ? proto_.output(0)
                                                                    : name_;
  return build(op, std::move(inputs), std::move(attrs),
               state_.freshName(base + "." + suffix), name_ + "." + suffix,
               /*mayFold=*/true);
}

Value *NodeContext::helperConstant(const ConstantTensor &t, const std::string &suffix) {
  if (failed())
    return nullptr;
  std::string base = numOutputs() > 0 && !proto_.output(0).empty() ? proto_.output(0)
                                                                    : name_;
  return state_.graph.addConstant(state_.freshName(base + "." + suffix), t.type, t.data);
}

void NodeContext::defineConstant(size_t i, const ConstantTensor &t) {
  if (failed())
    return;
  if (i >= numOutputs() || proto_.output(int(i)).empty()) {
    failf("output {} has no name", i);
    return;
  }
  bind(i, state_.graph.addConstant(proto_.output(int(i)), t.type, t.data));
}

} // namespace kiln::frontend
