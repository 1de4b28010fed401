//===- ConvAlgorithmTest.cpp - select-conv-algorithm ----------------------===//
//
// The algorithm each Conv gets on representative shapes, what fuse-pool does
// with it, that a Winograd conv reads the blocked input the kernel needs
// after assign-layout, and that `kiln dump` prints it.
//
//===----------------------------------------------------------------------===//

#include "GraphBuilder.h"

#include "compiler/ir/Printer.h"
#include "compiler/passes/Passes.h"

using namespace kiln;
using namespace kiln::test;

namespace {

PassOptions lanes(int l, bool winograd = true) {
  PassOptions o;
  o.vectorLanes = l;
  o.winograd = winograd;
  return o;
}

/// The algorithm of a conv with `c` input channels on an h x w image, after
/// select-conv-algorithm with `opts`.
std::string algoOf(int64_t c, int64_t h, int64_t w, int64_t m, int64_t k, int64_t stride,
                   int64_t pad, int64_t group, const PassOptions &opts,
                   int64_t dilation = 1) {
  GraphBuilder b("algo", 3);
  Value *x = b.input("x", {1, c, h, w});
  b.output(b.conv("conv", x, m, k, stride, pad, group, true, dilation));
  Graph &g = b.graph();
  CHECK(selectConvAlgorithm(g, opts));
  CHECK_FALSE(selectConvAlgorithm(g, opts)); // decided once
  const Node *n = findNode(g, "conv");
  REQUIRE(n);
  REQUIRE(n->attrs.has("algo"));
  CHECK(n->attrs.getString("algo") == chooseConvAlgorithm(*n, opts));
  return n->attrs.getString("algo");
}

} // namespace

TEST_CASE("select-conv-algorithm: VGG 3x3 stride 1 -> winograd, stride 2 -> direct") {
  for (int l : {16, 8, 4}) {
    CAPTURE(l);
    // VGG's conv2_2 (112x112) and conv3_x (56x56); ResNet's 56x56 3x3.
    CHECK(algoOf(128, 112, 112, 128, 3, 1, 1, 1, lanes(l)) == "winograd");
    CHECK(algoOf(64, 56, 56, 64, 3, 1, 1, 1, lanes(l)) == "winograd");
    // Stride 2 (ResNet's downsampling 3x3), 1x1, 7x7: direct.
    CHECK(algoOf(64, 56, 56, 64, 3, 2, 1, 1, lanes(l)) == "direct");
    CHECK(algoOf(64, 56, 56, 256, 1, 1, 0, 1, lanes(l)) == "direct");
    CHECK(algoOf(16, 56, 56, 64, 7, 1, 3, 1, lanes(l)) == "direct");
    // Dilated 3x3 and pads beyond 2: direct.
    CHECK(algoOf(64, 56, 56, 64, 3, 1, 2, 1, lanes(l), 2) == "direct");
    CHECK(algoOf(64, 56, 56, 64, 3, 1, 3, 1, lanes(l)) == "direct");
    CHECK(algoOf(64, 56, 56, 64, 3, 1, 2, 1, lanes(l)) == "winograd");
  }
}

TEST_CASE("select-conv-algorithm: winograd from 36 output tiles of 4x4 on") {
  // 24x24 outputs: 6x6 tiles. 20x24: 30 tiles. 7x7 (ResNet's last stage): 4.
  CHECK(algoOf(64, 24, 24, 64, 3, 1, 1, 1, lanes(16)) == "winograd");
  CHECK(algoOf(64, 21, 24, 64, 3, 1, 1, 1, lanes(16)) == "winograd"); // ceil(21/4)=6
  CHECK(algoOf(64, 20, 24, 64, 3, 1, 1, 1, lanes(16)) == "direct");
  CHECK(algoOf(512, 14, 14, 512, 3, 1, 1, 1, lanes(16)) == "direct"); // VGG conv5
  CHECK(algoOf(256, 7, 7, 256, 3, 1, 1, 1, lanes(16)) == "direct");
  // Pad 0 shrinks the output: 26x26 in, 24x24 out.
  CHECK(algoOf(64, 26, 26, 64, 3, 1, 0, 1, lanes(16)) == "winograd");
  CHECK(algoOf(64, 22, 26, 64, 3, 1, 0, 1, lanes(16)) == "direct"); // 20x24: 5x6
}

TEST_CASE("select-conv-algorithm: an input below one channel block is read plain -> direct") {
  // VGG's conv1_1 on RGB; 8 channels are a block with 8 lanes, not with 16.
  CHECK(algoOf(3, 224, 224, 64, 3, 1, 1, 1, lanes(16)) == "direct");
  CHECK(algoOf(3, 224, 224, 64, 3, 1, 1, 1, lanes(4)) == "direct");
  CHECK(algoOf(8, 56, 56, 64, 3, 1, 1, 1, lanes(16)) == "direct");
  CHECK(algoOf(8, 56, 56, 64, 3, 1, 1, 1, lanes(8)) == "winograd");
}

TEST_CASE("select-conv-algorithm: depthwise and partial-block groups -> generic") {
  for (int l : {16, 8, 4}) {
    CAPTURE(l);
    // MobileNet's depthwise 3x3: one channel per group.
    CHECK(algoOf(32, 56, 56, 32, 3, 1, 1, 32, lanes(l)) == "generic");
    // Grouped with whole blocks per group: the blocked direct kernel.
    CHECK(algoOf(64, 56, 56, 64, 3, 1, 1, 2, lanes(l)) == "direct");
  }
  // ResNeXt-like 4 channels per group: whole blocks only with 4 lanes.
  CHECK(algoOf(128, 28, 28, 128, 3, 1, 1, 32, lanes(16)) == "generic");
  CHECK(algoOf(128, 28, 28, 128, 3, 1, 1, 32, lanes(4)) == "direct");
  // No blocked layout at all.
  CHECK(algoOf(64, 56, 56, 64, 3, 1, 1, 1, lanes(1)) == "generic");
}

TEST_CASE("select-conv-algorithm: weights or bias computed at run time -> generic") {
  GraphBuilder b("dyn", 5);
  Value *x = b.input("x", {1, 64, 56, 56});
  Value *bias = b.input("bias", {64});
  Value *w = b.input("w", {64, 64, 3, 3});
  Value *c1 = b.node(OpKind::Conv, "c1", {x, b.weight("c1.w", {64, 64, 3, 3}), bias},
                     convAttrs(3, 1, 1));
  b.output(b.node(OpKind::Conv, "c2", {c1, w}, convAttrs(3, 1, 1)));
  Graph &g = b.graph();
  CHECK(selectConvAlgorithm(g, lanes(16)));
  CHECK(findNode(g, "c1")->attrs.getString("algo") == "generic");
  CHECK(findNode(g, "c2")->attrs.getString("algo") == "generic");
}

TEST_CASE("select-conv-algorithm: --no-winograd -> direct") {
  for (int l : {16, 8, 4}) {
    CAPTURE(l);
    CHECK(algoOf(128, 112, 112, 128, 3, 1, 1, 1, lanes(l, false)) == "direct");
    CHECK(algoOf(32, 56, 56, 32, 3, 1, 1, 32, lanes(l, false)) == "generic");
  }
  // Re-deciding with other options rewrites the attribute.
  GraphBuilder b("redo", 3);
  b.output(b.conv("conv", b.input("x", {1, 64, 56, 56}), 64, 3, 1, 1));
  Graph &g = b.graph();
  CHECK(selectConvAlgorithm(g, lanes(16)));
  CHECK(findNode(g, "conv")->attrs.getString("algo") == "winograd");
  CHECK(selectConvAlgorithm(g, lanes(16, false)));
  CHECK(findNode(g, "conv")->attrs.getString("algo") == "direct");
}

TEST_CASE("select-conv-algorithm: a conv with a fused pool is never winograd") {
  GraphBuilder b("pooled", 3);
  Value *c = b.conv("conv", b.input("x", {1, 64, 112, 112}), 64, 3, 1, 1);
  b.output(b.node(OpKind::MaxPool, "pool", {c}, maxPoolAttrs(2, 2)));
  Graph &g = b.graph();
  CHECK(fusePool(g, lanes(16))); // no algo yet: fuses
  CHECK(selectConvAlgorithm(g, lanes(16)));
  CHECK(findNode(g, "conv")->attrs.getString("algo") == "direct");
}

TEST_CASE("pipeline: fuse-pool leaves a winograd conv's pool; the dump shows algo") {
  // VGG block: conv 3x3 (winograd) -> relu -> maxpool; then a 14x14 conv
  // (direct) -> relu -> maxpool, whose pool fuses.
  for (bool winograd : {true, false}) {
    CAPTURE(winograd);
    GraphBuilder b("vggblock", 9);
    Value *x = b.input("x", {1, 32, 28, 28});
    Value *c1 = b.node(OpKind::Relu, "r1", {b.conv("c1", x, 32, 3, 1, 1)});
    Value *p1 = b.node(OpKind::MaxPool, "p1", {c1}, maxPoolAttrs(2, 2));
    Value *c2 = b.node(OpKind::Relu, "r2", {b.conv("c2", p1, 32, 3, 1, 1)});
    b.output(b.node(OpKind::MaxPool, "p2", {c2}, maxPoolAttrs(2, 2)));
    Graph &g = b.graph();
    PassOptions opts = lanes(16, winograd);
    opts.verifyEach = true;
    checkPreserves(g, b.randomInputs(), [&](Graph &g) {
      REQUIRE(errorText(runPipeline(g, opts)) == "");
    }, FoldedRounding);
    const Node *n1 = findNode(g, "c1"), *n2 = findNode(g, "c2");
    REQUIRE(n1);
    REQUIRE(n2);
    CHECK(n1->attrs.getString("algo") == (winograd ? "winograd" : "direct"));
    CHECK(n2->attrs.getString("algo") == "direct");
    CHECK(n1->hasFusion(OpKind::MaxPool) == !winograd);
    CHECK(n2->hasFusion(OpKind::MaxPool));
    CHECK(countOps(g, OpKind::MaxPool) == (winograd ? 1u : 0u));
    // The kernel's precondition: a blocked input.
    if (winograd)
      CHECK(n1->input(0)->layout == (Layout{Layout::NCHWc, 16}));
    std::string text = printText(g);
    CHECK(text.find(winograd ? "Conv(%x.nchw16c, @c1.w, @c1.b) {algo=\"winograd\" "
                             : "Conv(%x.nchw16c, @c1.w, @c1.b) {algo=\"direct\" ") !=
          std::string::npos);
  }
}

TEST_CASE("pipeline: every winograd conv reads a blocked input, at every width") {
  // Inputs below, at and above one block of channels, from a graph input
  // and from a conv; convs feeding convs with few channels.
  for (int l : {16, 8, 4}) {
    CAPTURE(l);
    GraphBuilder b("chain", 11);
    Value *x = b.input("x", {1, 3, 40, 40});
    Value *v = b.conv("c0", x, 8, 3, 1, 1);
    v = b.conv("c1", v, 8, 3, 1, 1);
    v = b.conv("c2", v, 16, 3, 1, 1);
    v = b.conv("c3", v, 4, 3, 1, 1);
    b.output(b.conv("c4", v, 16, 3, 1, 1));
    Graph &g = b.graph();
    PassOptions opts = lanes(l);
    opts.verifyEach = true;
    REQUIRE(errorText(runPipeline(g, opts)) == "");
    size_t winograd = 0;
    for (const auto &n : g.nodes()) {
      if (n->op != OpKind::Conv)
        continue;
      CAPTURE(n->name);
      const std::string &algo = n->attrs.getString("algo");
      CHECK(algo != "generic");
      if (algo != "winograd")
        continue;
      ++winograd;
      CHECK(n->input(0)->layout == (Layout{Layout::NCHWc, l}));
      CHECK(n->input(0)->type.dims[1] >= l);
    }
    CHECK(winograd == (l == 16 ? 1u : l == 8 ? 3u : 4u));
  }
}
