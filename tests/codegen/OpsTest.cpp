//===- OpsTest.cpp - Every op through the JIT against the reference -------===//

#include "tests/codegen/JitTest.h"

#include "compiler/codegen/Lowering.h"
#include "compiler/ir/ShapeInference.h"
#include "compiler/reference/Dispatch.h"

using namespace kiln;
using namespace kiln::test;

namespace {
Attrs ints(const char *name, std::vector<int64_t> v) {
  Attrs a;
  a.set(name, std::move(v));
  return a;
}
} // namespace

TEST_CASE("every op of Ops.def has a shape rule, a reference kernel and a lowering") {
  // Each layer registers its ops in per-family tables (compiler/ir/OpDispatch.h);
  // a row forgotten in one of them would surface only when a model uses the op.
  for (size_t i = 0; i < NumOpKinds; ++i) {
    OpKind op = OpKind(i);
    CAPTURE(opName(op));
    CHECK(hasShapeRule(op));
    bool hasReference = ref::evaluatorFor(op) != nullptr;
    CHECK(hasReference);
    CHECK(codegen::hasLowering(op));
  }
}

TEST_CASE("conv: padding, stride, groups, dilation, odd shapes") {
  struct Case {
    int64_t c, h, w, m, k, stride, pad, group, dil;
    bool bias;
  };
  for (Case c : {Case{3, 9, 7, 8, 3, 1, 1, 1, 1, true},
                 Case{4, 11, 10, 6, 3, 2, 0, 2, 1, false},
                 Case{8, 6, 6, 8, 3, 1, 1, 8, 1, true},   // depthwise
                 Case{5, 9, 9, 7, 3, 1, 2, 1, 2, true},   // dilation 2
                 Case{16, 5, 5, 12, 1, 1, 0, 1, 1, true}, // 1x1
                 Case{3, 7, 5, 4, 5, 3, 4, 1, 1, true}}) { // pad > kernel/2
    CAPTURE(c.c);
    CAPTURE(c.k);
    GraphBuilder b;
    Value *x = b.input("x", {2, c.c, c.h, c.w});
    b.output(b.conv("conv", x, c.m, c.k, c.stride, c.pad, c.group, c.bias, c.dil));
    checkGraph(b);
  }
}

TEST_CASE("conv epilogues: relu, residual add, clip, leaky relu, fused pools") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 4, 10, 10});
  Value *y = b.conv("c1", x, 4, 3, 1, 1);
  fuse(y, OpKind::Relu);
  Value *z = b.conv("c2", y, 4, 3, 1, 1);
  Node *n = z->producer;
  n->inputs.push_back(x);
  Attrs add;
  add.set("input", int64_t(3));
  fuse(z, OpKind::Add, add);
  Attrs clip;
  clip.set("min", 0.0);
  clip.set("max", 0.5);
  fuse(z, OpKind::Clip, clip);
  Value *p = b.conv("c3", z, 6, 3, 1, 1);
  Attrs lr;
  lr.set("alpha", 0.1);
  fuse(p, OpKind::LeakyRelu, lr);
  fuse(p, OpKind::MaxPool, maxPoolAttrs(3, 2, 1));
  Value *q = b.conv("c4", z, 5, 3, 1, 0);
  fuse(q, OpKind::AveragePool, avgPoolAttrs(2, 2, 1, 1));
  fuse(q, OpKind::Sigmoid);
  b.output(p);
  b.output(q);
  checkGraph(b);
}

TEST_CASE("pools and LRN") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 11, 9});
  b.output(b.node(OpKind::MaxPool, "mp", {x}, maxPoolAttrs(3, 2, 1, 1)));
  b.output(b.node(OpKind::AveragePool, "ap0", {x}, avgPoolAttrs(3, 2, 1, 0)));
  b.output(b.node(OpKind::AveragePool, "ap1", {x}, avgPoolAttrs(3, 2, 1, 1)));
  b.output(b.node(OpKind::GlobalAveragePool, "gap", {x}));
  b.output(b.node(OpKind::GlobalMaxPool, "gmp", {x}));
  Attrs lrn;
  lrn.set("size", int64_t(3));
  lrn.set("alpha", 1e-2);
  lrn.set("beta", 0.75);
  lrn.set("bias", 2.0);
  b.output(b.node(OpKind::LRN, "lrn", {x}, lrn));
  checkGraph(b);
}

TEST_CASE("batch normalization and scale-shift") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 5, 4, 3});
  b.output(b.batchNorm("bn", x));
  Value *s = b.node(OpKind::ScaleShift, "ss",
                    {x, b.weight("s", {5}), b.weight("t", {5})});
  fuse(s, OpKind::Relu);
  b.output(s);
  checkGraph(b);
}

TEST_CASE("gemm: transposes, alpha/beta, C broadcasts, epilogue") {
  for (int variant = 0; variant < 4; ++variant) {
    CAPTURE(variant);
    GraphBuilder b;
    int64_t M = 3, K = 37, N = 300;
    bool ta = variant & 1, tb = variant & 2;
    Value *a = b.input("a", ta ? Dims{K, M} : Dims{M, K});
    Value *w = b.weight("w", tb ? Dims{N, K} : Dims{K, N});
    Dims cd = variant == 0 ? Dims{N} : variant == 1 ? Dims{M, 1} : variant == 2 ? Dims{} : Dims{M, N};
    Attrs at;
    at.set("alpha", 0.5);
    at.set("beta", variant == 3 ? 0.0 : 2.0);
    at.set("transA", int64_t(ta));
    at.set("transB", int64_t(tb));
    Value *y = b.node(OpKind::Gemm, "gemm", {a, w, b.weight("c", cd)}, at);
    fuse(y, OpKind::Relu);
    b.output(y);
    checkGraph(b);
  }
}

TEST_CASE("matmul: batched, broadcast, vectors") {
  GraphBuilder b;
  Value *a = b.input("a", {2, 1, 4, 5});
  Value *c = b.input("c", {3, 5, 6});
  b.output(b.node(OpKind::MatMul, "bmm", {a, c}));
  Value *v = b.input("v", {5});
  b.output(b.node(OpKind::MatMul, "vm", {v, b.weight("m", {5, 7})}));
  b.output(b.node(OpKind::MatMul, "mv", {b.weight("m2", {4, 5}), v}));
  checkGraph(b);
}

TEST_CASE("broadcast arithmetic and activations") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4, 5});
  Value *y = b.input("y", {3, 1, 5});
  b.output(b.node(OpKind::Add, "add", {x, y}));
  b.output(b.node(OpKind::Sub, "sub", {y, x}));
  b.output(b.node(OpKind::Mul, "mul", {x, b.weight("s", {1})}));
  b.output(b.node(OpKind::Div, "div", {x, b.weight("d", {5}, 1.0f, 2.0f)}));
  b.output(b.node(OpKind::Sum, "sum", {x, y, b.weight("z", {4, 1})}));
  b.output(b.node(OpKind::Relu, "relu", {x}));
  Attrs lr;
  lr.set("alpha", 0.2);
  b.output(b.node(OpKind::LeakyRelu, "lrelu", {x}, lr));
  b.output(b.node(OpKind::Sigmoid, "sig", {x}));
  Attrs clip;
  clip.set("min", -0.25);
  clip.set("max", 0.25);
  b.output(b.node(OpKind::Clip, "clip", {x}, clip));
  Attrs hs;
  hs.set("alpha", 0.3);
  hs.set("beta", 0.4);
  b.output(b.node(OpKind::HardSigmoid, "hsig", {x}, hs));
  checkGraph(b);
}

TEST_CASE("hard sigmoid fused into conv and gemm epilogues, and standalone") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 5, 9, 9});
  Attrs hs;
  hs.set("alpha", 0.2);
  hs.set("beta", 0.5);
  Value *c = b.conv("c", x, 16, 3, 1, 1);
  fuse(c, OpKind::HardSigmoid, hs);
  b.output(c);
  // Saturating parameters: most outputs at 0 or 1.
  Attrs steep;
  steep.set("alpha", 4.0);
  steep.set("beta", 0.25);
  Value *d = b.conv("d", x, 8, 3, 2, 0);
  fuse(d, OpKind::HardSigmoid, steep);
  b.output(d);
  b.output(b.node(OpKind::HardSigmoid, "after", {c}, steep));
  Value *a = b.input("a", {3, 37});
  Attrs at;
  at.set("alpha", 1.0);
  at.set("beta", 1.0);
  at.set("transA", int64_t(0));
  at.set("transB", int64_t(0));
  Value *g = b.node(OpKind::Gemm, "gemm", {a, b.weight("w", {37, 70}), b.weight("bias", {70})}, at);
  fuse(g, OpKind::HardSigmoid, hs);
  b.output(g);
  checkGraph(b);
}

TEST_CASE("softmax, legacy and along an axis") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4, 70});
  for (int64_t axis : {1, 3}) {
    for (int64_t legacy : {0, 1}) {
      Attrs a;
      a.set("axis", axis);
      a.set("legacy", legacy);
      b.output(b.node(OpKind::Softmax, "sm" + std::to_string(axis * 2 + legacy), {x}, a));
    }
  }
  checkGraph(b);
}

TEST_CASE("data movement: transpose, concat, pad, flatten, reshape, gather") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4, 5});
  b.output(b.node(OpKind::Transpose, "t", {x}, ints("perm", {0, 2, 3, 1})));
  Attrs cat;
  cat.set("axis", int64_t(1));
  b.output(b.node(OpKind::Concat, "cat", {x, b.weight("k", {2, 2, 4, 5}), x}, cat));
  for (const char *mode : {"constant", "reflect", "edge"}) {
    Attrs pad;
    pad.set("pads", std::vector<int64_t>{0, 1, 2, -1, 0, 0, 3, 2});
    pad.set("mode", std::string(mode));
    pad.set("value", 1.5);
    b.output(b.node(OpKind::Pad, std::string("pad_") + mode, {x}, pad));
  }
  Attrs fl;
  fl.set("axis", int64_t(2));
  b.output(b.node(OpKind::Flatten, "flat", {x}, fl));
  b.output(b.node(OpKind::Reshape, "rs", {x}, ints("shape", {6, 20})));
  Attrs ga;
  ga.set("axis", int64_t(2));
  b.output(b.node(OpKind::Gather, "g", {x, b.constantI64("i", {2, 2}, {3, -1, 0, 2})}, ga));
  checkGraph(b);
}

namespace {
Attrs resizeNode(Dims sizes, std::vector<double> scales, const char *mode, const char *coord,
                  const char *nearest = "round_prefer_floor", int64_t exclude = 0,
                  std::vector<double> roi = {}) {
  Attrs a;
  if (roi.empty()) {
    roi.assign(sizes.size(), 0.0);
    roi.resize(2 * sizes.size(), 1.0);
  }
  a.set("sizes", sizes);
  a.set("scales", scales);
  a.set("roi", roi);
  a.set("mode", std::string(mode));
  a.set("coordinate_transformation_mode", std::string(coord));
  a.set("nearest_mode", std::string(nearest));
  a.set("cubic_coeff_a", -0.5);
  a.set("exclude_outside", exclude);
  a.set("extrapolation_value", 2.5);
  return a;
}
} // namespace

TEST_CASE("resize: nearest, linear and cubic, up and down, odd shapes") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 7, 5});
  const std::vector<double> up{1, 1, 13.0 / 7, 11.0 / 5}, down{1, 1, 4.0 / 7, 3.0 / 5};
  int i = 0;
  auto add = [&](Value *in, Attrs a) {
    b.output(b.node(OpKind::Resize, "resize" + std::to_string(i++), {in}, std::move(a)));
  };
  for (const char *nearest : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
    add(x, resizeNode({2, 3, 13, 11}, up, "nearest", "half_pixel", nearest));
  add(x, resizeNode({2, 3, 4, 3}, down, "nearest", "tf_half_pixel_for_nearest"));
  for (const char *coord : {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"}) {
    add(x, resizeNode({2, 3, 13, 11}, up, "linear", coord));
    add(x, resizeNode({2, 3, 4, 3}, down, "linear", coord));
  }
  add(x, resizeNode({2, 3, 1, 1}, {1, 1, 1.0 / 7, 1.0 / 5}, "linear", "pytorch_half_pixel"));
  add(x, resizeNode({2, 3, 13, 11}, up, "cubic", "half_pixel"));
  add(x, resizeNode({2, 3, 4, 3}, down, "cubic", "half_pixel", "floor", 1));
  // Every axis resized, and a crop reaching outside the input.
  add(x, resizeNode({3, 2, 9, 4}, {1.5, 2.0 / 3, 9.0 / 7, 0.8}, "linear", "half_pixel"));
  add(x, resizeNode({2, 3, 6, 6}, {1, 1, 1, 1}, "linear", "tf_crop_and_resize", "floor", 0,
                     {0, 0, -0.2, 0.3, 1, 1, 0.9, 1.4}));
  // Rank 3 and rank 1.
  Value *y = b.input("y", {3, 5, 9});
  add(y, resizeNode({3, 10, 4}, {1, 2, 4.0 / 9}, "linear", "align_corners"));
  Value *z = b.input("z", {17});
  add(z, resizeNode({5}, {5.0 / 17}, "cubic", "asymmetric"));
  checkGraph(b);
}

TEST_CASE("graph outputs that are inputs, constants or repeated") {
  GraphBuilder b;
  Value *x = b.input("x", {3, 4});
  Value *r = b.node(OpKind::Relu, "r", {x});
  b.output(r);
  b.output(x);
  b.output(r);
  b.output(b.weight("c", {2, 2}));
  checkGraph(b);
}

TEST_CASE("LRN and activations on a blocked layout") {
  // x -> Reorder(nchw<L>c) -> LRN -> Relu -> Reorder(nchw) -> y, with C not a
  // multiple of the block (padded channels must stay out of the window sums).
  for (int block : {16, 8, 4}) {
    CAPTURE(block);
    GraphBuilder b;
    Graph &g = b.graph();
    Value *x = b.input("x", {2, 21, 5, 7});
    Layout blocked{Layout::NCHWc, block};
    Value *xb = g.addValue("x.blocked", x->type);
    xb->layout = blocked;
    g.addNode(OpKind::Reorder, "to_blocked", {x}, {xb});
    Attrs lrn;
    lrn.set("size", int64_t(5));
    lrn.set("alpha", 1e-2);
    lrn.set("beta", 0.75);
    lrn.set("bias", 2.0);
    Value *l = b.node(OpKind::LRN, "lrn", {xb}, lrn);
    l->layout = blocked;
    Value *r = b.node(OpKind::Relu, "relu", {l});
    r->layout = blocked;
    Value *y = g.addValue("y", r->type);
    g.addNode(OpKind::Reorder, "to_plain", {r}, {y});
    b.output(y);
    checkGraph(b);
  }
}

namespace {
/// Every row of Activations.def, with its table defaults as attributes.
std::vector<std::pair<OpKind, Attrs>> everyActivation() {
  std::vector<std::pair<OpKind, Attrs>> acts;
#define ACTIVATION(Name, ABI, Code, A, DefaultA, B, DefaultB)                  \
  {                                                                            \
    Attrs at;                                                                  \
    if (*A)                                                                    \
      at.set(A, double(DefaultA));                                             \
    if (*B)                                                                    \
      at.set(B, double(DefaultB));                                             \
    acts.push_back({OpKind::Name, at});                                        \
  }
#include "compiler/ir/Activations.def"
  return acts;
}
} // namespace

TEST_CASE("every activation standalone on odd sizes, and fused where it fuses") {
  for (const auto &[op, attrs] : everyActivation()) {
    CAPTURE(opName(op));
    GraphBuilder b("act", 11);
    // 555 elements: no multiple of any vector width. Spread over [-4, 4],
    // then into the op's domain (Log, Sqrt: > 0; Acosh: >= 1; Asin, Acos,
    // Atanh: (-1, 1)); the reference gives NaN outside it, and NaN != NaN.
    Value *x = b.input("x", {3, 37, 5});
    Value *in = b.node(OpKind::Mul, "spread", {x, b.constant("four", {}, {4.0f})});
    if (op == OpKind::Log || op == OpKind::Sqrt || op == OpKind::Acosh) {
      in = b.node(OpKind::Abs, "abs", {in});
      in = b.node(OpKind::Add, "shift", {in, b.constant("one", {}, {op == OpKind::Acosh ? 1.0f : 0.01f})});
    } else if (op == OpKind::Asin || op == OpKind::Acos || op == OpKind::Atanh) {
      in = b.node(OpKind::Mul, "shrink", {x, b.constant("s", {}, {0.999f})});
    }
    b.output(b.node(op, "y", {in}, attrs));
    // Fused after a conv (odd channels: a partial vector) and a Gemm, as
    // fuse-activation would; UNFUSED_ACTIVATION rows are never fused.
    if (activationInfo(op)->fuses) {
      Value *c = b.conv("conv", b.input("img", {1, 5, 9, 7}), 13, 3, 1, 1);
      fuse(c, op, attrs);
      b.output(c);
      Attrs at;
      at.set("alpha", 1.0);
      at.set("beta", 1.0);
      at.set("transA", int64_t(0));
      at.set("transB", int64_t(0));
      Value *g = b.node(OpKind::Gemm, "gemm",
                        {b.input("a", {3, 21}), b.weight("w", {21, 19}, -1.5f, 1.5f),
                         b.weight("bias", {19})},
                        at);
      fuse(g, op, attrs);
      b.output(g);
    }
    checkGraph(b);
  }
}

TEST_CASE("slice: steps of both signs and whole axes, through the strided copy") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4, 5});
  auto slice = [&](const std::string &name, std::vector<int64_t> begin,
                   std::vector<int64_t> end, std::vector<int64_t> step) {
    Attrs a;
    a.set("begin", std::move(begin));
    a.set("end", std::move(end));
    a.set("step", std::move(step));
    b.output(b.node(OpKind::Slice, name, {x}, a));
  };
  slice("half", {0, 0, 0, 0}, {2, 3, 2, 5}, {1, 1, 1, 1});
  slice("strided", {1, 0, 3, 4}, {2, 3, -1, 0}, {1, 2, -1, -2});
  slice("reversed", {1, 2, 3, 4}, {-1, -1, -1, -1}, {-1, -1, -1, -1});
  // An empty result is not tested here: the runtime refuses a null output
  // pointer, which an empty std::vector gives (slice_ref's test covers it).
  checkGraph(b);
}

TEST_CASE("reductions: every op over adjacent, split and all axes, keepdims") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4, 5});
  int k = 0;
  for (OpKind op : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin,
                    OpKind::ReduceProd, OpKind::ReduceL1, OpKind::ReduceL2,
                    OpKind::ReduceLogSumExp, OpKind::ReduceSumSquare}) {
    for (std::vector<int64_t> axes : {std::vector<int64_t>{2, 3}, {0, 2}, {1},
                                      {0, 1, 2, 3}}) {
      Attrs a;
      a.set("axes", axes);
      a.set("keepdims", int64_t(k % 2));
      b.output(b.node(op, "r" + std::to_string(k++), {x}, a));
    }
  }
  // LogSum needs a positive sum: of the squares, via L2 first.
  Attrs a;
  a.set("axes", std::vector<int64_t>{1, 3});
  a.set("keepdims", int64_t(1));
  Value *l2 = b.node(OpKind::ReduceL2, "l2", {x}, a);
  b.output(b.node(OpKind::ReduceLogSum, "logsum", {l2}, a));
  checkGraph(b);
}
