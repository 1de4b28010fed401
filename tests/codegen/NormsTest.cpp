//===- NormsTest.cpp - Softmax's relatives, normalizations, ConvTranspose, losses
//
// Each op through the JIT against the reference interpreter on awkward
// shapes: axes that are not the last, groups of one element, broadcast
// Scale, strides larger than the kernel, negative end pads, groups.
//
//===----------------------------------------------------------------------===//

#include "tests/codegen/JitTest.h"

using namespace kiln;
using namespace kiln::test;

namespace {
Attrs attrs(std::initializer_list<std::pair<const char *, AttrValue>> kv) {
  Attrs a;
  for (const auto &[k, v] : kv)
    a.set(k, v);
  return a;
}
} // namespace

TEST_CASE("logsoftmax and hardmax: legacy rows and one axis, first or strided") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 5, 37});
  for (OpKind op : {OpKind::LogSoftmax, OpKind::Hardmax})
    for (int64_t axis : {0, 1, 3})
      for (int64_t legacy : {0, 1}) {
        std::string name = std::string(opName(op)) + std::to_string(axis * 2 + legacy);
        b.output(b.node(op, name, {x}, attrs({{"axis", axis}, {"legacy", legacy}})));
      }
  checkGraph(b);
}

TEST_CASE("layer normalization: every axis, broadcast scale, mean and inv std dev") {
  GraphBuilder b;
  const Dims dims = {2, 3, 5, 17};
  Value *x = b.input("x", dims);
  for (int64_t axis : {0, 1, 2, 3}) {
    Dims tail(dims.begin() + axis, dims.end());
    Value *scale = b.weight("s" + std::to_string(axis), tail);
    Value *bias = b.weight("b" + std::to_string(axis), tail);
    for (int64_t result : {0, 1, 2})
      b.output(b.node(OpKind::LayerNormalization,
                      "ln" + std::to_string(axis) + "_" + std::to_string(result),
                      {x, scale, bias},
                      attrs({{"axis", axis}, {"epsilon", 1e-5}, {"result", result}})));
  }
  // Scale [1,17] broadcast over [5,17]; no bias.
  b.output(b.node(OpKind::LayerNormalization, "ln_bcast", {x, b.weight("s1x", {1, 17})},
                  attrs({{"axis", int64_t(2)}, {"epsilon", 1e-3}, {"result", int64_t(0)}})));
  checkGraph(b);
}

TEST_CASE("instance, mean-variance and Lp normalization") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 5, 7, 9});
  b.output(b.node(OpKind::InstanceNormalization, "in",
                  {x, b.weight("s", {5}), b.weight("b", {5})}, attrs({{"epsilon", 1e-5}})));
  for (std::vector<int64_t> axes : {std::vector<int64_t>{0, 2, 3}, {1}, {3}, {0, 1, 2, 3}}) {
    Attrs a;
    a.set("axes", axes);
    b.output(b.node(OpKind::MeanVarianceNormalization, "mvn" + std::to_string(axes.size()) +
                                                           std::to_string(axes[0]),
                    {x}, a));
  }
  for (int64_t p : {1, 2})
    for (int64_t axis : {1, 3})
      b.output(b.node(OpKind::LpNormalization, "lp" + std::to_string(p * 10 + axis), {x},
                      attrs({{"axis", axis}, {"p", p}})));
  checkGraph(b);
}

TEST_CASE("normalization of a large mean keeps its variance (shifted sums)") {
  GraphBuilder b;
  Value *x = b.input("x", {3, 64});
  Value *shifted = b.node(OpKind::Add, "shift", {x, b.constant("k", {1}, {1000.0f})});
  b.output(b.node(OpKind::LayerNormalization, "ln", {shifted, b.weight("s", {64})},
                  attrs({{"axis", int64_t(1)}, {"epsilon", 1e-5}, {"result", int64_t(0)}})));
  checkGraph(b);
}

TEST_CASE("conv transpose: strides, pads, dilations, groups, negative end pads") {
  struct Case {
    int64_t c, h, w, m, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group;
    bool bias;
  };
  for (Case c : {Case{3, 5, 7, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true},
                 Case{4, 4, 3, 6, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 2, false}, // groups
                 Case{2, 3, 3, 2, 2, 3, 3, 2, 0, 2, -1, -1, 1, 1, 1, true},  // output_padding
                 Case{5, 6, 5, 3, 3, 2, 1, 1, 2, 0, 1, 0, 2, 3, 1, true},    // dilations
                 Case{3, 4, 4, 3, 1, 1, 3, 3, 0, 0, 0, 0, 1, 1, 3, true},    // stride > kernel
                 Case{7, 1, 9, 5, 1, 5, 1, 2, 0, 3, 0, 2, 1, 1, 1, false}}) { // 1-D
    CAPTURE(c.c);
    CAPTURE(c.kh);
    GraphBuilder b;
    Value *x = b.input("x", {2, c.c, c.h, c.w});
    std::vector<Value *> ins{x, b.weight("w", {c.c, c.m / c.group, c.kh, c.kw})};
    if (c.bias)
      ins.push_back(b.weight("bias", {c.m}));
    Attrs a;
    a.set("kernel", std::vector<int64_t>{c.kh, c.kw});
    a.set("strides", std::vector<int64_t>{c.sh, c.sw});
    a.set("pads", std::vector<int64_t>{c.pt, c.pl, c.pb, c.pr});
    a.set("dilations", std::vector<int64_t>{c.dh, c.dw});
    a.set("group", c.group);
    b.output(b.node(OpKind::ConvTranspose, "ct", ins, a));
    checkGraph(b);
  }
}

TEST_CASE("negative log likelihood loss: reductions, weights, ignore_index") {
  GraphBuilder b;
  Value *x = b.input("x", {3, 5, 2, 4});
  std::vector<int64_t> t(24);
  for (size_t i = 0; i < t.size(); ++i)
    t[i] = int64_t(i * 7 % 5);
  Value *target = b.constantI64("t", {3, 2, 4}, t);
  Value *weight = b.weight("w", {5}, 0.1f, 1.0f);
  for (int64_t reduction : {0, 1, 2})
    for (int64_t ignore : {0, 1}) {
      std::vector<Value *> ins{x, target};
      if (reduction != 1 || ignore)
        ins.push_back(weight);
      b.output(b.node(OpKind::NegativeLogLikelihoodLoss,
                      "nll" + std::to_string(reduction * 2 + ignore), ins,
                      attrs({{"reduction", reduction},
                             {"has_ignore_index", ignore},
                             {"ignore_index", int64_t(3)}})));
    }
  checkGraph(b);
}
