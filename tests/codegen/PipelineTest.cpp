//===- PipelineTest.cpp - Optimized graphs, dedup and the run ABI ---------===//

#include "tests/codegen/JitTest.h"

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
  const float *ins[] = {in.data()};
  float *outs[] = {out.data()};
  const float *nullIns[] = {nullptr};
  char *ws = static_cast<char *>(kiln_workspace_alloc((*cm)->workspaceSize() + 64));
  CHECK((*cm)->run(nullptr, outs, ws, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(nullIns, outs, ws, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(ins, outs, nullptr, nullptr) == KILN_ERROR_NULL_ARGUMENT);
  CHECK((*cm)->run(ins, outs, ws + 4, nullptr) == KILN_ERROR_MISALIGNED);
  CHECK((*cm)->run(ins, outs, ws, nullptr) == KILN_OK);
  CHECK(std::string((*cm)->info().inputs[0].name) == "x");
  kiln_workspace_free(ws);
}
