//===- FoldTest.cpp - remove-identity, fold-constants, dead-code, fold-bn -===//

#include "GraphBuilder.h"

#include "compiler/ir/Printer.h"
#include "compiler/passes/Passes.h"

#include <cmath>

using namespace kiln;
using namespace kiln::test;

namespace {
const PassOptions Opts;
Attrs intAttr(const char *name, int64_t v) {
  Attrs a;
  a.set(name, v);
  return a;
}
Attrs intsAttr(const char *name, std::vector<int64_t> v) {
  Attrs a;
  a.set(name, std::move(v));
  return a;
}
} // namespace

TEST_CASE("remove-identity rewires readers and keeps graph output names") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 4});
  Value *r = b.node(OpKind::Relu, "r", {x});
  Value *d = b.node(OpKind::Dropout, "d", {r});
  Value *s = b.node(OpKind::Sigmoid, "s", {d});
  Value *y = b.node(OpKind::Identity, "y", {s});
  b.output(y);
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(removeIdentity(g, Opts)); });
  CHECK(printText(g) == "graph \"test\" {\n"
                        "  input  %x : f32[1,4]\n"
                        "  output %y : f32[1,4]\n"
                        "  constants: 0 (0.0 MB)\n"
                        "\n"
                        "  %r = Relu(%x) : f32[1,4]\n"
                        "  %y = Sigmoid(%r) : f32[1,4]  # \"s\"\n"
                        "}\n");
  CHECK_FALSE(removeIdentity(g, Opts));
}

TEST_CASE("remove-identity keeps the copy that makes a graph output of an input") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3});
  Value *r = b.node(OpKind::Relu, "r", {x});
  b.output(b.node(OpKind::Identity, "same", {x}));
  b.output(r);
  b.output(b.node(OpKind::Identity, "r2", {r})); // two outputs, same data
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK_FALSE(removeIdentity(g, Opts)); });
  CHECK(countOps(g, OpKind::Identity) == 2);
}

TEST_CASE("fold-constants folds weight preprocessing and shape arithmetic") {
  GraphBuilder b;
  Value *x = b.input("x", {2, 3, 4});
  // W^T * 2 + 1, computed at run time by the exporter's graph.
  Value *w = b.weight("w", {5, 12});
  Value *wt = b.node(OpKind::Transpose, "wt", {w}, intsAttr("perm", {1, 0}));
  Value *two = b.constant("two", {1}, {2.0f});
  Value *w2 = b.node(OpKind::Mul, "w2", {wt, two});
  Value *one = b.constant("one", {}, {1.0f});
  Value *w3 = b.node(OpKind::Add, "w3", {w2, one});
  // Shape(x)[0] concatenated with -1... already resolved: Reshape reads attrs,
  // but the exporter's leftovers (Shape -> Gather -> Cast) still fold.
  Attrs sa;
  sa.set("start", int64_t(0));
  sa.set("end", int64_t(3));
  Value *shape = b.node(OpKind::Shape, "shape", {x}, sa);
  Value *idx = b.constantI64("idx", {}, {0});
  Value *n = b.node(OpKind::Gather, "n", {shape, idx}, intAttr("axis", 0));
  Attrs ca;
  ca.set("to", int64_t(DType::F32));
  Value *nf = b.node(OpKind::Cast, "nf", {n}, ca);
  Value *flat = b.node(OpKind::Flatten, "flat", {x}, intAttr("axis", 1));
  Value *mm = b.node(OpKind::MatMul, "mm", {flat, w3});
  Value *y = b.node(OpKind::Mul, "y", {mm, nf});
  b.output(y);
  Graph &g = b.graph();
  // Read before folding: the pass frees the values it makes unused.
  const float w12 = w->f32()[12];
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(foldConstants(g, Opts)); });
  CHECK(g.nodes().size() == 3); // Flatten, MatMul, Mul
  CHECK(countOps(g, OpKind::Transpose) == 0);
  CHECK(countOps(g, OpKind::Shape) == 0);
  const Node *mul = findNode(g, "y");
  REQUIRE(mul);
  REQUIRE(mul->input(1)->isConstant());
  CHECK(mul->input(1)->f32()[0] == 2.0f);
  // The folded weight keeps the name of the value it replaces.
  CHECK(findNode(g, "mm")->input(1)->name == "w3");
  CHECK(findNode(g, "mm")->input(1)->f32()[1] == w12 * 2.0f + 1.0f);
  CHECK_FALSE(foldConstants(g, Opts));
}

TEST_CASE("fold-constants shares the payload of re-typing ops") {
  GraphBuilder b;
  Value *x = b.input("x", {3, 4});
  Value *w = b.weight("w", {2, 2, 3});
  Value *r = b.node(OpKind::Reshape, "r", {w}, intsAttr("shape", {4, 3}));
  b.output(b.node(OpKind::MatMul, "y", {x, r}));
  Graph &g = b.graph();
  const ConstantData *payload = w->constant.get();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(foldConstants(g, Opts)); });
  CHECK(g.nodes().front()->input(1)->constant.get() == payload);
}

TEST_CASE("fold-constants leaves graph outputs and data-dependent failures alone") {
  GraphBuilder b;
  Value *x = b.input("x", {2});
  Value *c = b.constant("c", {2}, {1.0f, 2.0f});
  Value *num = b.constantI64("num", {2}, {7, 8});
  Value *den = b.constantI64("den", {2}, {0, 1}); // division by zero at run time
  Value *gat = b.node(OpKind::Div, "g", {num, den});
  b.output(b.node(OpKind::Add, "y", {c, c}));
  b.output(b.node(OpKind::Add, "z", {x, c}));
  b.output(gat);
  Graph &g = b.graph();
  CHECK_FALSE(foldConstants(g, Opts));
  CHECK(g.nodes().size() == 3);
}

TEST_CASE("fold-constants leaves nodes beyond the folding budget to run time") {
  GraphBuilder b;
  // A Conv of constants: 15 M results of 64*7*7 multiply-adds each, 47 G in
  // all, far past limits::MaxFoldMacs; the compiled kernels run it instead.
  Value *x = b.constant("x", {1, 64, 128, 128}, std::vector<float>(64 * 128 * 128, 0.5f));
  Value *big = b.conv("big", x, 1024, 7);
  // A broadcast Add of two small constants whose result, 2^28 elements, is
  // past limits::MaxFoldElements.
  Value *col = b.constant("col", {1 << 14, 1}, std::vector<float>(1 << 14, 1.0f));
  Value *row = b.constant("row", {1, 1 << 14}, std::vector<float>(1 << 14, 2.0f));
  Value *wide = b.node(OpKind::Add, "wide", {col, row});
  // A small Conv of constants folds.
  Value *small = b.conv("small", b.weight("xs", {1, 2, 5, 5}), 3, 3);
  b.output(b.node(OpKind::Relu, "y1", {big}));
  b.output(b.node(OpKind::Relu, "y2", {wide}));
  b.output(b.node(OpKind::Relu, "y3", {small}));
  Graph &g = b.graph();
  CHECK(limits::MaxFoldMacs < int64_t(1024) * 122 * 122 * 64 * 7 * 7);
  CHECK(limits::MaxFoldElements < int64_t(1) << 28);
  CHECK(foldConstants(g, Opts));
  CHECK(findNode(g, "big"));
  CHECK(findNode(g, "wide"));
  CHECK_FALSE(findNode(g, "small"));
  CHECK(findNode(g, "y3")->input(0)->isConstant());
}

TEST_CASE("fold-constants casts as ONNX does: non-zero is true, floats truncate") {
  GraphBuilder b;
  Value *x = b.input("x", {4});
  Value *c = b.constant("c", {4}, {0.5f, 0.0f, -2.5f, std::nanf("")});
  Attrs toBool, toI64, toF32;
  toBool.set("to", int64_t(DType::Bool));
  toI64.set("to", int64_t(DType::I64));
  toF32.set("to", int64_t(DType::F32));
  Value *asBool = b.node(OpKind::Cast, "as_bool", {c}, toBool);
  Value *asI64 = b.node(OpKind::Cast, "as_i64", {c}, toI64);
  Value *sum = b.node(OpKind::Add, "sum", {b.node(OpKind::Cast, "bool_f", {asBool}, toF32),
                                           b.node(OpKind::Cast, "i64_f", {asI64}, toF32)});
  b.output(b.node(OpKind::Add, "y", {x, sum}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(foldConstants(g, Opts)); });
  REQUIRE(g.nodes().size() == 1);
  const Value *folded = g.nodes()[0]->input(1);
  REQUIRE(folded->isConstant());
  // bool: 1, 0, 1, 1 (NaN is non-zero); i64: 0, 0, -2, INT64_MIN.
  CHECK(folded->constant->f32 ==
        std::vector<float>{1.0f, 0.0f, -1.0f, 1.0f + float(INT64_MIN)});
}

TEST_CASE("dead-code removes whole unused chains and nothing else") {
  GraphBuilder b;
  Value *x = b.input("x", {1, 4});
  Value *a = b.node(OpKind::Relu, "a", {x});
  Value *d1 = b.node(OpKind::Sigmoid, "d1", {a});
  b.node(OpKind::Relu, "d2", {d1});
  b.output(b.node(OpKind::Sigmoid, "y", {a}));
  Graph &g = b.graph();
  CHECK(deadCode(g, Opts));
  CHECK(g.nodes().size() == 2);
  CHECK(errorText(verifyGraph(g)) == "");
  CHECK_FALSE(deadCode(g, Opts));
}

TEST_CASE("fold-batchnorm folds into the conv before it, creating a bias") {
  for (bool bias : {false, true}) {
    GraphBuilder b("bn", bias ? 3 : 4);
    Value *x = b.input("x", {1, 3, 9, 7});
    Value *c = b.conv("conv", x, 5, 3, 2, 1, 1, bias);
    Value *bn = b.batchNorm("bn", c);
    b.output(b.node(OpKind::Relu, "y", {bn}));
    Graph &g = b.graph();
    checkPreserves(
        g, b.randomInputs(), [](Graph &g) { CHECK(foldBatchNorm(g, Opts)); }, FoldedRounding);
    CHECK(countOps(g, OpKind::BatchNormalization) == 0);
    const Node *conv = findNode(g, "conv");
    REQUIRE(conv);
    CHECK(conv->inputs.size() == 3);
    CHECK(conv->output()->name == "conv");
    CHECK(findNode(g, "y")->input(0) == conv->output());
  }
}

TEST_CASE("fold-batchnorm folds into following unpadded convs, grouped too") {
  GraphBuilder b("bn2", 11);
  Value *x = b.input("x", {1, 4, 6, 6});
  Value *bn = b.batchNorm("bn", x);
  b.output(b.conv("c1", bn, 6, 3, 1, 0, 2));         // grouped
  b.output(b.conv("c2", bn, 3, 1, 2, 0, 1, false));  // 1x1 stride 2, no bias
  Graph &g = b.graph();
  checkPreserves(
      g, b.randomInputs(), [](Graph &g) { CHECK(foldBatchNorm(g, Opts)); }, FoldedRounding);
  CHECK(countOps(g, OpKind::BatchNormalization) == 0);
  CHECK(countOps(g, OpKind::ScaleShift) == 0);
  CHECK(findNode(g, "c1")->input(0)->name == "x");
}

TEST_CASE("fold-batchnorm becomes ScaleShift where folding would be inexact") {
  GraphBuilder b("bn3", 5);
  Value *x = b.input("x", {2, 4, 5, 5});
  Value *r = b.node(OpKind::Relu, "r", {x});
  Value *bn = b.batchNorm("bn", r);
  b.output(b.conv("c", bn, 4, 3, 1, 1)); // padded: the shift would reach the pads
  Graph &g = b.graph();
  checkPreserves(
      g, b.randomInputs(), [](Graph &g) { CHECK(foldBatchNorm(g, Opts)); }, FoldedRounding);
  CHECK(countOps(g, OpKind::BatchNormalization) == 0);
  CHECK(countOps(g, OpKind::ScaleShift) == 1);
  CHECK(findNode(g, "bn")->op == OpKind::ScaleShift);
}

TEST_CASE("fold-batchnorm leaves a conv with another reader unchanged") {
  GraphBuilder b("bn4", 9);
  Value *x = b.input("x", {1, 2, 4, 4});
  Value *c = b.conv("c", x, 3, 1);
  b.output(b.batchNorm("bn", c));
  b.output(c);
  Graph &g = b.graph();
  const Value *w = findNode(g, "c")->input(1);
  checkPreserves(
      g, b.randomInputs(), [](Graph &g) { CHECK(foldBatchNorm(g, Opts)); }, FoldedRounding);
  CHECK(findNode(g, "c")->input(1) == w);
  CHECK(countOps(g, OpKind::ScaleShift) == 1);
}

TEST_CASE("remove-identity drops 1x1 unit-stride pools, keeps real ones") {
  GraphBuilder b("pools", 3);
  Value *x = b.input("x", {1, 2, 5, 5});
  Value *r = b.node(OpKind::Relu, "r", {x});
  Value *p1 = b.node(OpKind::AveragePool, "p1", {r}, avgPoolAttrs(1, 1, 0, 0));
  Value *p2 = b.node(OpKind::MaxPool, "p2", {p1}, maxPoolAttrs(1, 2)); // strided: real
  b.output(b.node(OpKind::Sigmoid, "y", {p2}));
  Graph &g = b.graph();
  checkPreserves(g, b.randomInputs(), [](Graph &g) { CHECK(removeIdentity(g, Opts)); });
  CHECK(countOps(g, OpKind::AveragePool) == 0);
  CHECK(countOps(g, OpKind::MaxPool) == 1);
}
