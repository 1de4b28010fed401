//===- RecognizeTest.cpp - fuse-silu and fuse-gelu ------------------------===//
//
// Exporters write SiLU and GELU as several elementwise nodes; each pass
// turns the pattern into one activation. Checked structurally, against the
// reference interpreter (the recognised activation against the nodes it
// replaces, within float rounding), and on near misses that must stay.
//
//===----------------------------------------------------------------------===//

#include "GraphBuilder.h"

#include "compiler/passes/Passes.h"

using namespace kiln;
using namespace kiln::test;

namespace {
const PassOptions Opts;
} // namespace

TEST_CASE("fuse-silu: Conv, Sigmoid, Mul becomes Conv, kiln.Silu, then one fused conv") {
  for (bool sigmoidFirst : {false, true}) {
    CAPTURE(sigmoidFirst);
    GraphBuilder b("silu", 3);
    Value *x = b.input("x", {1, 3, 7, 9});
    Value *c = b.conv("conv", x, 5, 3, 1, 1);
    Value *s = b.node(OpKind::Sigmoid, "sig", {c});
    b.output(b.node(OpKind::Mul, "y", sigmoidFirst ? std::vector<Value *>{s, c}
                                                   : std::vector<Value *>{c, s}));
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseSilu(g, Opts)); }, 1e-6f);
    REQUIRE(g.nodes().size() == 2);
    CHECK(g.nodes()[1]->op == OpKind::Silu);
    CHECK(g.nodes()[1]->output()->name == "y");
    CHECK(std::string(opName(OpKind::Silu)) == "kiln.Silu");
    CHECK(fuseActivation(g, Opts));
    REQUIRE(g.nodes().size() == 1);
    REQUIRE(g.nodes()[0]->fused.size() == 1);
    CHECK(g.nodes()[0]->fused[0].op == OpKind::Silu);
  }
}

TEST_CASE("fuse-silu leaves a Sigmoid read twice, a gate of another value, a broadcast") {
  GraphBuilder b("no", 3);
  Value *x = b.input("x", {2, 4, 3, 3});
  Value *other = b.input("o", {2, 4, 3, 3});
  Value *s1 = b.node(OpKind::Sigmoid, "s1", {x});
  b.output(b.node(OpKind::Mul, "m1", {x, s1}));
  b.output(s1); // the Sigmoid is also an output
  Value *s2 = b.node(OpKind::Sigmoid, "s2", {x});
  b.output(b.node(OpKind::Mul, "m2", {other, s2})); // squeeze-excite's gate
  Value *small = b.input("v", {2, 4, 1, 1});
  Value *s3 = b.node(OpKind::Sigmoid, "s3", {small});
  b.output(b.node(OpKind::Mul, "m3", {x, s3})); // broadcast, not x * Sigmoid(x)
  CHECK_FALSE(fuseSilu(b.graph(), Opts));
}

namespace {
/// x * 0.5 * (1 + Erf(x / sqrt 2)) as torch 1.13 exports nn.GELU, or with
/// the halving first and x * (1/sqrt 2) (other exporters).
Value *exportedGelu(GraphBuilder &b, Value *x, bool halfFirst, float sqrt2,
                    const std::string &p = "") {
  Value *d = halfFirst
                 ? b.node(OpKind::Mul, p + "scale", {b.constant(p + "r2", {}, {1.0f / sqrt2}), x})
                 : b.node(OpKind::Div, p + "scale", {x, b.constant(p + "s2", {}, {sqrt2})});
  Value *e = b.node(OpKind::Erf, p + "erf", {d});
  Value *a = b.node(OpKind::Add, p + "plus1", {b.constant(p + "one", {1}, {1.0f}), e});
  Value *half = b.constant(p + "half.c", {}, {0.5f});
  if (halfFirst)
    return b.node(OpKind::Mul, p + "y", {b.node(OpKind::Mul, p + "half", {x, half}), a});
  return b.node(OpKind::Mul, p + "y", {b.node(OpKind::Mul, p + "xm", {x, a}), half});
}
} // namespace

TEST_CASE("fuse-gelu: torch's export and the halve-first spelling become Gelu, then fuse") {
  for (bool halfFirst : {false, true}) {
    CAPTURE(halfFirst);
    GraphBuilder b("gelu", 5);
    Value *x = b.input("x", {3, 16});
    Value *mm = b.node(OpKind::MatMul, "mm", {x, b.weight("w", {16, 11}, -2.0f, 2.0f)});
    b.output(exportedGelu(b, mm, halfFirst, 1.41421356f));
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseGelu(g, Opts)); }, 1e-6f);
    REQUIRE(g.nodes().size() == 2);
    CHECK(g.nodes()[1]->op == OpKind::Gelu);
    CHECK(g.nodes()[1]->input(0) == g.nodes()[0]->output());
    CHECK(g.nodes()[1]->output()->name == "y");
    CHECK(fuseActivation(g, Opts));
    REQUIRE(g.nodes().size() == 1);
    REQUIRE(g.nodes()[0]->fused.size() == 1);
    CHECK(g.nodes()[0]->fused[0].op == OpKind::Gelu);
  }
}

TEST_CASE("fuse-gelu leaves other constants and intermediates read elsewhere") {
  { // x / 1.5: not sqrt(2)
    GraphBuilder b("c");
    b.output(exportedGelu(b, b.input("x", {4}), false, 1.5f));
    CHECK_FALSE(fuseGelu(b.graph(), Opts));
  }
  { // the Erf is also an output
    GraphBuilder b("e");
    Value *y = exportedGelu(b, b.input("x", {4}), false, 1.41421356f);
    b.output(y);
    Graph &g = b.graph();
    for (const auto &n : g.nodes())
      if (n->op == OpKind::Erf)
        g.outputs.push_back(n->output());
    CHECK_FALSE(fuseGelu(g, Opts));
  }
  { // two GELUs in a row both become Gelu
    GraphBuilder b("two", 9);
    Value *x = b.input("x", {2, 5});
    Value *y1 = exportedGelu(b, x, false, 1.41421356f, "a.");
    Value *n = b.node(OpKind::Neg, "neg", {y1});
    b.output(exportedGelu(b, n, true, 1.41421356f, "b."));
    Graph &g = b.graph();
    checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(fuseGelu(g, Opts)); }, 1e-6f);
    CHECK(countOps(g, OpKind::Gelu) == 2);
    CHECK(g.nodes().size() == 3);
  }
}
