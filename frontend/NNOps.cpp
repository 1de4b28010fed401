//===- NNOps.cpp - Importers of ONNX compute ops --------------------------===//
//
// Conv, pooling, normalization, dense algebra, elementwise and activations.
// Each function's first lines are the op's ONNX signature: attributes with
// the defaults the spec gives them, per opset where they changed.
//
//===----------------------------------------------------------------------===//

#include "frontend/OpImporters.h"

#include "compiler/ir/Diagnostics.h"

#include <limits>

namespace kiln::frontend {

namespace {

using Ints = std::vector<int64_t>;

std::string listStr(const Ints &v) { return fmt::format("[{}]", fmt::join(v, ",")); }

/// A 2-D sliding window with auto_pad resolved into explicit pads.
struct Window {
  Ints kernel, strides, pads, dilations;
};

/// Reads kernel_shape, strides, pads, dilations and auto_pad of a 2-D
/// window op on input X; `weightKernel` is Conv's kernel from its weight.
bool readWindow(NodeContext &c, Value *x, const Ints *weightKernel, Window &w) {
  constexpr int64_t Big = int64_t(1) << 31;
  if (c.failed() || !x)
    return false;
  if (x->type.rank() != 4) {
    c.unsupported(fmt::format("{}-D {} (input rank {})",
                              std::max<int64_t>(x->type.rank() - 2, 0), c.opType(),
                              x->type.rank()));
    return false;
  }
  std::string autoPad = c.attrString("auto_pad", "NOTSET");
  if (weightKernel) {
    w.kernel = c.attrInts("kernel_shape", *weightKernel);
    if (w.kernel != *weightKernel)
      c.failf("kernel_shape {} does not match the weight's kernel {}",
              listStr(w.kernel), listStr(*weightKernel));
  } else if (c.requireAttr("kernel_shape")) {
    w.kernel = c.attrInts("kernel_shape");
  }
  w.strides = c.attrInts("strides", {1, 1});
  w.dilations = c.attrInts("dilations", {1, 1});
  w.pads = c.attrInts("pads", {0, 0, 0, 0});
  if (c.failed())
    return false;
  auto checkLen = [&](const Ints &v, size_t n, const char *what) {
    if (v.size() != n)
      c.failf("{} {} has {} values, expected {}", what, listStr(v), v.size(), n);
  };
  checkLen(w.kernel, 2, "kernel_shape");
  checkLen(w.strides, 2, "strides");
  checkLen(w.dilations, 2, "dilations");
  checkLen(w.pads, 4, "pads");
  if (c.failed())
    return false;
  for (size_t i = 0; i < 2; ++i) {
    if (w.kernel[i] <= 0)
      c.failf("kernel_shape {} must be positive", listStr(w.kernel));
    if (w.strides[i] <= 0)
      c.failf("strides {} must be positive", listStr(w.strides));
    if (w.dilations[i] <= 0)
      c.failf("dilations {} must be positive", listStr(w.dilations));
    // Bounded so that window arithmetic cannot overflow.
    if (w.kernel[i] > Big || w.dilations[i] > Big || w.strides[i] > Big)
      c.failf("kernel_shape {}, strides {} or dilations {} are too large",
              listStr(w.kernel), listStr(w.strides), listStr(w.dilations));
  }
  for (int64_t p : w.pads)
    if (p < 0 || p > Big)
      c.failf("pads {} must be in [0, 2^31]", listStr(w.pads));
  if (c.failed())
    return false;

  if (autoPad == "NOTSET")
    return true;
  if (c.hasAttr("pads") && autoPad != "NOTSET") {
    // The spec forbids both; exporters that write zeros alongside mean auto_pad.
    for (int64_t p : w.pads)
      if (p != 0) {
        c.failf("auto_pad {} and explicit pads {} are both set", autoPad,
                listStr(w.pads));
        return false;
      }
  }
  if (autoPad == "VALID") {
    w.pads = {0, 0, 0, 0};
    return true;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    c.failf("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID",
            displayName(autoPad));
    return false;
  }
  // SAME: output = ceil(in / stride); the extra pad goes at the end for
  // SAME_UPPER and at the beginning for SAME_LOWER.
  for (size_t i = 0; i < 2; ++i) {
    int64_t in = x->type.dims[2 + i], s = w.strides[i];
    int64_t out = (in + s - 1) / s;
    int64_t effK = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * s + effK - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return true;
}

Attrs windowAttrs(const Window &w) {
  Attrs a;
  a.set("kernel", w.kernel);
  a.set("strides", w.strides);
  a.set("pads", w.pads);
  return a;
}

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

void importActivation(NodeContext &c, OpKind op) { c.emit(op, {c.input(0)}); }

} // namespace

// Conv(X, W, B?) {auto_pad="NOTSET", dilations=1s, group=1, kernel_shape=W's,
//                 pads=0s, strides=1s}
void importConv(NodeContext &c) {
  Value *x = c.input(0), *w = c.input(1), *b = c.optionalInput(2);
  int64_t group = c.attrInt("group", 1);
  if (c.failed())
    return;
  if (w->type.rank() != 4) {
    if (x->type.rank() != 4)
      c.unsupported(fmt::format("{}-D Conv (input rank {})",
                                std::max<int64_t>(x->type.rank() - 2, 0),
                                x->type.rank()));
    c.failf("weight '{}' has rank {}, expected 4", displayName(w->name),
            w->type.rank());
    return;
  }
  if (group <= 0) {
    c.failf("group {} must be positive", group);
    return;
  }
  Ints weightKernel(w->type.dims.begin() + 2, w->type.dims.end());
  Window win;
  if (!readWindow(c, x, &weightKernel, win))
    return;
  if (x->type.dims[1] % group != 0) {
    c.failf("group {} does not divide the {} input channels", group, x->type.dims[1]);
    return;
  }
  if (w->type.dims[0] % group != 0) {
    c.failf("group {} does not divide the {} output channels", group, w->type.dims[0]);
    return;
  }
  Attrs a = windowAttrs(win);
  a.set("dilations", win.dilations);
  a.set("group", group);
  std::vector<Value *> ops{x, w};
  if (b)
    ops.push_back(b);
  c.emit(OpKind::Conv, ops, a);
}

// MaxPool(X) -> (Y, Indices?) {auto_pad="NOTSET", ceil_mode=0 (10+),
//   dilations=1s (10+), kernel_shape (required), pads=0s, storage_order=0,
//   strides=1s}
void importMaxPool(NodeContext &c) {
  Value *x = c.input(0);
  int64_t ceilMode = c.attrInt("ceil_mode", 0);
  c.attrInt("storage_order", 0); // only affects Indices
  c.requireUnusedOutputs(1, "Indices");
  Window win;
  if (!readWindow(c, x, nullptr, win))
    return;
  Attrs a = windowAttrs(win);
  a.set("dilations", win.dilations);
  a.set("ceil_mode", int64_t(ceilMode != 0));
  c.emit(OpKind::MaxPool, {x}, a);
}

// AveragePool(X) {auto_pad="NOTSET", ceil_mode=0 (10+), count_include_pad=0,
//   kernel_shape (required), pads=0s, strides=1s}
void importAveragePool(NodeContext &c) {
  Value *x = c.input(0);
  int64_t ceilMode = c.attrInt("ceil_mode", 0);
  int64_t countIncludePad = c.attrInt("count_include_pad", 0);
  Ints dilations = c.attrInts("dilations", {1, 1}); // opset 19
  if (dilations != Ints{1, 1} && dilations != Ints{})
    return c.unsupported("AveragePool with dilations " + listStr(dilations));
  Window win;
  if (!readWindow(c, x, nullptr, win))
    return;
  Attrs a = windowAttrs(win);
  a.set("ceil_mode", int64_t(ceilMode != 0));
  a.set("count_include_pad", int64_t(countIncludePad != 0));
  c.emit(OpKind::AveragePool, {x}, a);
}

static void importGlobalPool(NodeContext &c, OpKind op) {
  Value *x = c.input(0);
  if (x && x->type.rank() != 4)
    return c.unsupported(fmt::format("{} of rank {} (kiln pools NCHW only)",
                                     c.opType(), x->type.rank()));
  c.emit(op, {x});
}

// GlobalAveragePool(X), GlobalMaxPool(X)
void importGlobalAveragePool(NodeContext &c) {
  importGlobalPool(c, OpKind::GlobalAveragePool);
}
void importGlobalMaxPool(NodeContext &c) { importGlobalPool(c, OpKind::GlobalMaxPool); }

// LRN(X) {alpha=1e-4, beta=0.75, bias=1.0, size (required)}
void importLRN(NodeContext &c) {
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
void importBatchNormalization(NodeContext &c) {
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
void importGemm(NodeContext &c) {
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
void importMatMul(NodeContext &c) { c.emit(OpKind::MatMul, {c.input(0), c.input(1)}); }

// Add/Sub/Mul/Div(A, B) {broadcast=0, axis (<7)}
void importAdd(NodeContext &c) { importBinary(c, OpKind::Add); }
void importSub(NodeContext &c) { importBinary(c, OpKind::Sub); }
void importMul(NodeContext &c) { importBinary(c, OpKind::Mul); }
void importDiv(NodeContext &c) { importBinary(c, OpKind::Div); }

// Sum(data_0, ...)
void importSum(NodeContext &c) { c.emit(OpKind::Sum, c.allInputs()); }

// Relu(X), Sigmoid(X)
void importRelu(NodeContext &c) { importActivation(c, OpKind::Relu); }
void importSigmoid(NodeContext &c) { importActivation(c, OpKind::Sigmoid); }

// LeakyRelu(X) {alpha=0.01}
void importLeakyRelu(NodeContext &c) {
  Attrs a;
  a.set("alpha", c.attrFloat("alpha", 0.01));
  c.emit(OpKind::LeakyRelu, {c.input(0)}, a);
}

// Clip(X, min?, max?) (11+); Clip(X) {min=lowest, max=highest} (<11)
void importClip(NodeContext &c) {
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

// Softmax(X) {axis=1, coerced to 2-D (<13); axis=-1 (13+)}
void importSoftmax(NodeContext &c) {
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
  c.emit(OpKind::Softmax, {x}, a);
}

// Dropout(X, ratio? (12+), training_mode? (12+)) -> (Y, mask?)
//   {ratio=0.5 (<12), is_test (<7), seed}
void importDropout(NodeContext &c) {
  Value *x = c.input(0);
  if (c.opset() < 12)
    c.attrFloat("ratio", 0.5);
  if (c.opset() >= 12 && c.hasInput(2)) {
    auto training = c.constScalar(2, "training_mode");
    if (training && *training != 0)
      return c.unsupported("Dropout with training_mode=true");
  }
  c.requireUnusedOutputs(1, "mask");
  c.emit(OpKind::Dropout, {x});
}

} // namespace kiln::frontend
