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
  if (in_.type(i).dtype != DType::F32)
    return errf("{} has element type {}, expected f32", what,
                dtypeName(in_.type(i).dtype));
  return llvm::Error::success();
}

llvm::Error Inferrer::requireRank(size_t i, const char *what, int64_t rank) const {
  if (in_.type(i).rank() != rank)
    return errf("{} has rank {}, expected {}", what, in_.type(i).rank(), rank);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Dispatch and fusions
//===----------------------------------------------------------------------===//

llvm::Expected<TensorType> Inferrer::inferOp() {
  // Families with one rule each.
  const OpInfo &info = opInfo(n_.op);
  if (info.isElementwiseBinary())
    return elementwise();
  if (info.isActivation())
    return unary();
  switch (n_.op) {
  case OpKind::Conv: return conv();
  case OpKind::MaxPool:
  case OpKind::AveragePool: return pool(n_.op, n_.attrs, in_.type(0));
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool: return globalPool();
  case OpKind::LRN: return lrn();
  case OpKind::BatchNormalization: return batchNorm();
  case OpKind::Gemm: return gemm();
  case OpKind::MatMul: return matMul();
  case OpKind::Identity:
  case OpKind::Dropout: return unary();
  case OpKind::Softmax: return softmax();
  case OpKind::Flatten: return flatten();
  case OpKind::Reshape: return reshape();
  case OpKind::Transpose: return transpose();
  case OpKind::Concat: return concat();
  case OpKind::Pad: return pad();
  case OpKind::Shape: return shape();
  case OpKind::Gather: return gather();
  case OpKind::Unsqueeze: return unsqueeze();
  case OpKind::Squeeze: return squeeze();
  case OpKind::Cast: return cast();
  case OpKind::ScaleShift: return scaleShift();
  case OpKind::Reorder: return unary(); // only the layout changes
  case OpKind::MaxPoolIndices: return maxPoolIndices();
  default: break;
  }
  return err("unknown op");
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
    if (idx < 0 || idx >= int64_t(n_.inputs.size()) || !n_.inputs[idx])
      return errf("fused add reads operand {}, but the node has {}", idx,
                  n_.inputs.size());
    const TensorType &other = n_.inputs[idx]->type;
    if (other != t)
      return errf("fused add operand {} has type {}, expected {}", idx, other.str(),
                  t.str());
    return llvm::Error::success();
  }
  case OpKind::MaxPool:
  case OpKind::AveragePool: {
    auto pooled = pool(f.op, f.attrs, t);
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
  for (const Fusion &f : n_.fused)
    if (f.op == OpKind::Add && f.attrs.has("input"))
      if (auto *idx = std::get_if<int64_t>(&f.attrs.all().at("input")))
        extra.insert(*idx);
  for (size_t i = 0; i < n_.inputs.size(); ++i) {
    if (extra.count(int64_t(i)))
      continue;
    in_.values.push_back(n_.inputs[i]);
  }
  // Optional operands may be absent (null) only at the end of the list.
  while (!in_.values.empty() && !in_.values.back())
    in_.values.pop_back();
  int minIn = opMinInputs(n_.op), maxIn = opMaxInputs(n_.op);
  if (int(in_.size()) < minIn || (maxIn >= 0 && int(in_.size()) > maxIn))
    return errf("has {} operands, expected {}", in_.size(),
                maxIn < 0 ? fmt::format("at least {}", minIn)
                          : minIn == maxIn ? fmt::to_string(minIn)
                                           : fmt::format("{} to {}", minIn, maxIn));
  for (size_t i = 0; i < in_.size(); ++i)
    if (!in_[i])
      return errf("operand {} is missing", i);
  if (int(n_.outputs.size()) != opNumOutputs(n_.op))
    return errf("has {} results, expected {}", n_.outputs.size(), opNumOutputs(n_.op));

  auto t = inferOp();
  if (!t)
    return t.takeError();
  for (const Fusion &f : n_.fused)
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
