//===- FuseTest.cpp - fuse-residual, fuse-activation, fuse-pool -----------===//
//
// Each fusion is checked structurally and against the reference interpreter
// on randomized patterns (odd sizes, strides, padding, groups, overlapping
// pools). Fusions only move where an epilogue runs, so outputs are compared
// exactly.
//
//===----------------------------------------------------------------------===//

#include "GraphBuilder.h"

#include "compiler/ir/Printer.h"
#include "compiler/passes/Passes.h"

#include <fmt/format.h>

using namespace kiln;
using namespace kiln::test;

namespace {
const PassOptions Opts;

Attrs clipAttrs(double lo, double hi) {
  Attrs a;
  a.set("min", lo);
  a.set("max", hi);
  return a;
}

std::vector<OpKind> fusedOps(const Node &n) {
  std::vector<OpKind> ops;
  for (const Fusion &f : n.fused)
    ops.push_back(f.op);
  return ops;
}
} // namespace

TEST_CASE("fuse-activation: golden conv + relu") {
  GraphBuilder b("act");
  Value *x = b.input("x", {1, 2, 3, 3});
  Value *c = b.node(OpKind::Conv, "conv",
                    {x, b.constant("w", {1, 2, 1, 1}, {1.0f, -1.0f}),
                     b.constant("b", {1}, {0.5f})},
                    convAttrs(1));
  b.output(b.node(OpKind::Relu, "y", {c}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseActivation(g, Opts)); });
  CHECK(printText(g) ==
        "graph \"act\" {\n"
        "  input  %x : f32[1,2,3,3]\n"
        "  output %y : f32[1,1,3,3]\n"
        "  constants: 2 (0.0 MB)\n"
        "\n"
        "  %y = Conv(%x, @w, @b) {dilations=1x1 group=1 kernel=1x1 pads=[0,0,0,0] "
        "strides=1x1 fused=[relu]} : f32[1,1,3,3]  # \"conv\"\n"
        "}\n");
}

TEST_CASE("fuse-activation: every activation into Conv, Gemm and MatMul") {
  struct Act {
    OpKind op;
    Attrs attrs;
  };
  Attrs leaky;
  leaky.set("alpha", 0.1);
  Attrs hard;
  hard.set("alpha", 0.3);
  hard.set("beta", 0.6);
  std::vector<Act> acts = {{OpKind::Relu, {}},
                           {OpKind::LeakyRelu, leaky},
                           {OpKind::Clip, clipAttrs(-0.25, 0.5)},
                           {OpKind::Sigmoid, {}},
                           {OpKind::HardSigmoid, hard}};
  for (const Act &act : acts) {
    CAPTURE(opName(act.op));
    GraphBuilder b("acts", 3);
    Value *x = b.input("x", {2, 3, 7, 5});
    Value *c = b.conv("conv", x, 4, 3, 2, 1);
    Value *a1 = b.node(act.op, "a1", {c}, act.attrs);
    Attrs fa;
    fa.set("axis", int64_t(1));
    Value *f = b.node(OpKind::Flatten, "flat", {a1}, fa);
    Attrs ga;
    ga.set("alpha", 1.0);
    ga.set("beta", 1.0);
    ga.set("transA", int64_t(0));
    ga.set("transB", int64_t(1));
    int64_t k = f->type.dims[1];
    Value *gm = b.node(OpKind::Gemm, "gemm", {f, b.weight("fc.w", {6, k}), b.weight("fc.b", {6})},
                       ga);
    Value *a2 = b.node(act.op, "a2", {gm}, act.attrs);
    Value *mm = b.node(OpKind::MatMul, "mm", {a2, b.weight("mm.w", {6, 3})});
    b.output(b.node(act.op, "a3", {mm}, act.attrs));
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseActivation(g, Opts)); });
    CHECK(g.nodes().size() == 4);
    CHECK(fusedOps(*findNode(g, "conv")) == std::vector<OpKind>{act.op});
    CHECK(fusedOps(*findNode(g, "gemm")) == std::vector<OpKind>{act.op});
    CHECK(fusedOps(*findNode(g, "mm")) == std::vector<OpKind>{act.op});
    CHECK(findNode(g, "mm")->output()->name == "a3"); // graph output keeps its name
  }
}

TEST_CASE("fuse-activation: MatMul + bias Add becomes Gemm, then takes the Relu") {
  GraphBuilder b("mm", 5);
  Value *x = b.input("x", {3, 8});
  Value *mm = b.node(OpKind::MatMul, "mm", {x, b.weight("w", {8, 5})});
  Value *add = b.node(OpKind::Add, "add", {b.weight("bias", {5}), mm});
  b.output(b.node(OpKind::Relu, "y", {add}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseActivation(g, Opts)); });
  REQUIRE(g.nodes().size() == 1);
  const Node &n = *g.nodes()[0];
  CHECK(n.op == OpKind::Gemm);
  CHECK(n.inputs.size() == 3);
  CHECK(fusedOps(n) == std::vector<OpKind>{OpKind::Relu});
}

TEST_CASE("fuse-activation leaves results with other readers or an activation") {
  GraphBuilder b("no", 5);
  Value *x = b.input("x", {1, 2, 4, 4});
  Value *c = b.conv("conv", x, 2, 1);
  b.output(b.node(OpKind::Relu, "r", {c}));
  b.output(b.node(OpKind::Sigmoid, "s", {c}));
  Value *c2 = b.conv("conv2", x, 2, 1);
  b.output(c2);
  b.output(b.node(OpKind::Relu, "r2", {c2})); // c2 is a graph output
  Graph &g = b.graph();
  CHECK_FALSE(fuseActivation(g, Opts));
}

TEST_CASE("fuse-residual: Add + Relu into the conv, shortcut appended") {
  GraphBuilder b("res", 13);
  Value *x = b.input("x", {1, 4, 6, 6});
  Value *c1 = b.conv("c1", x, 4, 3, 1, 1, 1, true);
  Value *r1 = b.node(OpKind::Relu, "r1", {c1});
  Value *c2 = b.conv("c2", r1, 4, 3, 1, 1, 1, false); // no bias: one is made
  Value *add = b.node(OpKind::Add, "add", {x, c2});
  b.output(b.node(OpKind::Relu, "y", {add}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseResidual(g, Opts)); });
  const Node *conv = findNode(g, "c2");
  REQUIRE(conv);
  CHECK(fusedOps(*conv) == std::vector<OpKind>{OpKind::Add, OpKind::Relu});
  REQUIRE(conv->inputs.size() == 4);
  CHECK(conv->fused[0].attrs.getInt("input") == 3);
  CHECK(conv->inputs[3]->name == "x");
  CHECK(conv->inputs[2]->isConstant());
  CHECK(conv->output()->name == "y");
  CHECK(countOps(g, OpKind::Add) == 0);
}

TEST_CASE("fuse-residual: both operands convs, the later one absorbs; a late shortcut "
          "moves the conv") {
  for (bool shortcutFirst : {true, false}) {
    CAPTURE(shortcutFirst);
    GraphBuilder b("res2", 21);
    Value *x = b.input("x", {1, 3, 9, 9});
    Value *main = nullptr, *shortcut = nullptr;
    auto mainPath = [&] {
      Value *a = b.node(OpKind::Relu, "a", {b.conv("ca", x, 8, 3, 2, 1)});
      main = b.conv("cb", a, 8, 3, 1, 1);
    };
    auto shortPath = [&] { shortcut = b.conv("ds", x, 8, 1, 2, 0); };
    if (shortcutFirst) {
      shortPath();
      mainPath();
    } else {
      mainPath();
      shortPath();
    }
    Value *add = b.node(OpKind::Add, "add", {main, shortcut});
    b.output(b.node(OpKind::Relu, "y", {add}));
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseResidual(g, Opts)); });
    const char *absorber = shortcutFirst ? "cb" : "ds";
    const Node *conv = findNode(g, absorber);
    REQUIRE(conv);
    CHECK(conv->hasFusion(OpKind::Add));
    CHECK(g.nodes().back().get() == conv);
  }
}

TEST_CASE("fuse-residual moves a conv below a shortcut computed after it") {
  GraphBuilder b("res3", 23);
  Value *x = b.input("x", {1, 4, 5, 5});
  Value *c = b.conv("c", x, 4, 3, 1, 1);
  Value *s = b.node(OpKind::Sigmoid, "s", {x}); // computed after the conv
  b.output(b.node(OpKind::Add, "y", {c, s}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseResidual(g, Opts)); });
  REQUIRE(g.nodes().size() == 2);
  CHECK(g.nodes()[0]->op == OpKind::Sigmoid);
  CHECK(g.nodes()[1]->op == OpKind::Conv);
}

TEST_CASE("fuse-residual refuses broadcasting, activated convs and shared results") {
  GraphBuilder b("nores", 29);
  Value *x = b.input("x", {1, 4, 5, 5});
  Value *c = b.conv("c", x, 4, 3, 1, 1);
  b.output(b.node(OpKind::Add, "bcast", {c, b.weight("k", {1, 4, 1, 1})}));
  Value *c2 = b.conv("c2", x, 4, 3, 1, 1);
  b.output(b.node(OpKind::Add, "shared", {c2, x}));
  b.output(c2);
  Graph &g = b.graph();
  CHECK_FALSE(fuseResidual(g, Opts));

  GraphBuilder b2("nores2", 31);
  Value *x2 = b2.input("x", {1, 4, 5, 5});
  Value *c3 = b2.conv("c3", x2, 4, 3, 1, 1);
  Value *r = b2.node(OpKind::Relu, "r", {c3});
  b2.output(b2.node(OpKind::Add, "add", {r, x2}));
  Graph &g2 = b2.graph();
  CHECK(fuseActivation(g2, Opts)); // conv3 {fused=[relu]}
  CHECK_FALSE(fuseResidual(g2, Opts)); // the epilogue adds before it activates
}

TEST_CASE("fuse-pool: conv + relu + pool, attrs copied; pool behind LRN stays") {
  GraphBuilder b("pool", 37);
  Value *x = b.input("x", {1, 3, 11, 11});
  Value *c1 = b.node(OpKind::Relu, "r1", {b.conv("c1", x, 8, 3, 1, 1)});
  Value *p1 = b.node(OpKind::MaxPool, "p1", {c1}, maxPoolAttrs(3, 2, 0, 1));
  Attrs lrn;
  lrn.set("size", int64_t(5));
  lrn.set("alpha", 1e-4);
  lrn.set("beta", 0.75);
  lrn.set("bias", 1.0);
  Value *c2 = b.node(OpKind::Relu, "r2", {b.conv("c2", p1, 8, 3, 1, 1)});
  Value *l = b.node(OpKind::LRN, "lrn", {c2}, lrn);
  b.output(b.node(OpKind::MaxPool, "p2", {l}, maxPoolAttrs(2, 2)));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) {
    CHECK(fuseActivation(g, Opts));
    CHECK(fusePool(g, Opts));
  });
  const Node *conv = findNode(g, "c1");
  CHECK(fusedOps(*conv) == std::vector<OpKind>{OpKind::Relu, OpKind::MaxPool});
  CHECK(conv->fused[1].attrs.getInt("ceil_mode") == 1);
  CHECK(conv->output()->type.dims == Dims{1, 8, 5, 5}); // ceil((11-3)/2)+1
  CHECK(countOps(g, OpKind::MaxPool) == 1);
}

TEST_CASE("randomized fusion patterns match the reference interpreter exactly") {
  // Conv shapes with odd sizes, strides, padding larger than the kernel,
  // dilation and groups; pools that overlap, pad and round up.
  uint32_t seed = 1234;
  auto pick = [&](int64_t lo, int64_t hi) {
    seed = seed * 1664525u + 1013904223u;
    return lo + int64_t(seed >> 8) % (hi - lo + 1);
  };
  for (int trial = 0; trial < 40; ++trial) {
    CAPTURE(trial);
    GraphBuilder b(fmt::format("rand{}", trial), uint32_t(trial * 7 + 1));
    int64_t group = pick(1, 2);
    int64_t c = group * pick(1, 3), m = group * pick(1, 3);
    int64_t k = pick(1, 3), stride = pick(1, 3), pad = pick(0, 3), dil = pick(1, 2);
    int64_t h = pick(k * dil + 3, 13), w = pick(k * dil + 3, 11);
    Value *x = b.input("x", {pick(1, 2), c, h, w});
    Value *y = b.conv("conv", x, m, k, stride, pad, group, pick(0, 1) != 0, dil);
    int64_t shape = pick(0, 2);
    if (shape >= 1) { // residual with the same shape as the conv result
      Value *s = b.input("s", y->type.dims);
      y = b.node(OpKind::Add, "add", pick(0, 1) ? std::vector<Value *>{y, s}
                                                : std::vector<Value *>{s, y});
    }
    switch (pick(0, 3)) {
    case 0: break;
    case 1: y = b.node(OpKind::Relu, "act", {y}); break;
    case 2: y = b.node(OpKind::Clip, "act", {y}, clipAttrs(-0.3, 0.4)); break;
    default: y = b.node(OpKind::Sigmoid, "act", {y}); break;
    }
    int64_t oh = y->type.dims[2], ow = y->type.dims[3];
    int64_t pk = pick(1, std::min<int64_t>(3, std::min(oh, ow)));
    int64_t ps = pick(1, 2), pp = std::min<int64_t>(pick(0, 1), pk - 1);
    if (pick(0, 1))
      y = b.node(OpKind::MaxPool, "pool", {y}, maxPoolAttrs(pk, ps, pp, pick(0, 1)));
    else
      y = b.node(OpKind::AveragePool, "pool", {y}, avgPoolAttrs(pk, ps, pp, pick(0, 1)));
    b.output(y);
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) {
      fuseResidual(g, Opts);
      fuseActivation(g, Opts);
      CHECK(fusePool(g, Opts));
    });
    CHECK(g.nodes().size() == 1);
  }
}
