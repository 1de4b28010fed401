//===- ShapeInference.cpp - Result types of every op ----------------------===//
//
// One function per op family, each reading the canonical form of docs/IR.md:
// the network ops in ShapeInferenceNN.cpp, the data-movement ops in
// ShapeInferenceTensor.cpp; here the attribute helpers, the dispatch, the
// fused epilogues and the public entry points. Every check that can fail on
// user input returns a nodeError; nothing here asserts on operand shapes,
// because the importer calls this on nodes built straight from an untrusted
// model.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/OpDispatch.h"
#include "compiler/ir/ShapeInferenceImpl.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace kiln {

namespace shape_inference {

llvm::Error Inferrer::needInt(const Attrs &a, const char *name, int64_t &out) const {
  const int64_t *v;
  if (!getAttr(a, name, v))
    return errf("missing integer attribute '{}'", name);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::needFloat(const Attrs &a, const char *name, double &out) const {
  const double *v;
  if (!getAttr(a, name, v))
    return errf("missing float attribute '{}'", name);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::needActivationAttrs(OpKind op, const Attrs &a) const {
  const ActivationInfo *act = activationInfo(op);
  double v;
  if (act && *act->attrA)
    KILN_TRY(needFloat(a, act->attrA, v));
  if (act && *act->attrB)
    KILN_TRY(needFloat(a, act->attrB, v));
  return llvm::Error::success();
}

llvm::Error Inferrer::needInts(const Attrs &a, const char *name, size_t len,
                               std::vector<int64_t> &out) const {
  const std::vector<int64_t> *v;
  if (!getAttr(a, name, v))
    return errf("missing integer list attribute '{}'", name);
  if (len != size_t(-1) && v->size() != len)
    return errf("attribute '{}' has {} values, expected {}", name, v->size(), len);
  out = *v;
  return llvm::Error::success();
}

llvm::Error Inferrer::requireF32(size_t i, const char *what) const {
  if (in.type(i).dtype != DType::F32)
    return errf("{} has element type {}, expected f32", what,
                dtypeName(in.type(i).dtype));
  return llvm::Error::success();
}

llvm::Error Inferrer::requireRank(size_t i, const char *what, int64_t rank) const {
  if (in.type(i).rank() != rank)
    return errf("{} has rank {}, expected {}", what, in.type(i).rank(), rank);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Dispatch and fusions
//===----------------------------------------------------------------------===//

static ShapeRule shapeRuleFor(OpKind op) {
  static const auto ByOp = indexByOp({nnShapeRules(), tensorShapeRules(), movementShapeRules(),
                                      quantShapeRules()},
                                     &OpShapeRule::infer);
  return ByOp[size_t(op)];
}

llvm::Expected<TensorType> Inferrer::inferOp() {
  if (ShapeRule rule = shapeRuleFor(node.op))
    return rule(*this);
  return err("no shape rule for this op");
}

llvm::Error Inferrer::applyFusion(const Fusion &f, TensorType &t) const {
  if (isActivation(f.op)) {
    KILN_TRY(needActivationAttrs(f.op, f.attrs));
    if (t.dtype != DType::F32)
      return errf("fused {} needs an f32 result, got {}", opName(f.op),
                  dtypeName(t.dtype));
    return llvm::Error::success();
  }
  switch (f.op) {
  case OpKind::Add: {
    int64_t idx;
    KILN_TRY(needInt(f.attrs, "input", idx));
    if (idx < 0 || idx >= int64_t(node.inputs.size()) || !node.inputs[idx])
      return errf("fused add reads operand {}, but the node has {}", idx,
                  node.inputs.size());
    const TensorType &other = node.inputs[idx]->type;
    if (other != t)
      return errf("fused add operand {} has type {}, expected {}", idx, other.str(),
                  t.str());
    return llvm::Error::success();
  }
  case OpKind::MaxPool:
  case OpKind::AveragePool: {
    auto pooled = inferPool(*this, f.op, f.attrs, t);
    if (!pooled)
      return pooled.takeError();
    t = *pooled;
    return llvm::Error::success();
  }
  default:
    return errf("{} cannot be fused", opName(f.op));
  }
}

llvm::Expected<TypeList> Inferrer::run() {
  // Operands appended for fused Adds are not the op's own operands.
  std::set<int64_t> extra;
  for (const Fusion &f : node.fused)
    if (f.op == OpKind::Add && f.attrs.has("input"))
      if (auto *idx = std::get_if<int64_t>(&f.attrs.all().at("input")))
        extra.insert(*idx);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (extra.count(int64_t(i)))
      continue;
    in.values.push_back(node.inputs[i]);
  }
  // Optional operands may be absent (null) only at the end of the list.
  while (!in.values.empty() && !in.values.back())
    in.values.pop_back();
  int minIn = opMinInputs(node.op), maxIn = opMaxInputs(node.op);
  if (int(in.size()) < minIn || (maxIn >= 0 && int(in.size()) > maxIn))
    return errf("has {} operands, expected {}", in.size(),
                maxIn < 0 ? fmt::format("at least {}", minIn)
                          : minIn == maxIn ? fmt::to_string(minIn)
                                           : fmt::format("{} to {}", minIn, maxIn));
  for (size_t i = 0; i < in.size(); ++i)
    if (!in[i])
      return errf("operand {} is missing", i);
  if (int(node.outputs.size()) != opNumOutputs(node.op))
    return errf("has {} results, expected {}", node.outputs.size(), opNumOutputs(node.op));

  auto t = inferOp();
  if (!t)
    return t.takeError();
  for (const Fusion &f : node.fused)
    KILN_TRY(applyFusion(f, *t));
  if (t->rank() > limits::MaxRank)
    return errf("result has rank {}, more than {}", t->rank(), limits::MaxRank);
  if (!checkedElementCount(t->dims))
    return errf("result shape {} has too many elements", dimsStr(t->dims));
  return TypeList{*t};
}


} // namespace shape_inference

using shape_inference::checkedAdd;
using shape_inference::checkedMul;
using shape_inference::dimsStr;
using shape_inference::Inferrer;

bool hasShapeRule(OpKind op) { return shape_inference::shapeRuleFor(op) != nullptr; }

llvm::Expected<std::vector<TensorType>> inferResultTypes(const Node &n) {
  return Inferrer(n).run();
}

llvm::Error inferShapes(Node &n) {
  auto types = inferResultTypes(n);
  if (!types)
    return types.takeError();
  for (size_t i = 0; i < n.outputs.size(); ++i)
    n.outputs[i]->type = (*types)[i];
  return llvm::Error::success();
}

llvm::Expected<Dims> broadcastShapes(const Dims &a, const Dims &b) {
  size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return inputError(fmt::format("shapes {} and {} do not broadcast", dimsStr(a),
                                    dimsStr(b)));
  }
  return out;
}

int64_t windowOutputSize(int64_t in, int64_t k, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode) {
  if (in < 0 || k <= 0 || stride <= 0 || dilation <= 0 || padBegin < 0 || padEnd < 0)
    return -1;
  int64_t effK, padded, span;
  if (!checkedMul(dilation, k - 1, effK) || !checkedAdd(effK, 1, effK) ||
      !checkedAdd(in, padBegin, padded) || !checkedAdd(padded, padEnd, padded))
    return -1;
  span = padded - effK;
  if (span < 0)
    return -1;
  int64_t out = span / stride + 1;
  if (ceilMode && span % stride != 0) {
    ++out;
    // The last window must start inside the input or the left padding
    // (PyTorch and ONNX agree on this rule).
    int64_t lastStart;
    if (!checkedMul(out - 1, stride, lastStart) || lastStart >= in + padBegin)
      --out;
  }
  return out;
}

} // namespace kiln
