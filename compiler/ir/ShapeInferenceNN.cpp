//===- ShapeInferenceNN.cpp - Result types of the network ops ---------------===//
//
// Convolution, pooling, normalization, Gemm/MatMul, elementwise and
// activation ops (see ShapeInference.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInferenceImpl.h"
#include "compiler/ir/OpAttrs.h"

#include <algorithm>
#include <cmath>

namespace kiln::shape_inference {

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Validates kernel/strides/pads/dilations and computes H and W of the result.
llvm::Error windowDims(const Node &n, const Dims &in,
                       const std::vector<int64_t> &kernel,
                       const std::vector<int64_t> &strides,
                       const std::vector<int64_t> &pads,
                       const std::vector<int64_t> &dilations, bool ceilMode,
                       Dims &out) {
  out.clear();
  for (size_t i = 0; i < 2; ++i) {
    if (kernel[i] <= 0)
      return nodeErrorf(n, "kernel size {} must be positive", kernel[i]);
    if (strides[i] <= 0)
      return nodeErrorf(n, "stride {} must be positive", strides[i]);
    if (dilations[i] <= 0)
      return nodeErrorf(n, "dilation {} must be positive", dilations[i]);
    if (pads[i] < 0 || pads[i + 2] < 0)
      return nodeErrorf(n, "pads {} must not be negative", dimsStr(pads));
    int64_t o = windowOutputSize(in[2 + i], kernel[i], strides[i], pads[i],
                                 pads[i + 2], dilations[i], ceilMode);
    if (o <= 0)
      return nodeErrorf(n,
                        "window {}x{} (dilation {}x{}) does not fit the padded "
                        "input {}x{} (pads {}): empty output",
                        kernel[0], kernel[1], dilations[0], dilations[1], in[2],
                        in[3], dimsStr(pads));
    out.push_back(o);
  }
  return llvm::Error::success();
}

llvm::Expected<TensorType> Inferrer::conv() {
  if (in_.size() < 2 || in_.size() > 3)
    return errf("expects 2 or 3 operands, got {}", in_.size());
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireRank(1, "weight", 4));
  KILN_TRY(requireF32(0, "input"));
  KILN_TRY(requireF32(1, "weight"));
  const Dims &x = in_.type(0).dims, &w = in_.type(1).dims;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t group;
  KILN_TRY(needInts(n_.attrs, "kernel", 2, kernel));
  KILN_TRY(needInts(n_.attrs, "strides", 2, strides));
  KILN_TRY(needInts(n_.attrs, "pads", 4, pads));
  KILN_TRY(needInts(n_.attrs, "dilations", 2, dilations));
  KILN_TRY(needInt(n_.attrs, "group", group));
  if (group <= 0)
    return errf("group {} must be positive", group);
  if (kernel[0] != w[2] || kernel[1] != w[3])
    return errf("kernel {}x{} does not match weight shape {}", kernel[0],
                kernel[1], dimsStr(w));
  int64_t cPerGroup = w[1];
  int64_t expectC;
  if (!checkedMul(cPerGroup, group, expectC) || expectC != x[1])
    return errf("input has {} channels but weight {} with group {} expects {}",
                x[1], dimsStr(w), group,
                checkedMul(cPerGroup, group, expectC) ? fmt::to_string(expectC)
                                                      : std::string("too many"));
  int64_t m = w[0];
  if (m <= 0 || m % group != 0)
    return errf("{} output channels are not a positive multiple of group {}", m,
                group);
  if (in_.size() == 3 && in_[2]) {
    KILN_TRY(requireF32(2, "bias"));
    if (in_.type(2).dims != Dims{m})
      return errf("bias has shape {}, expected [{}]", dimsStr(in_.type(2).dims), m);
  }
  Dims hw;
  KILN_TRY(windowDims(n_, x, kernel, strides, pads, dilations, false, hw));
  return TensorType{DType::F32, {x[0], m, hw[0], hw[1]}};
}

llvm::Expected<TensorType> Inferrer::pool(OpKind op, const Attrs &a,
                                          const TensorType &x) const {
  if (x.rank() != 4)
    return errf("{} input has rank {}, expected 4", opName(op), x.rank());
  if (x.dtype != DType::F32)
    return errf("{} input has element type {}, expected f32", opName(op),
                dtypeName(x.dtype));
  std::vector<int64_t> kernel, strides, pads, dilations{1, 1};
  int64_t ceilMode, countIncludePad;
  KILN_TRY(needInts(a, "kernel", 2, kernel));
  KILN_TRY(needInts(a, "strides", 2, strides));
  KILN_TRY(needInts(a, "pads", 4, pads));
  KILN_TRY(needInt(a, "ceil_mode", ceilMode));
  if (op == OpKind::MaxPool)
    KILN_TRY(needInts(a, "dilations", 2, dilations));
  else
    KILN_TRY(needInt(a, "count_include_pad", countIncludePad));
  if (ceilMode != 0 && ceilMode != 1)
    return errf("ceil_mode {} must be 0 or 1", ceilMode);
  Dims hw;
  KILN_TRY(windowDims(n_, x.dims, kernel, strides, pads, dilations,
                      ceilMode == 1, hw));
  // A pad as wide as the window would make windows that see only padding.
  for (size_t i = 0; i < 2; ++i) {
    int64_t effK = dilations[i] * (kernel[i] - 1) + 1; // fits: windowDims passed
    if (pads[i] >= effK || pads[i + 2] >= effK)
      return errf("pads {} must be smaller than the window {}x{}", dimsStr(pads),
                  kernel[0], kernel[1]);
  }
  return TensorType{x.dtype, {x.dims[0], x.dims[1], hw[0], hw[1]}};
}

llvm::Expected<TensorType> Inferrer::maxPoolIndices() {
  int64_t storageOrder;
  KILN_TRY(needInt(n_.attrs, "storage_order", storageOrder));
  if (storageOrder != 0 && storageOrder != 1)
    return errf("storage_order {} must be 0 or 1", storageOrder);
  auto t = pool(OpKind::MaxPool, n_.attrs, in_.type(0));
  if (t)
    t->dtype = DType::I64;
  return t;
}

llvm::Expected<TensorType> Inferrer::globalPool() {
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireF32(0, "input"));
  const Dims &x = in_.type(0).dims;
  if (x[2] <= 0 || x[3] <= 0)
    return errf("input {} has an empty spatial extent", dimsStr(x));
  return TensorType{DType::F32, {x[0], x[1], 1, 1}};
}

llvm::Expected<TensorType> Inferrer::lrn() {
  KILN_TRY(requireRank(0, "input", 4));
  KILN_TRY(requireF32(0, "input"));
  int64_t size;
  double alpha, beta, bias;
  KILN_TRY(needInt(n_.attrs, "size", size));
  KILN_TRY(needFloat(n_.attrs, "alpha", alpha));
  KILN_TRY(needFloat(n_.attrs, "beta", beta));
  KILN_TRY(needFloat(n_.attrs, "bias", bias));
  if (size <= 0)
    return errf("size {} must be positive", size);
  return in_.type(0);
}

llvm::Expected<TensorType> Inferrer::batchNorm() {
  if (in_.size() != 5)
    return errf("expects 5 operands, got {}", in_.size());
  const TensorType &x = in_.type(0);
  if (x.rank() < 2)
    return errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(requireF32(0, "input"));
  double eps;
  KILN_TRY(needFloat(n_.attrs, "epsilon", eps));
  static const char *Names[] = {"", "scale", "bias", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    KILN_TRY(requireF32(i, Names[i]));
    if (in_.type(i).dims != Dims{x.dims[1]})
      return errf("{} has shape {}, expected [{}] (one per channel)", Names[i],
                  dimsStr(in_.type(i).dims), x.dims[1]);
  }
  return x;
}

llvm::Expected<TensorType> Inferrer::scaleShift() {
  if (in_.size() != 3)
    return errf("expects 3 operands, got {}", in_.size());
  const TensorType &x = in_.type(0);
  if (x.rank() < 2)
    return errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(requireF32(0, "input"));
  for (size_t i = 1; i < 3; ++i) {
    KILN_TRY(requireF32(i, i == 1 ? "scale" : "shift"));
    if (in_.type(i).dims != Dims{x.dims[1]})
      return errf("{} has shape {}, expected [{}]", i == 1 ? "scale" : "shift",
                  dimsStr(in_.type(i).dims), x.dims[1]);
  }
  return x;
}

//===----------------------------------------------------------------------===//
// Dense algebra and elementwise
//===----------------------------------------------------------------------===//

llvm::Expected<TensorType> Inferrer::gemm() {
  if (in_.size() < 2 || in_.size() > 3)
    return errf("expects 2 or 3 operands, got {}", in_.size());
  KILN_TRY(requireRank(0, "A", 2));
  KILN_TRY(requireRank(1, "B", 2));
  KILN_TRY(requireF32(0, "A"));
  KILN_TRY(requireF32(1, "B"));
  int64_t transA, transB;
  double alpha, beta;
  KILN_TRY(needInt(n_.attrs, "transA", transA));
  KILN_TRY(needInt(n_.attrs, "transB", transB));
  KILN_TRY(needFloat(n_.attrs, "alpha", alpha));
  KILN_TRY(needFloat(n_.attrs, "beta", beta));
  const Dims &a = in_.type(0).dims, &b = in_.type(1).dims;
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], nn = transB ? b[0] : b[1];
  if (ka != kb)
    return errf("A {}{} and B {}{} have different inner dimensions ({} vs {})",
                dimsStr(a), transA ? " (transposed)" : "", dimsStr(b),
                transB ? " (transposed)" : "", ka, kb);
  if (in_.size() == 3 && in_[2]) {
    KILN_TRY(requireF32(2, "C"));
    const Dims &c = in_.type(2).dims;
    // C broadcasts one way: to [M, N], never the other way round.
    auto bc = broadcastShapes(c, {m, nn});
    bool ok = bool(bc) && *bc == Dims{m, nn} && c.size() <= 2;
    if (!bc)
      llvm::consumeError(bc.takeError());
    if (!ok)
      return errf("C has shape {}, not broadcastable to [{},{}]", dimsStr(c), m, nn);
  }
  return TensorType{DType::F32, {m, nn}};
}

llvm::Expected<TensorType> Inferrer::matMul() {
  KILN_TRY(requireF32(0, "A"));
  KILN_TRY(requireF32(1, "B"));
  Dims a = in_.type(0).dims, b = in_.type(1).dims;
  if (a.empty() || b.empty())
    return errf("operands must have rank >= 1, got {} and {}", dimsStr(a), dimsStr(b));
  // numpy: a 1-D A is a row vector, a 1-D B a column vector; the added
  // dimension is removed from the result.
  bool rowVec = a.size() == 1, colVec = b.size() == 1;
  if (rowVec)
    a.insert(a.begin(), 1);
  if (colVec)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != k2)
    return errf("inner dimensions differ: A {} and B {}", dimsStr(in_.type(0).dims),
                dimsStr(in_.type(1).dims));
  Dims batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch) {
    llvm::consumeError(batch.takeError());
    return errf("batch dimensions of A {} and B {} do not broadcast",
                dimsStr(in_.type(0).dims), dimsStr(in_.type(1).dims));
  }
  Dims out = *batch;
  if (!rowVec)
    out.push_back(a[a.size() - 2]);
  if (!colVec)
    out.push_back(b.back());
  return TensorType{DType::F32, out};
}

llvm::Expected<TensorType> Inferrer::elementwise() {
  const OpInfo &info = opInfo(n_.op);
  if (in_.size() < size_t(info.minInputs) ||
      (info.maxInputs >= 0 && in_.size() > size_t(info.maxInputs))) {
    if (info.maxInputs < 0)
      return errf("expects {} or more operands, got {}", info.minInputs, in_.size());
    return errf("expects {} operand{}, got {}", info.minInputs,
                info.minInputs == 1 ? "" : "s", in_.size());
  }
  // Where's condition is bool; the other operands share one element type.
  const size_t first = n_.op == OpKind::Where ? 1 : 0;
  if (first && in_.type(0).dtype != DType::Bool)
    return errf("condition has element type {}, expected bool",
                dtypeName(in_.type(0).dtype));
  DType t = in_.type(first).dtype;
  if (!elementwiseAccepts(n_.op, t))
    return errf("element type {} is not supported", dtypeName(t));
  Dims out = in_.type(0).dims;
  for (size_t i = 1; i < in_.size(); ++i) {
    if (i >= first && in_.type(i).dtype != t)
      return errf("operands have different element types ({} and {})", dtypeName(t),
                  dtypeName(in_.type(i).dtype));
    auto bc = broadcastShapes(out, in_.type(i).dims);
    if (!bc)
      return err(llvm::toString(bc.takeError()));
    out = *bc;
  }
  if (n_.op == OpKind::PRelu && out != in_.type(0).dims)
    return errf("slope {} does not broadcast to X {}", dimsStr(in_.type(1).dims),
                dimsStr(in_.type(0).dims));
  if (n_.op == OpKind::Mod) {
    int64_t fmod;
    KILN_TRY(needInt(n_.attrs, "fmod", fmod));
    if (fmod != 0 && fmod != 1)
      return errf("fmod {} must be 0 or 1", fmod);
    if (t == DType::F32 && fmod == 0)
      return err("Mod of floats needs fmod=1");
  }
  if (n_.op == OpKind::BitShift) {
    const std::string *dir;
    if (!getAttr(n_.attrs, "direction", dir) || (*dir != "LEFT" && *dir != "RIGHT"))
      return err("direction must be \"LEFT\" or \"RIGHT\"");
  }
  return TensorType{elementwiseResult(n_.op, t), out};
}

llvm::Expected<TensorType> Inferrer::unary() {
  if (opInfo(n_.op).isIdentity())
    return in_.type(0);
  KILN_TRY(needActivationAttrs(n_.op, n_.attrs));
  if (n_.op == OpKind::Clip) {
    // Present and float: checked just above.
    double lo = n_.attrs.getFloat("min"), hi = n_.attrs.getFloat("max");
    if (std::isnan(lo) || std::isnan(hi))
      return err("min and max must not be NaN");
  }
  KILN_TRY(requireF32(0, "input"));
  return in_.type(0);
}

llvm::Expected<TensorType> Inferrer::softmax() {
  KILN_TRY(requireF32(0, "input"));
  int64_t axis, legacy;
  KILN_TRY(needInt(n_.attrs, "axis", axis));
  KILN_TRY(needInt(n_.attrs, "legacy", legacy));
  int64_t r = in_.type(0).rank();
  if (r < 1)
    return err("input must have rank >= 1");
  if (axis < 0 || axis >= r)
    return errf("axis {} is out of range for rank {}", axis, r);
  if (legacy != 0 && legacy != 1)
    return errf("legacy {} must be 0 or 1", legacy);
  return in_.type(0);
}

} // namespace kiln::shape_inference
