//===- PipelineTest.cpp - Optimized graphs, dedup and the run ABI ---------===//

#include "tests/codegen/JitTest.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::test;

namespace {
/// conv-bn-relu-pool, a residual block, global pool and a classifier.
void smallCnn(GraphBuilder &b) {
  Value *x = b.input("x", {1, 3, 20, 20});
  Value *c = b.node(OpKind::Relu, "r1", {b.batchNorm("bn1", b.conv("c1", x, 16, 3, 1, 1))});
  c = b.node(OpKind::MaxPool, "p1", {c}, maxPoolAttrs(2, 2));
  Value *d = b.node(OpKind::Relu, "r2", {b.conv("c2", c, 16, 3, 1, 1)});
  d = b.conv("c3", d, 16, 3, 1, 1);
  Value *s = b.node(OpKind::Relu, "r3", {b.node(OpKind::Add, "add", {d, c})});
  Value *g = b.node(OpKind::GlobalAveragePool, "gap", {s});
  Attrs fl;
  fl.set("axis", int64_t(1));
  Value *f = b.node(OpKind::Flatten, "flat", {g}, fl);
  Attrs gm;
  gm.set("alpha", 1.0);
  gm.set("beta", 1.0);
  gm.set("transA", int64_t(0));
  gm.set("transB", int64_t(1));
  b.output(b.node(OpKind::Gemm, "fc", {f, b.weight("fc.w", {10, 16}), b.weight("fc.b", {10})}, gm));
}
} // namespace

TEST_CASE("optimized pipeline (blocked layouts, fusions, planned memory)") {
  for (int lanes : {16, 8}) {
    CAPTURE(lanes);
    GraphBuilder b;
    smallCnn(b);
    std::vector<Tensor> inputs = b.randomInputs();
    std::vector<Tensor> expected = runOrFail(b.graph(), inputs);
    PassOptions po;
    po.vectorLanes = lanes;
    po.verifyEach = true;
    REQUIRE(errorText(runPipeline(b.graph(), po)) == "");
    codegen::JitOptions jo;
    if (lanes == 8)
      jo.cpu = "haswell";
    checkAgainstReference(b.graph(), inputs, jo);
  }
}

TEST_CASE("identical layers share one task function") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 4, 8, 8});
  Value *y = x;
  for (int i = 0; i < 4; ++i)
    y = b.conv("c" + std::to_string(i), y, 4, 3, 1, 1);
  b.output(y);
  auto cm = codegen::CompiledModel::compile(b.graph());
  REQUIRE(bool(cm));
  CHECK((*cm)->numLayers() == 4);
  CHECK((*cm)->numTasks() == 1);
}

TEST_CASE("run checks its arguments") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 4, 8, 8});
  b.output(b.conv("c2", b.conv("c1", x, 4, 3, 1, 1), 4, 3, 1, 1));
  auto cm = codegen::CompiledModel::compile(b.graph());
  REQUIRE(bool(cm));
  REQUIRE((*cm)->workspaceSize() > 0);
  std::vector<float> in(256), out(256);
  const void *ins[] = {in.data()};
  void *outs[] = {out.data()};
  const void *nullIns[] = {nullptr};
  char *ws = static_cast<char *>(kiln_workspace_alloc((*cm)->workspaceSize() + 64));
  CHECK((*cm)->run(nullptr, outs, ws, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(nullIns, outs, ws, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(ins, outs, nullptr, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(ins, outs, ws + 4, nullptr) == KILN_ERROR_MISALIGNED);
  CHECK((*cm)->run(ins, outs, ws, nullptr) == KILN_OK);
  CHECK(std::string((*cm)->info().inputs[0].name) == "x");
  kiln_workspace_free(ws);
}

TEST_CASE("profiling accumulates per-layer time, calls and conv/gemm flops") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 3, 12, 12});
  Value *c = b.conv("c1", x, 16, 3, 2, 1); // unpooled 6x6, pooled to 3x3
  c = b.node(OpKind::MaxPool, "p1", {c}, maxPoolAttrs(2, 2));
  Attrs fl;
  fl.set("axis", int64_t(1));
  Value *f = b.node(OpKind::Flatten, "flat", {c}, fl);
  Attrs gm;
  gm.set("alpha", 1.0);
  gm.set("beta", 1.0);
  gm.set("transA", int64_t(0));
  gm.set("transB", int64_t(1));
  b.output(b.node(OpKind::Gemm, "fc", {f, b.weight("fc.w", {10, 144}),
                                       b.weight("fc.b", {10})}, gm));
  std::vector<Tensor> inputs = b.randomInputs();
  PassOptions po;
  REQUIRE(errorText(runPipeline(b.graph(), po)) == "");
  codegen::JitOptions jo;
  jo.profile = true;
  auto cm = codegen::CompiledModel::compile(b.graph(), jo);
  REQUIRE(bool(cm));
  std::vector<float> out(10);
  const void *ins[] = {inputs[0].f32.data()};
  void *outs[] = {out.data()};
  for (int run = 0; run < 3; ++run)
    REQUIRE((*cm)->run(ins, outs) == KILN_OK);
  std::vector<codegen::LayerProfile> prof = (*cm)->profile();
  REQUIRE(prof.size() == (*cm)->numLayers());
  double convFlops = 0, gemmFlops = 0, ms = 0;
  for (const codegen::LayerProfile &p : prof) {
    CHECK(p.calls == 3);
    CHECK(p.ms >= 0);
    CHECK(!p.kernel.empty());
    ms += p.ms;
    if (p.name == "c1")
      convFlops = p.flops;
    if (p.name == "fc")
      gemmFlops = p.flops;
  }
  CHECK(ms > 0);
  // Conv: the unpooled 16x6x6 output, 3*3*3 multiply-adds each.
  CHECK(convFlops == 2.0 * 16 * 6 * 6 * 27);
  CHECK(gemmFlops == 2.0 * 10 * 144);
  (*cm)->resetProfile();
  for (const codegen::LayerProfile &p : (*cm)->profile())
    CHECK((p.calls == 0 && p.ms == 0));
}

namespace {
Attrs axisAttr(int64_t axis) {
  Attrs a;
  a.set("axis", axis);
  return a;
}

/// Every op next to a blocked conv that must read or write plain data, or
/// that only runs blocked in special cases.
void layoutBoundaries(GraphBuilder &b, int caseId) {
  Value *x = b.input("x", {1, 5, 9, 9});
  Value *c = b.node(OpKind::Relu, "r", {b.conv("c", x, 16, 3, 1, 1)});
  switch (caseId) {
  case 0: // a blocked [N,C,1,1] read as plain by Flatten, a graph output
    b.output(b.node(OpKind::Flatten, "flat",
                    {b.node(OpKind::GlobalAveragePool, "gap", {c})}, axisAttr(1)));
    break;
  case 1: { // likewise by Reshape
    Attrs a;
    a.set("shape", std::vector<int64_t>{1, 16});
    b.output(b.node(OpKind::Reshape, "reshape",
                    {b.node(OpKind::GlobalAveragePool, "gap", {c})}, a));
    break;
  }
  case 2: // Softmax over channels of a conv result
  {
    Attrs a = axisAttr(1);
    a.set("legacy", int64_t(0));
    b.output(b.node(OpKind::Softmax, "sm", {c}, a));
  }
    break;
  case 3: { // LRN between convs
    Attrs a;
    a.set("size", int64_t(5));
    a.set("alpha", 1e-4);
    a.set("beta", 0.75);
    a.set("bias", 1.0);
    b.output(b.conv("c2", b.node(OpKind::LRN, "lrn", {c}, a), 16, 3, 1, 1));
    break;
  }
  case 4: { // squeeze-excitation: a broadcast Mul of two blocked values
    Value *s = b.node(OpKind::Sigmoid, "sig",
                      {b.conv("fc", b.node(OpKind::GlobalAveragePool, "gap", {c}), 16, 1)});
    b.output(b.node(OpKind::Mul, "scale", {c, s}));
    break;
  }
  case 5: // a broadcast Add with a constant, a Concat of partial blocks
    b.output(b.node(OpKind::Concat, "cat",
                    {b.node(OpKind::Add, "add", {c, b.weight("k", {16, 1, 1})}),
                     b.conv("c3", x, 4, 1)},
                    axisAttr(1)));
    break;
  case 6: // the conv result is both a graph output and read by another conv
    b.output(c);
    b.output(b.conv("c4", c, 8, 3, 2, 1));
    break;
  }
}
} // namespace

TEST_CASE("optimized graphs at layout boundaries compile and match") {
  for (int lanes : {16, 8, 4})
    for (int caseId = 0; caseId < 7; ++caseId) {
      CAPTURE(lanes);
      CAPTURE(caseId);
      GraphBuilder b;
      layoutBoundaries(b, caseId);
      std::vector<Tensor> inputs = b.randomInputs();
      PassOptions po;
      po.vectorLanes = lanes;
      po.verifyEach = true;
      REQUIRE(errorText(runPipeline(b.graph(), po)) == "");
      codegen::JitOptions jo;
      if (lanes == 8)
        jo.cpu = "haswell";
      if (lanes == 4)
        jo.cpu = "x86-64"; // SSE2: 4 lanes
      checkAgainstReference(b.graph(), inputs, jo);
    }
}

TEST_CASE("NaN and Inf weights propagate as in the reference, padded borders too") {
  // A NaN and an Inf on corner taps: ONNX Runtime and the reference skip the
  // taps that fall on padding, so the border outputs those taps would reach
  // stay finite; 0 x NaN from a kernel that multiplied the padding would not.
  for (int64_t channels : {3, 32}) { // below one block, and blocked + Winograd-sized
    CAPTURE(channels);
    GraphBuilder b;
    Value *x = b.input("x", {1, channels, 28, 28});
    Value *w = b.weight("w", {16, channels, 3, 3}, -0.5f, 0.5f);
    auto data = std::make_shared<ConstantData>(*w->constant);
    data->f32[0] = std::numeric_limits<float>::quiet_NaN();                  // [0,0,0,0]
    data->f32[size_t(channels * 9 + 8)] = std::numeric_limits<float>::infinity(); // [1,0,2,2]
    w->constant = data;
    b.output(b.node(OpKind::Conv, "conv", {x, w, b.weight("b", {16})},
                    convAttrs(3, 1, 1, 1, 1)));
    std::vector<Tensor> inputs = b.randomInputs();
    std::vector<Tensor> expected = runOrFail(b.graph(), inputs);
    PassOptions po;
    po.vectorLanes = 16;
    REQUIRE(errorText(runPipeline(b.graph(), po)) == "");
    auto cm = codegen::CompiledModel::compile(b.graph());
    REQUIRE(bool(cm));
    std::vector<float> out(size_t(expected[0].numElements()));
    const void *ins[] = {inputs[0].f32.data()};
    void *outs[] = {out.data()};
    REQUIRE((*cm)->run(ins, outs, nullptr) == KILN_OK);
    int64_t nan = 0, inf = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      float want = expected[0].f32[i], got = out[i];
      nan += std::isnan(want);
      inf += std::isinf(want);
      CAPTURE(i);
      CHECK(std::isnan(got) == std::isnan(want));
      CHECK(std::isinf(got) == std::isinf(want));
      if (std::isfinite(want))
        CHECK(std::fabs(got - want) <= CodegenRounding * 16);
      else if (std::isinf(want))
        CHECK(got == want);
    }
    // Channel 0 loses its top row and left column to the NaN tap's padding;
    // channel 1's Inf tap misses the bottom row and right column.
    CHECK(nan == (28 - 1) * (28 - 1));
    CHECK(inf == (28 - 1) * (28 - 1));
  }
}

TEST_CASE("many small layers share tasks: compile work stays bounded") {
  // 3000 copies at distinct offsets: past the specialization cap, the
  // cheapest share one task that reads its params at run time.
  GraphBuilder b;
  Value *x = b.input("x", {1, 2});
  Attrs a;
  a.set("axis", int64_t(1));
  b.output(b.node(OpKind::Concat, "cat", std::vector<Value *>(3000, x), a));
  auto cm = codegen::CompiledModel::compile(b.graph());
  REQUIRE(bool(cm));
  CHECK((*cm)->numLayers() == 3000);
  CHECK((*cm)->numTasks() <= 513);
  const float in[2] = {1.5f, -2.0f};
  std::vector<float> out(6000, 0.0f);
  const void *ins[] = {in};
  void *outs[] = {out.data()};
  REQUIRE((*cm)->run(ins, outs, nullptr) == KILN_OK);
  for (size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    CHECK(out[i] == in[i % 2]);
  }
}

TEST_CASE("an empty weight (Gemm with K = 0) runs in the JIT") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 0});
  Attrs gm;
  gm.set("alpha", 1.0);
  gm.set("beta", 1.0);
  gm.set("transA", int64_t(0));
  gm.set("transB", int64_t(0));
  Value *bias = b.weight("b", {3});
  b.output(b.node(OpKind::Gemm, "fc", {x, b.constant("w", {0, 3}, {}), bias}, gm));
  auto cm = codegen::CompiledModel::compile(b.graph());
  REQUIRE(bool(cm));
  float none = 0.0f; // the empty input: any non-null pointer
  std::vector<float> out(6, -1.0f);
  const void *ins[] = {&none};
  void *outs[] = {out.data()};
  REQUIRE((*cm)->run(ins, outs, nullptr) == KILN_OK);
  for (size_t i = 0; i < out.size(); ++i)
    CHECK(out[i] == bias->constant->f32[i % 3]); // x @ w is empty: the bias
}

// A standalone op on a blocked tensor runs over the whole storage, padded
// channels included. Log, Reciprocal and Cos map those zeros to -inf, inf
// and 1, and Div to 0/0 = NaN; the conv that follows reads every lane of its
// input blocks, so anything but 0 there would leak into real channels
// (inf * 0 weight = NaN). 13 channels: a partial block at every width.
TEST_CASE("ops that map 0 elsewhere leave the padded channels of blocked tensors zero") {
  for (int lanes : {16, 8})
    for (OpKind op : {OpKind::Log, OpKind::Reciprocal, OpKind::Cos, OpKind::Div}) {
      CAPTURE(lanes);
      CAPTURE(std::string(opName(op)));
      GraphBuilder b;
      Value *x = b.input("x", {1, 5, 9, 9});
      Value *c = b.conv("c1", x, 13, 3, 1, 1);
      Value *mid;
      if (op == OpKind::Cos)
        mid = b.node(op, "mid", {c});
      else if (op == OpKind::Div)
        // Exp's padded lanes are 0, so 0/0 there; exp(c) keeps the real
        // lanes well conditioned.
        mid = b.node(op, "mid", {b.conv("c2", x, 13, 3, 1, 1),
                                 b.node(OpKind::Exp, "exp", {c})});
      else
        mid = b.node(op, "mid", {b.node(OpKind::Abs, "abs", {c})});
      b.output(b.conv("c3", mid, 6, 3, 1, 1));
      std::vector<Tensor> inputs = b.randomInputs();
      PassOptions po;
      po.vectorLanes = lanes;
      po.verifyEach = true;
      REQUIRE(errorText(runPipeline(b.graph(), po)) == "");
      // The case is only a test if `mid` stayed blocked between the convs.
      bool blocked = false;
      for (const auto &n : b.graph().nodes())
        if (n->op == op)
          blocked = n->output()->layout.kind == Layout::NCHWc;
      REQUIRE(blocked);
      codegen::JitOptions jo;
      if (lanes == 8)
        jo.cpu = "haswell";
      checkAgainstReference(b.graph(), inputs, jo);
    }
}
