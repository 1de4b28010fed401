//===- NNOps.cpp - Importers of ONNX compute ops --------------------------===//
//
// Global pooling, normalization, dense algebra, elementwise, reductions and
// activations (Conv and the windowed pools are in SpatialOps.cpp).
// Each function's first lines are the op's ONNX signature: attributes with
// the defaults the spec gives them, per opset where they changed.
//
//===----------------------------------------------------------------------===//

#include "frontend/OpImporters.h"

#include "compiler/ir/Diagnostics.h"

#include <limits>
#include <numeric>

namespace kiln::frontend {

namespace {

using Ints = std::vector<int64_t>;

/// ONNX elementwise ops before opset 7 broadcast only with broadcast=1, and
/// `axis` aligns B's dimensions with A's starting at that axis.
Value *legacyBroadcastOperand(NodeContext &c, Value *a, Value *b) {
  if (c.opset() >= 7 || !a || !b)
    return b;
  int64_t broadcast = c.attrInt("broadcast", 0);
  if (!broadcast) {
    if (a->type.dims != b->type.dims)
      c.failf("operand shapes {} and {} differ and broadcast=0 (opset {})",
              a->type.str(), b->type.str(), c.opset());
    return b;
  }
  if (!c.hasAttr("axis"))
    return b; // suffix alignment: numpy's rule
  int64_t ra = a->type.rank(), rb = b->type.rank();
  int64_t axis = normalizeAxis(c, c.attrInt("axis", 0), ra, "axis");
  if (c.failed())
    return nullptr;
  if (axis + rb > ra) {
    c.failf("B of rank {} does not fit A of rank {} at axis {}", rb, ra, axis);
    return nullptr;
  }
  // B[d0..dk] at axis -> B[d0..dk, 1, ..., 1] under numpy's rule.
  Ints shape = b->type.dims;
  shape.resize(size_t(ra - axis), 1);
  Attrs attrs;
  attrs.set("shape", shape);
  return c.emitHelper(OpKind::Reshape, {b}, attrs, "broadcast");
}

void importBinary(NodeContext &c, OpKind op) {
  Value *a = c.input(0), *b = c.input(1);
  b = legacyBroadcastOperand(c, a, b);
  c.emit(op, {a, b});
}

} // namespace

// Any row of Activations.def: Name(X) {A=DefaultA, B=DefaultB}
void importActivation(NodeContext &c, OpKind op) {
  const ActivationInfo *act = activationInfo(op);
  Attrs a;
  if (*act->attrA)
    a.set(act->attrA, c.attrFloat(act->attrA, act->defaultA));
  if (*act->attrB)
    a.set(act->attrB, c.attrFloat(act->attrB, act->defaultB));
  c.emit(op, {c.input(0)}, a);
}

static void importGlobalPool(NodeContext &c, OpKind op) {
  Value *x = c.input(0);
  if (!x || c.failed())
    return;
  int64_t rank = x->type.rank();
  if (rank < 3)
    return c.failf("input has rank {}, expected at least 3 ([N,C,spatial...])", rank);
  if (rank == 4) {
    c.emit(op, {x});
    return;
  }
  // [N,C,d1..dk] -> [N,C,d1*..*dk,1] -> pool -> [N,C,1,..,1]: one window
  // over every spatial element, whatever their arrangement.
  const Dims &d = x->type.dims;
  auto spatial = checkedElementCount(Dims(d.begin() + 2, d.end()));
  if (!spatial)
    return c.fail("input has too many elements");
  Attrs flat, back;
  flat.set("shape", Dims{d[0], d[1], *spatial, 1});
  Dims ones(d.begin(), d.begin() + 2);
  ones.resize(size_t(rank), 1);
  back.set("shape", ones);
  Value *x4 = c.emitHelper(OpKind::Reshape, {x}, flat, "flat");
  Value *y4 = c.emitHelper(op, {x4}, {}, "pool");
  c.emit(OpKind::Reshape, {y4}, back);
}

// GlobalAveragePool(X), GlobalMaxPool(X)
static void importGlobalAveragePool(NodeContext &c) {
  importGlobalPool(c, OpKind::GlobalAveragePool);
}
static void importGlobalMaxPool(NodeContext &c) { importGlobalPool(c, OpKind::GlobalMaxPool); }

// LRN(X) {alpha=1e-4, beta=0.75, bias=1.0, size (required)}
static void importLRN(NodeContext &c) {
  Value *x = c.input(0);
  double alpha = c.attrFloat("alpha", 1e-4);
  double beta = c.attrFloat("beta", 0.75);
  double bias = c.attrFloat("bias", 1.0);
  if (!c.requireAttr("size"))
    return;
  int64_t size = c.attrInt("size", 0);
  if (x && x->type.rank() != 4)
    return c.unsupported(fmt::format("LRN of rank {}", x->type.rank()));
  if (size <= 0)
    return c.failf("size {} must be positive", size);
  Attrs a;
  a.set("size", size);
  a.set("alpha", alpha);
  a.set("beta", beta);
  a.set("bias", bias);
  c.emit(OpKind::LRN, {x}, a);
}

// BatchNormalization(X, scale, B, mean, var) -> (Y, running stats...)
//   {epsilon=1e-5, momentum=0.9, spatial=1 (<9), is_test (<7),
//    consumed_inputs (<6), training_mode=0 (14+)}
static void importBatchNormalization(NodeContext &c) {
  std::vector<Value *> ops;
  for (size_t i = 0; i < 5; ++i)
    ops.push_back(c.input(i));
  double epsilon = c.attrFloat("epsilon", 1e-5);
  c.attrFloat("momentum", 0.9);
  if (c.opset() < 9 && c.attrInt("spatial", 1) != 1)
    return c.unsupported("BatchNormalization with spatial=0");
  if (c.attrInt("training_mode", 0) != 0)
    return c.unsupported("BatchNormalization in training mode");
  c.requireUnusedOutputs(1, "training statistics");
  Attrs a;
  a.set("epsilon", epsilon);
  c.emit(OpKind::BatchNormalization, ops, a);
}

// Gemm(A, B, C?) {alpha=1.0, beta=1.0, transA=0, transB=0, broadcast (<7)}
static void importGemm(NodeContext &c) {
  Value *a = c.input(0), *b = c.input(1), *cc = c.optionalInput(2);
  double alpha = c.attrFloat("alpha", 1.0), beta = c.attrFloat("beta", 1.0);
  int64_t transA = c.attrInt("transA", 0), transB = c.attrInt("transB", 0);
  if (c.opset() < 7)
    c.attrInt("broadcast", 0); // C broadcasts either way: kiln's rule is wider
  Attrs at;
  at.set("alpha", alpha);
  at.set("beta", beta);
  at.set("transA", int64_t(transA != 0));
  at.set("transB", int64_t(transB != 0));
  std::vector<Value *> ops{a, b};
  if (cc)
    ops.push_back(cc);
  c.emit(OpKind::Gemm, ops, at);
}

// MatMul(A, B)
static void importMatMul(NodeContext &c) { c.emit(OpKind::MatMul, {c.input(0), c.input(1)}); }

// Add/Sub/Mul/Div(A, B) {broadcast=0, axis (<7)}
static void importAdd(NodeContext &c) { importBinary(c, OpKind::Add); }
static void importSub(NodeContext &c) { importBinary(c, OpKind::Sub); }
static void importMul(NodeContext &c) { importBinary(c, OpKind::Mul); }
static void importDiv(NodeContext &c) { importBinary(c, OpKind::Div); }

// Sum(data_0, ...)
static void importSum(NodeContext &c) { c.emit(OpKind::Sum, c.allInputs()); }

// Pow(X, Y) (7+ broadcasts; 12+ Y of another type): kiln computes in X's
// type, so an integer exponent of a float base is cast to it; a float
// exponent of an integer base would need pow in double.
static void importPow(NodeContext &c) {
  Value *x = c.input(0), *y = c.input(1);
  if (!x || !y)
    return;
  if (y->type.dtype != x->type.dtype) {
    if (x->type.dtype != DType::F32)
      return c.unsupported(fmt::format("Pow of a {} base with a {} exponent",
                                       dtypeName(x->type.dtype), dtypeName(y->type.dtype)));
    Attrs to;
    to.set("to", int64_t(DType::F32));
    y = c.emitHelper(OpKind::Cast, {y}, to, "exponent");
    if (!y)
      return;
  }
  c.emit(OpKind::Pow, {x, y});
}

// Max/Min/Mean(data_0, ...) (8+ broadcast)
static void importMax(NodeContext &c) { c.emit(OpKind::Max, c.allInputs()); }
static void importMin(NodeContext &c) { c.emit(OpKind::Min, c.allInputs()); }
static void importMean(NodeContext &c) { c.emit(OpKind::Mean, c.allInputs()); }

// Mod(A, B) {fmod=0} (10+)
static void importMod(NodeContext &c) {
  Attrs a;
  a.set("fmod", c.attrInt("fmod", 0));
  c.emit(OpKind::Mod, {c.input(0), c.input(1)}, a);
}

// Comparisons and logic: (A, B) {broadcast=0, axis (<7)}
static void importEqual(NodeContext &c) { importBinary(c, OpKind::Equal); }
static void importLess(NodeContext &c) { importBinary(c, OpKind::Less); }
static void importGreater(NodeContext &c) { importBinary(c, OpKind::Greater); }
static void importLessOrEqual(NodeContext &c) { importBinary(c, OpKind::LessOrEqual); }
static void importGreaterOrEqual(NodeContext &c) { importBinary(c, OpKind::GreaterOrEqual); }
static void importAnd(NodeContext &c) { importBinary(c, OpKind::And); }
static void importOr(NodeContext &c) { importBinary(c, OpKind::Or); }
static void importXor(NodeContext &c) { importBinary(c, OpKind::Xor); }

// Not(X)
static void importNot(NodeContext &c) { c.emit(OpKind::Not, {c.input(0)}); }

// Where(condition, X, Y) (9+)
static void importWhere(NodeContext &c) {
  c.emit(OpKind::Where, {c.input(0), c.input(1), c.input(2)});
}

// BitShift(X, Y) {direction: "LEFT" | "RIGHT", required} (11+)
static void importBitShift(NodeContext &c) {
  if (!c.requireAttr("direction"))
    return;
  std::string dir = c.attrString("direction", "");
  if (dir != "LEFT" && dir != "RIGHT")
    return c.failf("direction '{}' is not LEFT or RIGHT", displayName(dir));
  Attrs a;
  a.set("direction", dir);
  c.emit(OpKind::BitShift, {c.input(0), c.input(1)}, a);
}

// PRelu(X, slope) (7+: slope broadcasts to X)
static void importPRelu(NodeContext &c) { c.emit(OpKind::PRelu, {c.input(0), c.input(1)}); }

// Clip(X, min?, max?) (11+); Clip(X) {min=lowest, max=highest} (<11)
static void importClip(NodeContext &c) {
  constexpr double Inf = std::numeric_limits<double>::infinity();
  Value *x = c.input(0);
  double lo = -Inf, hi = Inf;
  if (c.opset() < 11) {
    lo = c.attrFloat("min", -Inf);
    hi = c.attrFloat("max", Inf);
  } else {
    if (c.hasInput(1))
      lo = c.constScalar(1, "min").value_or(-Inf);
    if (c.hasInput(2))
      hi = c.constScalar(2, "max").value_or(Inf);
  }
  Attrs a;
  a.set("min", lo);
  a.set("max", hi);
  c.emit(OpKind::Clip, {x}, a);
}

// Gelu(X) {approximate="none"} (20+): the erf form is Gelu, "tanh" kiln.GeluTanh
static void importGelu(NodeContext &c) {
  std::string approximate = c.attrString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return c.failf("approximate is '{}', expected 'none' or 'tanh'", approximate);
  c.emit(approximate == "tanh" ? OpKind::GeluTanh : OpKind::Gelu, {c.input(0)});
}

// Softmax, LogSoftmax, Hardmax(X) {axis=1, coerced to 2-D (<13); axis=-1 (13+)}
template <OpKind Op> static void importSoftmax(NodeContext &c) {
  Value *x = c.input(0);
  bool legacy = c.opset() < 13;
  int64_t axis = c.attrInt("axis", legacy ? 1 : -1);
  if (!x || c.failed())
    return;
  int64_t rank = x->type.rank();
  if (rank == 0)
    return c.fail("input must have rank >= 1");
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, rank, "axis"));
  a.set("legacy", int64_t(legacy));
  c.emit(Op, {x}, a);
}

// LayerNormalization(X, Scale, B?) -> (Y, Mean?, InvStdDev?)
//   {axis=-1, epsilon=1e-5, stash_type=1} (17+)
// Each used output is its own node; `result` says which (docs/IR.md).
static void importLayerNormalization(NodeContext &c) {
  Value *x = c.input(0), *scale = c.input(1), *bias = c.optionalInput(2);
  int64_t axis = c.attrInt("axis", -1);
  double epsilon = c.attrFloat("epsilon", 1e-5);
  int64_t stash = c.attrInt("stash_type", 1);
  if (!x || c.failed())
    return;
  if (stash != 1)
    return c.unsupported(fmt::format("stash_type {} (kiln computes in f32, stash_type 1)", stash));
  int64_t rank = x->type.rank();
  if (rank == 0)
    return c.fail("input must have rank >= 1");
  std::vector<Value *> operands = {x, scale};
  if (bias)
    operands.push_back(bias);
  for (int64_t result = 0; result < 3; ++result) {
    if (result > 0 && !c.outputUsed(size_t(result)))
      continue;
    Attrs a;
    a.set("axis", normalizeAxis(c, axis, rank, "axis"));
    a.set("epsilon", epsilon);
    a.set("result", result);
    if (result == 0)
      c.emit(OpKind::LayerNormalization, operands, a);
    else
      c.emitOutput(size_t(result), OpKind::LayerNormalization, operands, a,
                   result == 1 ? "mean" : "inv_std_dev");
  }
}

// InstanceNormalization(X, scale[C], B[C]) {epsilon=1e-5}
static void importInstanceNormalization(NodeContext &c) {
  Value *x = c.input(0), *scale = c.input(1), *bias = c.input(2);
  Attrs a;
  a.set("epsilon", c.attrFloat("epsilon", 1e-5));
  c.emit(OpKind::InstanceNormalization, {x, scale, bias}, a);
}

// MeanVarianceNormalization(X) {axes=[0,2,3]} (9+)
static void importMeanVarianceNormalization(NodeContext &c) {
  Value *x = c.input(0);
  Ints axes = c.attrInts("axes", {0, 2, 3});
  if (!x || c.failed())
    return;
  Attrs a;
  a.set("axes", normalizeAxes(c, axes, x->type.rank()));
  c.emit(OpKind::MeanVarianceNormalization, {x}, a);
}

// LpNormalization(X) {axis=-1, p=2}
static void importLpNormalization(NodeContext &c) {
  Value *x = c.input(0);
  int64_t axis = c.attrInt("axis", -1);
  int64_t p = c.attrInt("p", 2);
  if (!x || c.failed())
    return;
  if (x->type.rank() == 0)
    return c.fail("input must have rank >= 1");
  Attrs a;
  a.set("axis", normalizeAxis(c, axis, x->type.rank(), "axis"));
  a.set("p", p);
  c.emit(OpKind::LpNormalization, {x}, a);
}

/// reduction="mean" | "sum" | "none" as the canonical code (docs/IR.md).
static int64_t lossReduction(NodeContext &c) {
  std::string r = c.attrString("reduction", "mean");
  if (r == "none")
    return 0;
  if (r == "sum")
    return 1;
  if (r != "mean")
    c.failf("reduction '{}' is not one of none, sum, mean", displayName(r));
  return 2;
}

/// NegativeLogLikelihoodLoss's canonical attributes.
static Attrs lossAttrs(NodeContext &c) {
  Attrs a;
  a.set("reduction", lossReduction(c));
  a.set("has_ignore_index", int64_t(c.hasAttr("ignore_index")));
  a.set("ignore_index", c.attrInt("ignore_index", 0));
  return a;
}

// NegativeLogLikelihoodLoss(input[N,C,d...], target[N,d...], weight[C]?)
//   {ignore_index (optional), reduction="mean"} (12+)
static void importNegativeLogLikelihoodLoss(NodeContext &c) {
  Value *x = c.input(0), *target = c.input(1), *weight = c.optionalInput(2);
  Attrs a = lossAttrs(c);
  std::vector<Value *> ops{x, target};
  if (weight)
    ops.push_back(weight);
  c.emit(OpKind::NegativeLogLikelihoodLoss, ops, a);
}

// SoftmaxCrossEntropyLoss(scores[N,C,d...], labels[N,d...], weights[C]?)
//   -> (output, log_prob?) {ignore_index (optional), reduction="mean"} (12+)
// = NegativeLogLikelihoodLoss(LogSoftmax(scores) along C, labels, weights).
static void importSoftmaxCrossEntropyLoss(NodeContext &c) {
  Value *x = c.input(0), *labels = c.input(1), *weights = c.optionalInput(2);
  Attrs a = lossAttrs(c);
  if (!x || c.failed())
    return;
  if (x->type.rank() < 2)
    return c.failf("scores have rank {}, expected at least 2 ([N,C,...])", x->type.rank());
  Attrs softmax;
  softmax.set("axis", int64_t(1));
  softmax.set("legacy", int64_t(0));
  Value *logProb =
      c.outputUsed(1)
          ? c.emitOutput(1, OpKind::LogSoftmax, {x}, softmax, "log_prob")
          : c.emitHelper(OpKind::LogSoftmax, {x}, softmax, "log_prob");
  std::vector<Value *> ops{logProb, labels};
  if (weights)
    ops.push_back(weights);
  c.emit(OpKind::NegativeLogLikelihoodLoss, ops, a);
}

// Dropout(X, ratio? (12+), training_mode? (12+)) -> (Y, mask?)
//   {ratio=0.5 (<12), is_test (<7), seed}
// Inference: Y = X, and the mask (bool, 12+) is all true.
static void importDropout(NodeContext &c) {
  Value *x = c.input(0);
  if (c.opset() < 12)
    c.attrFloat("ratio", 0.5);
  if (c.opset() >= 12 && c.hasInput(2)) {
    auto training = c.constScalar(2, "training_mode");
    if (training && *training != 0)
      return c.unsupported("Dropout with training_mode=true");
  }
  if (c.opset() < 7 && c.attrInt("is_test", 0) == 0 && c.outputUsed(1))
    return c.unsupported("Dropout's mask in training mode (is_test=0)");
  c.emit(OpKind::Dropout, {x});
  if (!c.outputUsed(1) || c.failed())
    return;
  // Before opset 10 the mask had X's element type; since then it is bool.
  DType maskType = c.opset() < 10 ? DType::F32 : DType::Bool;
  int64_t count = x->type.numElements();
  // A constant sized by a declared shape: bounded like import-time folding,
  // so that a hostile model cannot make the importer allocate gigabytes.
  if (count > limits::MaxImportFoldElements)
    return c.unsupported(fmt::format("Dropout's mask of {} elements (more than {})",
                                     count, limits::MaxImportFoldElements));
  auto ones = std::make_shared<ConstantData>();
  if (maskType == DType::F32)
    ones->f32.assign(size_t(count), 1.0f);
  else
    ones->i64.assign(size_t(count), 1); // bool data is held widened (IR.h)
  c.defineConstant(1, ConstantTensor{TensorType{maskType, x->type.dims}, ones});
}

// Reduce*(data, axes?) {keepdims=1, noop_with_empty_axes=0} (from the
// opset AxesInput of Reductions.def: 13 for ReduceSum, 18 for the others);
// Reduce*(data) {axes=all, keepdims=1} (before).
// No axes reduce every axis, or with noop_with_empty_axes are an Identity.
template <OpKind Op, int64_t AxesInput> static void importReduction(NodeContext &c) {
  Value *x = c.input(0);
  int64_t keepDims = c.attrInt("keepdims", 1);
  int64_t noop = c.attrInt("noop_with_empty_axes", 0);
  Ints axes;
  if (c.opset() < AxesInput) {
    if (c.hasAttr("axes"))
      axes = c.attrInts("axes");
  } else if (c.hasInput(1)) {
    axes = c.constInts(1, "axes");
  }
  if (!x || c.failed())
    return;
  if (axes.empty() && noop != 0)
    return void(c.emit(OpKind::Identity, {x}));
  const int64_t rank = x->type.rank();
  Ints resolved;
  if (axes.empty()) {
    resolved.resize(size_t(rank));
    std::iota(resolved.begin(), resolved.end(), 0);
  } else {
    resolved = normalizeAxes(c, axes, rank);
  }
  if (c.failed())
    return;
  Attrs a;
  a.set("axes", resolved);
  a.set("keepdims", int64_t(keepDims != 0));
  c.emit(Op, {x}, a);
}

std::span<const OpImporter> nnOpImporters() {
  static constexpr OpImporter Table[] = {
      {"GlobalAveragePool", importGlobalAveragePool},
      {"GlobalMaxPool", importGlobalMaxPool},
      {"LRN", importLRN},
      {"BatchNormalization", importBatchNormalization},
      {"Gemm", importGemm},
      {"MatMul", importMatMul},
      {"Add", importAdd},
      {"Sub", importSub},
      {"Mul", importMul},
      {"Div", importDiv},
      {"Sum", importSum},
      {"Pow", importPow},
      {"Max", importMax},
      {"Min", importMin},
      {"Mean", importMean},
      {"Mod", importMod},
      {"Equal", importEqual},
      {"Less", importLess},
      {"Greater", importGreater},
      {"LessOrEqual", importLessOrEqual},
      {"GreaterOrEqual", importGreaterOrEqual},
      {"And", importAnd},
      {"Or", importOr},
      {"Xor", importXor},
      {"Not", importNot},
      {"Where", importWhere},
      {"BitShift", importBitShift},
      {"PRelu", importPRelu},
      {"Clip", importClip},
      {"Gelu", importGelu},
      {"Softmax", importSoftmax<OpKind::Softmax>},
      {"LogSoftmax", importSoftmax<OpKind::LogSoftmax>},
      {"Hardmax", importSoftmax<OpKind::Hardmax>},
      {"LayerNormalization", importLayerNormalization},
      {"InstanceNormalization", importInstanceNormalization},
      {"MeanVarianceNormalization", importMeanVarianceNormalization},
      {"LpNormalization", importLpNormalization},
      {"NegativeLogLikelihoodLoss", importNegativeLogLikelihoodLoss},
      {"SoftmaxCrossEntropyLoss", importSoftmaxCrossEntropyLoss},
      {"Dropout", importDropout},
#define REDUCTION(Name, ABI, Code, AxesInput) {#Name, importReduction<OpKind::Name, AxesInput>},
#include "compiler/ir/Reductions.def"
  };
  return Table;
}

} // namespace kiln::frontend
