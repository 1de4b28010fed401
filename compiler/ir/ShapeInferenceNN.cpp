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

static llvm::Expected<TensorType> inferConv(const Inferrer &s) {
  if (s.in.size() < 2 || s.in.size() > 3)
    return s.errf("expects 2 or 3 operands, got {}", s.in.size());
  KILN_TRY(s.requireRank(0, "input", 4));
  KILN_TRY(s.requireRank(1, "weight", 4));
  KILN_TRY(s.requireF32(0, "input"));
  KILN_TRY(s.requireF32(1, "weight"));
  const Dims &x = s.in.type(0).dims, &w = s.in.type(1).dims;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t group;
  KILN_TRY(s.needInts(s.node.attrs, "kernel", 2, kernel));
  KILN_TRY(s.needInts(s.node.attrs, "strides", 2, strides));
  KILN_TRY(s.needInts(s.node.attrs, "pads", 4, pads));
  KILN_TRY(s.needInts(s.node.attrs, "dilations", 2, dilations));
  KILN_TRY(s.needInt(s.node.attrs, "group", group));
  if (group <= 0)
    return s.errf("group {} must be positive", group);
  if (kernel[0] != w[2] || kernel[1] != w[3])
    return s.errf("kernel {}x{} does not match weight shape {}", kernel[0],
                kernel[1], dimsStr(w));
  int64_t cPerGroup = w[1];
  int64_t expectC;
  if (!checkedMul(cPerGroup, group, expectC) || expectC != x[1])
    return s.errf("input has {} channels but weight {} with group {} expects {}",
                x[1], dimsStr(w), group,
                checkedMul(cPerGroup, group, expectC) ? fmt::to_string(expectC)
                                                      : std::string("too many"));
  int64_t m = w[0];
  if (m <= 0 || m % group != 0)
    return s.errf("{} output channels are not a positive multiple of group {}", m,
                group);
  if (s.in.size() == 3 && s.in[2]) {
    KILN_TRY(s.requireF32(2, "bias"));
    if (s.in.type(2).dims != Dims{m})
      return s.errf("bias has shape {}, expected [{}]", dimsStr(s.in.type(2).dims), m);
  }
  Dims hw;
  KILN_TRY(windowDims(s.node, x, kernel, strides, pads, dilations, false, hw));
  return TensorType{DType::F32, {x[0], m, hw[0], hw[1]}};
}

llvm::Expected<TensorType> inferPool(const Inferrer &s, OpKind op, const Attrs &a,
                                     const TensorType &x) {
  if (x.rank() != 4)
    return s.errf("{} input has rank {}, expected 4", opName(op), x.rank());
  if (x.dtype != DType::F32)
    return s.errf("{} input has element type {}, expected f32", opName(op),
                dtypeName(x.dtype));
  std::vector<int64_t> kernel, strides, pads, dilations{1, 1};
  int64_t ceilMode, countIncludePad;
  KILN_TRY(s.needInts(a, "kernel", 2, kernel));
  KILN_TRY(s.needInts(a, "strides", 2, strides));
  KILN_TRY(s.needInts(a, "pads", 4, pads));
  KILN_TRY(s.needInt(a, "ceil_mode", ceilMode));
  if (op == OpKind::MaxPool)
    KILN_TRY(s.needInts(a, "dilations", 2, dilations));
  else
    KILN_TRY(s.needInt(a, "count_include_pad", countIncludePad));
  if (ceilMode != 0 && ceilMode != 1)
    return s.errf("ceil_mode {} must be 0 or 1", ceilMode);
  Dims hw;
  KILN_TRY(windowDims(s.node, x.dims, kernel, strides, pads, dilations,
                      ceilMode == 1, hw));
  // A pad as wide as the window would make windows that see only padding.
  for (size_t i = 0; i < 2; ++i) {
    int64_t effK = dilations[i] * (kernel[i] - 1) + 1; // fits: windowDims passed
    if (pads[i] >= effK || pads[i + 2] >= effK)
      return s.errf("pads {} must be smaller than the window {}x{}", dimsStr(pads),
                  kernel[0], kernel[1]);
  }
  return TensorType{x.dtype, {x.dims[0], x.dims[1], hw[0], hw[1]}};
}

static llvm::Expected<TensorType> inferMaxPoolIndices(const Inferrer &s) {
  int64_t storageOrder;
  KILN_TRY(s.needInt(s.node.attrs, "storage_order", storageOrder));
  if (storageOrder != 0 && storageOrder != 1)
    return s.errf("storage_order {} must be 0 or 1", storageOrder);
  auto t = inferPool(s, OpKind::MaxPool, s.node.attrs, s.in.type(0));
  if (t)
    t->dtype = DType::I64;
  return t;
}

static llvm::Expected<TensorType> inferGlobalPool(const Inferrer &s) {
  KILN_TRY(s.requireRank(0, "input", 4));
  KILN_TRY(s.requireF32(0, "input"));
  const Dims &x = s.in.type(0).dims;
  if (x[2] <= 0 || x[3] <= 0)
    return s.errf("input {} has an empty spatial extent", dimsStr(x));
  return TensorType{DType::F32, {x[0], x[1], 1, 1}};
}

static llvm::Expected<TensorType> inferLrn(const Inferrer &s) {
  KILN_TRY(s.requireRank(0, "input", 4));
  KILN_TRY(s.requireF32(0, "input"));
  int64_t size;
  double alpha, beta, bias;
  KILN_TRY(s.needInt(s.node.attrs, "size", size));
  KILN_TRY(s.needFloat(s.node.attrs, "alpha", alpha));
  KILN_TRY(s.needFloat(s.node.attrs, "beta", beta));
  KILN_TRY(s.needFloat(s.node.attrs, "bias", bias));
  if (size <= 0)
    return s.errf("size {} must be positive", size);
  return s.in.type(0);
}

static llvm::Expected<TensorType> inferBatchNorm(const Inferrer &s) {
  if (s.in.size() != 5)
    return s.errf("expects 5 operands, got {}", s.in.size());
  const TensorType &x = s.in.type(0);
  if (x.rank() < 2)
    return s.errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(s.requireF32(0, "input"));
  double eps;
  KILN_TRY(s.needFloat(s.node.attrs, "epsilon", eps));
  static const char *Names[] = {"", "scale", "bias", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    KILN_TRY(s.requireF32(i, Names[i]));
    if (s.in.type(i).dims != Dims{x.dims[1]})
      return s.errf("{} has shape {}, expected [{}] (one per channel)", Names[i],
                  dimsStr(s.in.type(i).dims), x.dims[1]);
  }
  return x;
}

static llvm::Expected<TensorType> inferScaleShift(const Inferrer &s) {
  if (s.in.size() != 3)
    return s.errf("expects 3 operands, got {}", s.in.size());
  const TensorType &x = s.in.type(0);
  if (x.rank() < 2)
    return s.errf("input has rank {}, expected at least 2", x.rank());
  KILN_TRY(s.requireF32(0, "input"));
  for (size_t i = 1; i < 3; ++i) {
    KILN_TRY(s.requireF32(i, i == 1 ? "scale" : "shift"));
    if (s.in.type(i).dims != Dims{x.dims[1]})
      return s.errf("{} has shape {}, expected [{}]", i == 1 ? "scale" : "shift",
                  dimsStr(s.in.type(i).dims), x.dims[1]);
  }
  return x;
}

//===----------------------------------------------------------------------===//
// Dense algebra and elementwise
//===----------------------------------------------------------------------===//

static llvm::Expected<TensorType> inferGemm(const Inferrer &s) {
  if (s.in.size() < 2 || s.in.size() > 3)
    return s.errf("expects 2 or 3 operands, got {}", s.in.size());
  KILN_TRY(s.requireRank(0, "A", 2));
  KILN_TRY(s.requireRank(1, "B", 2));
  KILN_TRY(s.requireF32(0, "A"));
  KILN_TRY(s.requireF32(1, "B"));
  int64_t transA, transB;
  double alpha, beta;
  KILN_TRY(s.needInt(s.node.attrs, "transA", transA));
  KILN_TRY(s.needInt(s.node.attrs, "transB", transB));
  KILN_TRY(s.needFloat(s.node.attrs, "alpha", alpha));
  KILN_TRY(s.needFloat(s.node.attrs, "beta", beta));
  const Dims &a = s.in.type(0).dims, &b = s.in.type(1).dims;
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], nn = transB ? b[0] : b[1];
  if (ka != kb)
    return s.errf("A {}{} and B {}{} have different inner dimensions ({} vs {})",
                dimsStr(a), transA ? " (transposed)" : "", dimsStr(b),
                transB ? " (transposed)" : "", ka, kb);
  if (s.in.size() == 3 && s.in[2]) {
    KILN_TRY(s.requireF32(2, "C"));
    const Dims &c = s.in.type(2).dims;
    // C broadcasts one way: to [M, N], never the other way round.
    auto bc = broadcastShapes(c, {m, nn});
    bool ok = bool(bc) && *bc == Dims{m, nn} && c.size() <= 2;
    if (!bc)
      llvm::consumeError(bc.takeError());
    if (!ok)
      return s.errf("C has shape {}, not broadcastable to [{},{}]", dimsStr(c), m, nn);
  }
  return TensorType{DType::F32, {m, nn}};
}

static llvm::Expected<TensorType> inferMatMul(const Inferrer &s) {
  KILN_TRY(s.requireF32(0, "A"));
  KILN_TRY(s.requireF32(1, "B"));
  Dims a = s.in.type(0).dims, b = s.in.type(1).dims;
  if (a.empty() || b.empty())
    return s.errf("operands must have rank >= 1, got {} and {}", dimsStr(a), dimsStr(b));
  // numpy: a 1-D A is a row vector, a 1-D B a column vector; the added
  // dimension is removed from the result.
  bool rowVec = a.size() == 1, colVec = b.size() == 1;
  if (rowVec)
    a.insert(a.begin(), 1);
  if (colVec)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (k1 != k2)
    return s.errf("inner dimensions differ: A {} and B {}", dimsStr(s.in.type(0).dims),
                dimsStr(s.in.type(1).dims));
  Dims batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch) {
    llvm::consumeError(batch.takeError());
    return s.errf("batch dimensions of A {} and B {} do not broadcast",
                dimsStr(s.in.type(0).dims), dimsStr(s.in.type(1).dims));
  }
  Dims out = *batch;
  if (!rowVec)
    out.push_back(a[a.size() - 2]);
  if (!colVec)
    out.push_back(b.back());
  return TensorType{DType::F32, out};
}

static llvm::Expected<TensorType> inferElementwise(const Inferrer &s) {
  const OpInfo &info = opInfo(s.node.op);
  if (s.in.size() < size_t(info.minInputs) ||
      (info.maxInputs >= 0 && s.in.size() > size_t(info.maxInputs))) {
    if (info.maxInputs < 0)
      return s.errf("expects {} or more operands, got {}", info.minInputs, s.in.size());
    return s.errf("expects {} operand{}, got {}", info.minInputs,
                info.minInputs == 1 ? "" : "s", s.in.size());
  }
  // Where's condition is bool; the other operands share one element type.
  const size_t first = s.node.op == OpKind::Where ? 1 : 0;
  if (first && s.in.type(0).dtype != DType::Bool)
    return s.errf("condition has element type {}, expected bool",
                dtypeName(s.in.type(0).dtype));
  DType t = s.in.type(first).dtype;
  if (!elementwiseAccepts(s.node.op, t))
    return s.errf("element type {} is not supported", dtypeName(t));
  Dims out = s.in.type(0).dims;
  for (size_t i = 1; i < s.in.size(); ++i) {
    if (i >= first && s.in.type(i).dtype != t)
      return s.errf("operands have different element types ({} and {})", dtypeName(t),
                  dtypeName(s.in.type(i).dtype));
    auto bc = broadcastShapes(out, s.in.type(i).dims);
    if (!bc)
      return s.err(llvm::toString(bc.takeError()));
    out = *bc;
  }
  if (s.node.op == OpKind::PRelu && out != s.in.type(0).dims)
    return s.errf("slope {} does not broadcast to X {}", dimsStr(s.in.type(1).dims),
                dimsStr(s.in.type(0).dims));
  if (s.node.op == OpKind::Mod) {
    int64_t fmod;
    KILN_TRY(s.needInt(s.node.attrs, "fmod", fmod));
    if (fmod != 0 && fmod != 1)
      return s.errf("fmod {} must be 0 or 1", fmod);
    if (t == DType::F32 && fmod == 0)
      return s.err("Mod of floats needs fmod=1");
  }
  if (s.node.op == OpKind::BitShift) {
    const std::string *dir;
    if (!getAttr(s.node.attrs, "direction", dir) || (*dir != "LEFT" && *dir != "RIGHT"))
      return s.err("direction must be \"LEFT\" or \"RIGHT\"");
  }
  return TensorType{elementwiseResult(s.node.op, t), out};
}

static llvm::Expected<TensorType> inferUnary(const Inferrer &s) {
  if (opInfo(s.node.op).isIdentity())
    return s.in.type(0);
  KILN_TRY(s.needActivationAttrs(s.node.op, s.node.attrs));
  if (s.node.op == OpKind::Clip) {
    // Present and float: checked just above.
    double lo = s.node.attrs.getFloat("min"), hi = s.node.attrs.getFloat("max");
    if (std::isnan(lo) || std::isnan(hi))
      return s.err("min and max must not be NaN");
  }
  KILN_TRY(s.requireF32(0, "input"));
  return s.in.type(0);
}

static llvm::Expected<TensorType> inferSoftmax(const Inferrer &s) {
  KILN_TRY(s.requireF32(0, "input"));
  int64_t axis, legacy;
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  KILN_TRY(s.needInt(s.node.attrs, "legacy", legacy));
  int64_t r = s.in.type(0).rank();
  if (r < 1)
    return s.err("input must have rank >= 1");
  if (axis < 0 || axis >= r)
    return s.errf("axis {} is out of range for rank {}", axis, r);
  if (legacy != 0 && legacy != 1)
    return s.errf("legacy {} must be 0 or 1", legacy);
  return s.in.type(0);
}

/// Every Reduce* op: axes (sorted, unique, in range) keepdims (0/1).
static llvm::Expected<TensorType> inferReduction(const Inferrer &s) {
  const TensorType &x = s.in.type(0);
  std::vector<int64_t> axes;
  int64_t keepDims;
  KILN_TRY(s.needInts(s.node.attrs, "axes", size_t(-1), axes));
  KILN_TRY(s.needInt(s.node.attrs, "keepdims", keepDims));
  if (keepDims != 0 && keepDims != 1)
    return s.errf("keepdims {} must be 0 or 1", keepDims);
  if (x.dtype != DType::F32)
    return s.errf("input has element type {}, expected f32", dtypeName(x.dtype));
  std::vector<bool> reduced(x.dims.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= x.rank() || (i > 0 && axes[i] <= axes[i - 1]))
      return s.errf("axes {} are not sorted, unique axes of rank {}", dimsStr(axes),
                    x.rank());
    reduced[size_t(axes[i])] = true;
  }
  Dims out;
  for (size_t d = 0; d < x.dims.size(); ++d)
    if (!reduced[d])
      out.push_back(x.dims[d]);
    else if (keepDims)
      out.push_back(1);
  return TensorType{x.dtype, out};
}

//===----------------------------------------------------------------------===//
// The ops of this file (ShapeInferenceImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpShapeRule> nnShapeRules() {
  using S = const Inferrer &;
  constexpr ShapeRule Pool = [](S s) {
    return inferPool(s, s.node.op, s.node.attrs, s.in.type(0));
  };
  static constexpr OpShapeRule Table[] = {
      {OpKind::Conv, inferConv},
      {OpKind::MaxPool, Pool},
      {OpKind::AveragePool, Pool},
      {OpKind::MaxPoolIndices, inferMaxPoolIndices},
      {OpKind::GlobalAveragePool, inferGlobalPool},
      {OpKind::GlobalMaxPool, inferGlobalPool},
      {OpKind::LRN, inferLrn},
      {OpKind::BatchNormalization, inferBatchNorm},
      {OpKind::ScaleShift, inferScaleShift},
      {OpKind::Gemm, inferGemm},
      {OpKind::MatMul, inferMatMul},
      {OpKind::Add, inferElementwise},
      {OpKind::Sub, inferElementwise},
      {OpKind::Mul, inferElementwise},
      {OpKind::Div, inferElementwise},
      {OpKind::Sum, inferElementwise},
      {OpKind::Pow, inferElementwise},
      {OpKind::Max, inferElementwise},
      {OpKind::Min, inferElementwise},
      {OpKind::Mean, inferElementwise},
      {OpKind::Mod, inferElementwise},
      {OpKind::Equal, inferElementwise},
      {OpKind::Less, inferElementwise},
      {OpKind::Greater, inferElementwise},
      {OpKind::LessOrEqual, inferElementwise},
      {OpKind::GreaterOrEqual, inferElementwise},
      {OpKind::And, inferElementwise},
      {OpKind::Or, inferElementwise},
      {OpKind::Xor, inferElementwise},
      {OpKind::Not, inferElementwise},
      {OpKind::Where, inferElementwise},
      {OpKind::BitShift, inferElementwise},
      {OpKind::PRelu, inferElementwise},
#define ACTIVATION(Name, ...) {OpKind::Name, inferUnary},
#include "compiler/ir/Activations.def"
      {OpKind::Softmax, inferSoftmax},
#define REDUCTION(Name, ...) {OpKind::Name, inferReduction},
#include "compiler/ir/Reductions.def"
  };
  return Table;
}

} // namespace kiln::shape_inference
