//===- SpatialOps.cpp - Importers of Conv, MaxPool and AveragePool --------===//
//
// kiln's spatial ops are 2-D (docs/IR.md). Other ranks are rewritten here
// into 2-D ops, so the passes, the interpreter and the code generator see
// one form:
//
//   1-D  X[N,C,L]     -> Unsqueeze -> [N,C,1,L] -> op over a 1xk window
//                     -> Squeeze -> [N,C,OL]                (Conv, pools)
//   3-D  X[N,C,D,H,W] -> Reshape [N,C*D,H,W] -> pool over HxW
//                     -> Reshape [N,C,D,OH*OW] -> pool over Dx1
//                     -> Reshape [N,C,OD,OH,OW]             (pools only)
//
// The 3-D rewrite is exact because max and average pools are separable: a
// window is a box, max over a box is the max over D of the maxima over HxW,
// and the count each average divides by (inside the input, or inside the
// padded input) is the product of the per-axis counts.
//
//===----------------------------------------------------------------------===//

#include "frontend/OpImporters.h"

#include "compiler/ir/Diagnostics.h"

#include <array>
#include <tuple>

namespace kiln::frontend {

namespace {

using Ints = std::vector<int64_t>;

std::string listStr(const Ints &v) { return fmt::format("[{}]", fmt::join(v, ",")); }

/// A sliding window over the spatial axes of an [N,C,...] input, auto_pad
/// resolved into explicit pads (all begins, then all ends).
struct Window {
  Ints kernel, strides, pads, dilations;
  size_t rank() const { return kernel.size(); }
};

/// Reads kernel_shape, strides, pads, dilations and auto_pad of a window op
/// on input X with 1 to `maxSpatial` spatial axes; `weightKernel` is Conv's
/// kernel from its weight.
bool readWindow(NodeContext &c, Value *x, const Ints *weightKernel, size_t maxSpatial,
                Window &w) {
  constexpr int64_t Big = int64_t(1) << 31;
  if (c.failed() || !x)
    return false;
  int64_t rank = x->type.rank();
  if (rank < 3 || rank - 2 > int64_t(maxSpatial)) {
    c.unsupported(fmt::format("{}-D {} (input rank {})", std::max<int64_t>(rank - 2, 0),
                              c.opType(), rank));
    return false;
  }
  size_t s = size_t(rank - 2);
  std::string autoPad = c.attrString("auto_pad", "NOTSET");
  if (weightKernel) {
    w.kernel = c.attrInts("kernel_shape", *weightKernel);
    if (w.kernel != *weightKernel)
      c.failf("kernel_shape {} does not match the weight's kernel {}",
              listStr(w.kernel), listStr(*weightKernel));
  } else if (c.requireAttr("kernel_shape")) {
    w.kernel = c.attrInts("kernel_shape");
  }
  w.strides = c.attrInts("strides", Ints(s, 1));
  w.dilations = c.attrInts("dilations", Ints(s, 1));
  w.pads = c.attrInts("pads", Ints(2 * s, 0));
  if (c.failed())
    return false;
  auto checkLen = [&](const Ints &v, size_t n, const char *what) {
    if (v.size() != n)
      c.failf("{} {} has {} values, expected {}", what, listStr(v), v.size(), n);
  };
  checkLen(w.kernel, s, "kernel_shape");
  checkLen(w.strides, s, "strides");
  checkLen(w.dilations, s, "dilations");
  checkLen(w.pads, 2 * s, "pads");
  if (c.failed())
    return false;
  for (size_t i = 0; i < s; ++i) {
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
  if (c.hasAttr("pads")) {
    // The spec forbids both; exporters that write zeros alongside mean auto_pad.
    for (int64_t p : w.pads)
      if (p != 0) {
        c.failf("auto_pad {} and explicit pads {} are both set", autoPad,
                listStr(w.pads));
        return false;
      }
  }
  if (autoPad == "VALID") {
    w.pads.assign(2 * s, 0);
    return true;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    c.failf("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID",
            displayName(autoPad));
    return false;
  }
  // SAME: output = ceil(in / stride); the extra pad goes at the end for
  // SAME_UPPER and at the beginning for SAME_LOWER.
  for (size_t i = 0; i < s; ++i) {
    int64_t in = x->type.dims[2 + i], st = w.strides[i];
    int64_t out = (in + st - 1) / st;
    int64_t effK = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * st + effK - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + s] = autoPad == "SAME_UPPER" ? large : small;
  }
  return true;
}

/// The 2-D window made of `w`'s spatial axes `axes`; -1 is a unit axis
/// (kernel 1, stride 1, no padding).
Window window2d(const Window &w, std::array<int, 2> axes) {
  Window r;
  r.pads.assign(4, 0);
  for (size_t i = 0; i < 2; ++i) {
    int a = axes[i];
    r.kernel.push_back(a < 0 ? 1 : w.kernel[size_t(a)]);
    r.strides.push_back(a < 0 ? 1 : w.strides[size_t(a)]);
    r.dilations.push_back(a < 0 ? 1 : w.dilations[size_t(a)]);
    if (a >= 0) {
      r.pads[i] = w.pads[size_t(a)];
      r.pads[i + 2] = w.pads[size_t(a) + w.rank()];
    }
  }
  return r;
}

/// `base` plus the canonical window attributes of a 2-D window.
Attrs windowAttrs(const Window &w, Attrs base, bool withDilations) {
  assert(w.rank() == 2 && "kiln's window ops are 2-D");
  base.set("kernel", w.kernel);
  base.set("strides", w.strides);
  base.set("pads", w.pads);
  if (withDilations)
    base.set("dilations", w.dilations);
  return base;
}

Attrs axesAttr(Ints axes) {
  Attrs a;
  a.set("axes", std::move(axes));
  return a;
}

Attrs shapeAttr(Ints shape) {
  Attrs a;
  a.set("shape", std::move(shape));
  return a;
}

/// [N,C,L] -> [N,C,1,L], the operand of the lifted 1-D op.
Value *liftTo2d(NodeContext &c, Value *x, const std::string &suffix) {
  return c.emitHelper(OpKind::Unsqueeze, {x}, axesAttr({2}), suffix);
}

/// A pool over `w` (1-D, 2-D or 3-D) whose result is ONNX output 0. `attrs`
/// holds the op's own attributes (ceil_mode, count_include_pad).
Value *emitPool(NodeContext &c, OpKind op, Value *x, const Window &w, const Attrs &attrs) {
  bool isMax = op == OpKind::MaxPool;
  if (w.rank() == 2)
    return c.emit(op, {x}, windowAttrs(w, attrs, isMax));
  if (w.rank() == 1) {
    Value *x4 = liftTo2d(c, x, "unsqueeze");
    Value *y4 = c.emitHelper(op, {x4}, windowAttrs(window2d(w, {-1, 0}), attrs, isMax),
                             "pool");
    return c.emit(OpKind::Squeeze, {y4}, axesAttr({2}));
  }
  // 3-D: HxW over [N, C*D, H, W], then D over [N, C, D, OH*OW].
  const Dims &d = x->type.dims;
  int64_t n = d[0], ch = d[1], depth = d[2], h = d[3], wd = d[4];
  int64_t cd;
  if (__builtin_mul_overflow(ch, depth, &cd)) {
    c.fail("input has too many elements");
    return nullptr;
  }
  Value *planes = c.emitHelper(OpKind::Reshape, {x}, shapeAttr({n, cd, h, wd}), "planes");
  Value *hw = c.emitHelper(op, {planes}, windowAttrs(window2d(w, {1, 2}), attrs, isMax),
                           "pool_hw");
  if (!hw)
    return nullptr;
  int64_t oh = hw->type.dims[2], ow = hw->type.dims[3];
  Value *cols = c.emitHelper(OpKind::Reshape, {hw}, shapeAttr({n, ch, depth, oh * ow}),
                             "columns");
  Value *pooled = c.emitHelper(op, {cols},
                               windowAttrs(window2d(w, {0, -1}), attrs, isMax), "pool_d");
  if (!pooled)
    return nullptr;
  return c.emit(OpKind::Reshape, {pooled}, shapeAttr({n, ch, pooled->type.dims[2], oh, ow}));
}

} // namespace

Value *emitConv(NodeContext &c, Value *x, Value *w, Value *b, bool isOutput) {
  int64_t group = c.attrInt("group", 1);
  if (c.failed() || !x || !w)
    return nullptr;
  int64_t rank = x->type.rank();
  if (rank != 3 && rank != 4) {
    c.unsupported(fmt::format("{}-D Conv (input rank {})", std::max<int64_t>(rank - 2, 0),
                              rank));
    return nullptr;
  }
  if (w->type.rank() != rank) {
    c.failf("weight '{}' has rank {}, expected {}", displayName(w->name), w->type.rank(),
            rank);
    return nullptr;
  }
  if (group <= 0) {
    c.failf("group {} must be positive", group);
    return nullptr;
  }
  Ints weightKernel(w->type.dims.begin() + 2, w->type.dims.end());
  Window win;
  if (!readWindow(c, x, &weightKernel, 2, win))
    return nullptr;
  if (x->type.dims[1] % group != 0) {
    c.failf("group {} does not divide the {} input channels", group, x->type.dims[1]);
    return nullptr;
  }
  if (w->type.dims[0] % group != 0) {
    c.failf("group {} does not divide the {} output channels", group, w->type.dims[0]);
    return nullptr;
  }
  Attrs a;
  a.set("group", group);
  if (rank == 4) {
    std::vector<Value *> ops{x, w};
    if (b)
      ops.push_back(b);
    Attrs attrs = windowAttrs(win, a, /*withDilations=*/true);
    return isOutput ? c.emit(OpKind::Conv, ops, attrs)
                    : c.emitHelper(OpKind::Conv, ops, attrs, "conv");
  }
  // 1-D: the weight [M,C/group,K] becomes [M,C/group,1,K] (folded when constant).
  std::vector<Value *> ops{liftTo2d(c, x, "unsqueeze"), liftTo2d(c, w, "weight")};
  if (b)
    ops.push_back(b);
  Value *y4 = c.emitHelper(OpKind::Conv, ops,
                           windowAttrs(window2d(win, {-1, 0}), a, true), "conv");
  return isOutput ? c.emit(OpKind::Squeeze, {y4}, axesAttr({2}))
                  : c.emitHelper(OpKind::Squeeze, {y4}, axesAttr({2}), "squeeze");
}

// Conv(X, W, B?) {auto_pad="NOTSET", dilations=1s, group=1, kernel_shape=W's,
//                 pads=0s, strides=1s}
static void importConv(NodeContext &c) {
  Value *x = c.input(0), *w = c.input(1), *b = c.optionalInput(2);
  emitConv(c, x, w, b, /*isOutput=*/true);
}

// ConvTranspose(X, W, B?) {auto_pad="NOTSET", dilations=1s, group=1,
//   kernel_shape=W's, output_padding=0s, output_shape (optional), pads=0s,
//   strides=1s}
// The full result along an axis has s*(in-1) + output_padding + (k-1)*d + 1
// positions; pads crop it. output_shape or SAME_* give the output size and
// the pads crop the difference (SAME_UPPER: the larger half at the end, as
// the spec and ONNX's test); an output_shape beyond the full result extends
// it at the end, where only the bias reaches. Canonical end pads absorb
// output_padding and that extension, so they may be negative.
static void importConvTranspose(NodeContext &c) {
  constexpr int64_t Big = int64_t(1) << 31;
  Value *x = c.input(0), *w = c.input(1), *b = c.optionalInput(2);
  int64_t group = c.attrInt("group", 1);
  if (c.failed())
    return;
  int64_t rank = x->type.rank();
  if (rank != 3 && rank != 4)
    return c.unsupported(fmt::format("{}-D ConvTranspose (input rank {})",
                                     std::max<int64_t>(rank - 2, 0), rank));
  if (w->type.rank() != rank)
    return c.failf("weight '{}' has rank {}, expected {}", displayName(w->name),
                   w->type.rank(), rank);
  if (group <= 0 || x->type.dims[1] % group != 0)
    return c.failf("group {} does not divide the {} input channels", group,
                   x->type.dims[1]);
  const size_t s = size_t(rank - 2);
  Ints weightKernel(w->type.dims.begin() + 2, w->type.dims.end());
  Ints kernel = c.attrInts("kernel_shape", weightKernel);
  Ints strides = c.attrInts("strides", Ints(s, 1));
  Ints dilations = c.attrInts("dilations", Ints(s, 1));
  Ints pads = c.attrInts("pads", Ints(2 * s, 0));
  Ints outputPadding = c.attrInts("output_padding", Ints(s, 0));
  Ints outputShape = c.attrInts("output_shape");
  std::string autoPad = c.attrString("auto_pad", "NOTSET");
  if (c.failed())
    return;
  if (kernel != weightKernel)
    return c.failf("kernel_shape {} does not match the weight's kernel {}", listStr(kernel),
                   listStr(weightKernel));
  for (auto [v, n, what] : {std::tuple{&strides, s, "strides"}, {&dilations, s, "dilations"},
                            {&pads, 2 * s, "pads"}, {&outputPadding, s, "output_padding"}})
    if (v->size() != n)
      return c.failf("{} {} has {} values, expected {}", what, listStr(*v), v->size(), n);
  // output_shape may also name N and C (a legacy spelling): keep the spatial tail.
  if (outputShape.size() == s + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && outputShape.size() != s)
    return c.failf("output_shape {} has {} values, expected {}", listStr(outputShape),
                   outputShape.size(), s);
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return c.failf("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID",
                   displayName(autoPad));
  for (size_t i = 0; i < s; ++i) {
    if (strides[i] <= 0 || strides[i] > Big || dilations[i] <= 0 || dilations[i] > Big ||
        kernel[i] <= 0 || kernel[i] > Big)
      return c.failf("kernel_shape {}, strides {} and dilations {} must be in [1, 2^31]",
                     listStr(kernel), listStr(strides), listStr(dilations));
    if (outputPadding[i] < 0 || outputPadding[i] >= std::max(strides[i], dilations[i]))
      return c.failf("output_padding {} must be in [0, max(stride, dilation))",
                     listStr(outputPadding));
    if (pads[i] < 0 || pads[i] > Big || pads[i + s] < 0 || pads[i + s] > Big)
      return c.failf("pads {} must be in [0, 2^31]", listStr(pads));
  }
  if (autoPad == "VALID")
    pads.assign(2 * s, 0);
  for (size_t i = 0; i < s; ++i) {
    int64_t in = x->type.dims[2 + i];
    if (in <= 0 || in > Big)
      return c.failf("input spatial size {} must be in [1, 2^31]", in);
    int64_t full = strides[i] * (in - 1) + outputPadding[i] + dilations[i] * (kernel[i] - 1) + 1;
    int64_t out = -1;
    if (!outputShape.empty())
      out = outputShape[i];
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      out = in * strides[i];
    if (out == -1) {
      pads[i + s] -= outputPadding[i]; // the end pad absorbs output_padding
      continue;
    }
    if (out <= 0 || out > Big)
      return c.failf("output size {} must be in [1, 2^31]", out);
    int64_t total = full - out;
    int64_t begin = total <= 0 ? 0 : autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
    pads[i] = begin;
    pads[i + s] = total - begin - outputPadding[i]; // canonical: without output_padding
  }
  Attrs a;
  a.set("group", group);
  Window win{kernel, strides, pads, dilations};
  if (rank == 4) {
    std::vector<Value *> ops{x, w};
    if (b)
      ops.push_back(b);
    c.emit(OpKind::ConvTranspose, ops, windowAttrs(win, a, /*withDilations=*/true));
    return;
  }
  std::vector<Value *> ops{liftTo2d(c, x, "unsqueeze"), liftTo2d(c, w, "weight")};
  if (b)
    ops.push_back(b);
  Value *y4 = c.emitHelper(OpKind::ConvTranspose, ops,
                           windowAttrs(window2d(win, {-1, 0}), a, true), "conv_transpose");
  c.emit(OpKind::Squeeze, {y4}, axesAttr({2}));
}

// MaxPool(X) -> (Y, Indices?) {auto_pad="NOTSET", ceil_mode=0 (10+),
//   dilations=1s (10+), kernel_shape (required), pads=0s, storage_order=0 (8+),
//   strides=1s}
static void importMaxPool(NodeContext &c) {
  Value *x = c.input(0);
  int64_t ceilMode = c.attrInt("ceil_mode", 0);
  int64_t storageOrder = c.attrInt("storage_order", 0); // only affects Indices
  Window win;
  if (!readWindow(c, x, nullptr, 3, win))
    return;
  Attrs a;
  a.set("ceil_mode", int64_t(ceilMode != 0));
  emitPool(c, OpKind::MaxPool, x, win, a);
  if (!c.outputUsed(1) || c.failed())
    return;
  // Indices: the flattened index of each window's maximum, computed by its
  // own node (MaxPool's fusions and fast kernels stay single-output).
  if (win.rank() == 3)
    return c.unsupported("Indices of a 3-D MaxPool");
  a.set("storage_order", int64_t(storageOrder != 0));
  if (win.rank() == 2) {
    c.emitOutput(1, OpKind::MaxPoolIndices, {x}, windowAttrs(win, a, true), "indices");
    return;
  }
  // [N,C,1,L] and [N,C,L] flatten alike, in either storage order (H = 1).
  Value *x4 = liftTo2d(c, x, "indices_unsqueeze");
  Value *i4 = c.emitHelper(OpKind::MaxPoolIndices, {x4},
                           windowAttrs(window2d(win, {-1, 0}), a, true), "indices");
  c.emitOutput(1, OpKind::Squeeze, {i4}, axesAttr({2}), "indices_squeeze");
}

// AveragePool(X) {auto_pad="NOTSET", ceil_mode=0 (10+), count_include_pad=0,
//   kernel_shape (required), pads=0s, strides=1s, dilations=1s (19+)}
static void importAveragePool(NodeContext &c) {
  Value *x = c.input(0);
  int64_t ceilMode = c.attrInt("ceil_mode", 0);
  int64_t countIncludePad = c.attrInt("count_include_pad", 0);
  Ints dilations = c.attrInts("dilations");
  for (int64_t d : dilations)
    if (d != 1)
      return c.unsupported("AveragePool with dilations " + listStr(dilations));
  Window win;
  if (!readWindow(c, x, nullptr, 3, win))
    return;
  Attrs a;
  a.set("ceil_mode", int64_t(ceilMode != 0));
  a.set("count_include_pad", int64_t(countIncludePad != 0));
  emitPool(c, OpKind::AveragePool, x, win, a);
}

std::span<const OpImporter> spatialOpImporters() {
  static constexpr OpImporter Table[] = {
      {"Conv", importConv},
      {"ConvTranspose", importConvTranspose},
      {"MaxPool", importMaxPool},
      {"AveragePool", importAveragePool},
  };
  return Table;
}

} // namespace kiln::frontend
