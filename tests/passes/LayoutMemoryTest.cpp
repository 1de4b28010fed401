//===- LayoutMemoryTest.cpp - assign-layout and plan-memory ---------------===//

#include "GraphBuilder.h"

#include "compiler/passes/Passes.h"

#include <unordered_map>

using namespace kiln;
using namespace kiln::test;

namespace {
const PassOptions Opts; // 16 lanes

const Layout Blocked16{Layout::NCHWc, 16};
const Layout Plain{};

Attrs intAttr(const char *name, int64_t v) {
  Attrs a;
  a.set(name, v);
  return a;
}

Attrs gemmAttrs() {
  Attrs a;
  a.set("alpha", 1.0);
  a.set("beta", 1.0);
  a.set("transA", int64_t(0));
  a.set("transB", int64_t(1));
  return a;
}

/// A small ResNet-like network: stem conv + pool, a residual block with a
/// downsampling shortcut, global pool, classifier.
void buildResNetLike(GraphBuilder &b) {
  Value *x = b.input("data", {1, 3, 20, 20});
  Value *stem = b.node(OpKind::Relu, "stem.relu", {b.batchNorm("stem.bn", b.conv("stem", x, 16, 3, 1, 1, 1, false))});
  Value *p = b.node(OpKind::MaxPool, "pool", {stem}, maxPoolAttrs(3, 2, 1));
  Value *a = b.node(OpKind::Relu, "a.relu", {b.batchNorm("a.bn", b.conv("a", p, 32, 3, 2, 1, 1, false))});
  Value *bb = b.batchNorm("b.bn", b.conv("b", a, 32, 3, 1, 1, 1, false));
  Value *ds = b.batchNorm("ds.bn", b.conv("ds", p, 32, 1, 2, 0, 1, false));
  Value *add = b.node(OpKind::Add, "add", {bb, ds});
  Value *r = b.node(OpKind::Relu, "relu", {add});
  Value *gap = b.node(OpKind::GlobalAveragePool, "gap", {r});
  Value *f = b.node(OpKind::Flatten, "flat", {gap}, intAttr("axis", 1));
  b.output(b.node(OpKind::Gemm, "fc", {f, b.weight("fc.w", {10, 32}), b.weight("fc.b", {10})},
                  gemmAttrs()));
}

/// Independent check of a memory plan: alignment, bounds, and no overlap of
/// values live at the same time (views extend their root's lifetime).
void checkPlan(const Graph &g) {
  std::unordered_map<const Value *, std::pair<size_t, size_t>> life;
  auto root = [](const Value *v) {
    while (v->viewOf)
      v = v->viewOf;
    return v;
  };
  const auto &nodes = g.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value *out : nodes[i]->outputs) {
      if (g.isGraphOutput(out)) {
        CHECK(out->offset == -1);
        CHECK(out->viewOf == nullptr);
      }
      if (!out->viewOf && out->offset >= 0)
        life[out] = {i, i};
    }
    for (const Value *in : nodes[i]->inputs)
      if (auto it = life.find(root(in)); it != life.end())
        it->second.second = i;
  }
  for (const auto &[v, span] : life) {
    CHECK(v->offset % 64 == 0);
    CHECK(v->offset + storageBytes(v->type, v->layout) <= g.workspaceBytes);
  }
  for (const auto &[v, s] : life)
    for (const auto &[u, t] : life) {
      if (u == v || s.first > t.second || t.first > s.second)
        continue;
      bool disjoint = v->offset + storageBytes(v->type, v->layout) <= u->offset ||
                      u->offset + storageBytes(u->type, u->layout) <= v->offset;
      INFO(v->name << " and " << u->name);
      CHECK(disjoint);
    }
}
} // namespace

TEST_CASE("assign-layout blocks conv chains without reorders in a ResNet-like net") {
  GraphBuilder b("resnetish", 3);
  buildResNetLike(b);
  Graph &g = b.graph();
  PassOptions opts;
  opts.verifyEach = true;
  checkPreserves(
      g, b.randomInputs(),
      [&](Graph &g) { REQUIRE(errorText(runPipeline(g, opts)) == ""); }, FoldedRounding);
  // Plain RGB straight into the first conv; [1,32,1,1] blocked is plain bytes.
  CHECK(countOps(g, OpKind::Reorder) == 0);
  CHECK(countOps(g, OpKind::Add) == 0);
  CHECK(countOps(g, OpKind::Relu) == 0);
  CHECK(countOps(g, OpKind::MaxPool) == 0);
  CHECK(countOps(g, OpKind::BatchNormalization) == 0);
  const Node *stem = findNode(g, "stem");
  REQUIRE(stem);
  CHECK(stem->input(0)->layout == Plain);
  CHECK(stem->output()->layout == Blocked16);
  CHECK(findNode(g, "gap")->output()->layout == Blocked16);
  CHECK(findNode(g, "flat")->output()->layout == Plain);
  CHECK(findNode(g, "flat")->output()->viewOf == findNode(g, "gap")->output());
  checkPlan(g);
}

TEST_CASE("assign-layout inserts reorders where plain and blocked meet") {
  GraphBuilder b("reorders", 5);
  Value *x = b.input("x", {1, 24, 6, 6});                        // C >= 16: reorder in
  Value *c1 = b.conv("c1", x, 32, 3, 1, 1);
  Attrs lrn;
  lrn.set("size", int64_t(3));
  lrn.set("alpha", 1e-4);
  lrn.set("beta", 0.75);
  lrn.set("bias", 1.0);
  Value *l = b.node(OpKind::LRN, "lrn", {c1}, lrn);             // plain reader
  Value *c2 = b.conv("c2", l, 16, 1);                           // blocked again
  Value *r = b.node(OpKind::Relu, "r", {c2});
  b.output(b.node(OpKind::Flatten, "flat", {r}, intAttr("axis", 1))); // 6x6: not a view
  b.output(c1);                                                 // blocked graph output
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) {
    CHECK(assignLayout(g, Opts));
    CHECK(planMemory(g, Opts));
  });
  CHECK(countOps(g, OpKind::Reorder) == 4); // in, out (shared by the LRN), to c2, to flat
  // The graph output keeps its name and is plain; the conv writes a blocked copy.
  Value *out = g.outputs[1];
  CHECK(out->name == "c1");
  CHECK(out->layout == Plain);
  REQUIRE(out->producer->op == OpKind::Reorder);
  CHECK(out->producer->input(0)->layout == Blocked16);
  CHECK(findNode(g, "c1")->input(0)->layout == Blocked16);
  CHECK(findNode(g, "lrn")->input(0)->layout == Plain);
  CHECK(findNode(g, "c2")->input(0)->layout == Blocked16);
  CHECK(findNode(g, "flat")->input(0)->layout == Plain);
  for (const auto &v : g.values())
    if (v->type.rank() != 4)
      CHECK(v->layout == Plain);
  checkPlan(g);
}

TEST_CASE("assign-layout keeps grouped convs without whole blocks plain; lanes from options") {
  GraphBuilder b("groups", 7);
  Value *x = b.input("x", {1, 3, 8, 8});
  Value *c1 = b.conv("c1", x, 32, 3, 1, 1);
  Value *dw = b.conv("dw", c1, 32, 3, 1, 1, 32);  // depthwise: plain
  Value *g2 = b.conv("g2", dw, 32, 1, 1, 0, 2);   // 16 per group: blocked
  b.output(b.node(OpKind::Relu, "y", {g2}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(assignLayout(g, Opts)); });
  CHECK(findNode(g, "c1")->output()->layout == Blocked16);
  CHECK(findNode(g, "dw")->input(0)->layout == Plain);
  CHECK(findNode(g, "dw")->output()->layout == Plain);
  CHECK(findNode(g, "g2")->output()->layout == Blocked16);
  CHECK(g.outputs[0]->layout == Plain);

  GraphBuilder b8("lanes", 7);
  Value *x8 = b8.input("x", {1, 3, 8, 8});
  b8.output(b8.node(OpKind::Relu, "y", {b8.conv("c", x8, 24, 3, 1, 1)}));
  Graph &g8 = b8.graph();
  PassOptions avx2;
  avx2.vectorLanes = 8;
  CHECK(assignLayout(g8, avx2));
  CHECK(findNode(g8, "c")->output()->layout == Layout{Layout::NCHWc, 8});
}

TEST_CASE("plan-memory reuses buffers along a chain and makes plain reshapes views") {
  GraphBuilder b("chain", 9);
  Value *v = b.input("x", {1, 64, 16, 16}); // 64 KiB per activation
  for (int i = 0; i < 8; ++i)
    v = b.node(i % 2 ? OpKind::Relu : OpKind::Sigmoid, "n" + std::to_string(i), {v});
  Value *f = b.node(OpKind::Flatten, "flat", {v}, intAttr("axis", 1));
  b.output(b.node(OpKind::Relu, "y", {f}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(planMemory(g, Opts)); });
  CHECK(g.workspaceBytes == 2 * 64 * 16 * 16 * 4); // ping-pong
  CHECK(findNode(g, "flat")->output()->viewOf == findNode(g, "n7")->output());
  CHECK(findNode(g, "flat")->output()->offset == findNode(g, "n7")->output()->offset);
  CHECK(g.outputs[0]->offset == -1);
  checkPlan(g);
}

TEST_CASE("plan-memory keeps fused residual shortcuts live; graph outputs are copies") {
  GraphBuilder b("live", 11);
  Value *x = b.input("x", {1, 16, 8, 8});
  Value *s = b.node(OpKind::Sigmoid, "s", {x});   // the shortcut
  Value *c1 = b.node(OpKind::Relu, "r1", {b.conv("c1", s, 16, 3, 1, 1)});
  Value *c2 = b.conv("c2", c1, 16, 3, 1, 1);
  Value *add = b.node(OpKind::Add, "add", {c2, s});
  Value *r = b.node(OpKind::Relu, "r", {add});
  b.output(b.node(OpKind::Reshape, "y", {r}, [] {
    Attrs a;
    a.set("shape", std::vector<int64_t>{1, 1024});
    return a;
  }()));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) {
    fuseResidual(g, Opts);
    fuseActivation(g, Opts);
    assignLayout(g, Opts);
    planMemory(g, Opts);
  });
  CHECK(findNode(g, "c2")->hasFusion(OpKind::Add));
  CHECK(g.outputs[0]->viewOf == nullptr);
  checkPlan(g);
}

TEST_CASE("plan-memory: long-lived values among a long chain stay apart from it") {
  // Lifetimes longer and shorter than the planner's short-life window: every
  // value live beside a long-lived one must get its own bytes.
  GraphBuilder b("longlife", 13);
  Value *x = b.input("x", {1, 16, 4, 4});
  Value *keep = b.node(OpKind::Sigmoid, "keep", {x});  // read at the end
  Value *mid = nullptr;
  Value *v = keep;
  for (int i = 0; i < 700; ++i) {
    v = b.node(i % 2 ? OpKind::Relu : OpKind::Sigmoid, "n" + std::to_string(i), {v});
    if (i == 300)
      mid = v; // read at the end too: a lifetime of ~400 nodes
  }
  Value *sum = b.node(OpKind::Add, "sum", {v, keep});
  b.output(b.node(OpKind::Add, "y", {sum, mid}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(planMemory(g, Opts)); });
  checkPlan(g);
  // Two long-lived values and the chain's ping-pong pair.
  CHECK(g.workspaceBytes == 4 * 16 * 4 * 4 * 4);
  REQUIRE(!errorText(verifyGraph(g)).size());
}
