//===- ImporterTest.cpp - Canonical attributes and shapes after import ----===//

#include "tests/frontend/TestUtil.h"

#include <cmath>

using namespace kiln;
using namespace kiln::test;
using Ints = std::vector<int64_t>;

TEST_CASE("conv with explicit pads gets every canonical attribute") {
  ModelBuilder m(13);
  m.input("x", {1, 3, 8, 8});
  m.filled("w", {4, 3, 3, 3});
  m.filled("b", {4});
  m.node("Conv", {"x", "w", "b"}, {"y"}, "conv1").ints("pads", {1, 1, 1, 1});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *conv = onlyNode(*g, OpKind::Conv);
  REQUIRE(conv);
  CHECK(conv->name == "conv1");
  CHECK(conv->attrs.getInts("kernel") == Ints{3, 3});
  CHECK(conv->attrs.getInts("strides") == Ints{1, 1});
  CHECK(conv->attrs.getInts("pads") == Ints{1, 1, 1, 1});
  CHECK(conv->attrs.getInts("dilations") == Ints{1, 1});
  CHECK(conv->attrs.getInt("group") == 1);
  CHECK(outDims(*g) == Dims{1, 4, 8, 8});
  CHECK(g->outputs[0]->name == "y");
  CHECK(conv->inputs[1]->isConstant());
  CHECK(g->name == "test");
}

TEST_CASE("conv auto_pad resolves to explicit pads") {
  auto convWith = [](const std::string &autoPad, int64_t stride, int64_t size) {
    ModelBuilder m(11);
    m.input("x", {1, 1, size, size});
    m.filled("w", {1, 1, 3, 3});
    m.node("Conv", {"x", "w"}, {"y"})
        .s("auto_pad", autoPad)
        .ints("strides", {stride, stride});
    m.output("y");
    return m.import();
  };
  SUBCASE("SAME_UPPER puts the odd pad at the end") {
    auto g = expectImport(convWith("SAME_UPPER", 2, 8));
    REQUIRE(g);
    // out = ceil(8/2) = 4; total = 3*2 + 3 - 8 = 1
    CHECK(onlyNode(*g, OpKind::Conv)->attrs.getInts("pads") == Ints{0, 0, 1, 1});
    CHECK(outDims(*g) == Dims{1, 1, 4, 4});
  }
  SUBCASE("SAME_LOWER puts it at the beginning") {
    auto g = expectImport(convWith("SAME_LOWER", 2, 8));
    REQUIRE(g);
    CHECK(onlyNode(*g, OpKind::Conv)->attrs.getInts("pads") == Ints{1, 1, 0, 0});
    CHECK(outDims(*g) == Dims{1, 1, 4, 4});
  }
  SUBCASE("SAME with stride 1 keeps the size") {
    auto g = expectImport(convWith("SAME_UPPER", 1, 7));
    REQUIRE(g);
    CHECK(onlyNode(*g, OpKind::Conv)->attrs.getInts("pads") == Ints{1, 1, 1, 1});
    CHECK(outDims(*g) == Dims{1, 1, 7, 7});
  }
  SUBCASE("VALID means no padding") {
    auto g = expectImport(convWith("VALID", 1, 7));
    REQUIRE(g);
    CHECK(onlyNode(*g, OpKind::Conv)->attrs.getInts("pads") == Ints{0, 0, 0, 0});
    CHECK(outDims(*g) == Dims{1, 1, 5, 5});
  }
  SUBCASE("an unknown auto_pad is an error") {
    CHECK(importError(convWith("SAME", 1, 7)).find("auto_pad 'SAME'") !=
          std::string::npos);
  }
}

TEST_CASE("grouped and dilated conv") {
  ModelBuilder m(13);
  m.input("x", {2, 8, 10, 10});
  m.filled("w", {4, 2, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"}).i("group", 4).ints("dilations", {2, 2});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(onlyNode(*g, OpKind::Conv)->attrs.getInt("group") == 4);
  CHECK(outDims(*g) == Dims{2, 4, 6, 6});
}

TEST_CASE("pools: ceil_mode, count_include_pad, global pools") {
  ModelBuilder m(12);
  m.input("x", {1, 2, 6, 6});
  m.node("MaxPool", {"x"}, {"floor"}).ints("kernel_shape", {3, 3}).ints("strides", {2, 2});
  m.node("MaxPool", {"x"}, {"ceil"})
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .i("ceil_mode", 1);
  m.node("AveragePool", {"x"}, {"avg"})
      .ints("kernel_shape", {2, 2})
      .ints("pads", {1, 1, 1, 1})
      .i("count_include_pad", 1);
  m.node("GlobalAveragePool", {"x"}, {"gap"});
  m.node("GlobalMaxPool", {"x"}, {"gmp"});
  for (const char *o : {"floor", "ceil", "avg", "gap", "gmp"})
    m.output(o);
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(outDims(*g, 0) == Dims{1, 2, 2, 2});
  CHECK(outDims(*g, 1) == Dims{1, 2, 3, 3});
  CHECK(outDims(*g, 2) == Dims{1, 2, 7, 7});
  CHECK(outDims(*g, 3) == Dims{1, 2, 1, 1});
  CHECK(outDims(*g, 4) == Dims{1, 2, 1, 1});
  for (const auto &n : g->nodes()) {
    if (n->op == OpKind::MaxPool) {
      CHECK(n->attrs.getInts("dilations") == Ints{1, 1});
      CHECK(n->attrs.getInts("pads") == Ints{0, 0, 0, 0});
    }
    if (n->op == OpKind::AveragePool) {
      CHECK(n->attrs.getInt("count_include_pad") == 1);
      CHECK(n->attrs.getInt("ceil_mode") == 0);
    }
  }
}

TEST_CASE("softmax: opset 11 coerces to 2-D at axis 1, opset 13 works along -1") {
  for (int64_t opset : {11, 13}) {
    ModelBuilder m(opset);
    m.input("x", {2, 3, 4});
    m.node("Softmax", {"x"}, {"y"});
    m.output("y");
    auto g = expectImport(m.import());
    REQUIRE(g);
    const Node *s = onlyNode(*g, OpKind::Softmax);
    REQUIRE(s);
    CHECK(s->attrs.getInt("axis") == (opset == 11 ? 1 : 2));
    CHECK(s->attrs.getInt("legacy") == (opset == 11 ? 1 : 0));
  }
  ModelBuilder m(13);
  m.input("x", {2, 3});
  m.node("Softmax", {"x"}, {"y"}).i("axis", 2);
  m.output("y");
  CHECK(importError(m.import()).find("axis 2 is out of range") != std::string::npos);
}

TEST_CASE("reshape resolves 0 and -1") {
  ModelBuilder m(13);
  m.input("x", {2, 3, 4});
  m.initializerI64("shape", {2}, {0, -1});
  m.node("Reshape", {"x", "shape"}, {"y"});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(onlyNode(*g, OpKind::Reshape)->attrs.getInts("shape") == Ints{2, 12});
  CHECK(outDims(*g) == Dims{2, 12});
  CHECK(g->nodes().size() == 1);
  // The shape constant is consumed as an attribute and dropped.
  for (const auto &v : g->values())
    CHECK(v->name != "shape");
}

TEST_CASE("reshape errors: two -1, wrong count, non-constant shape") {
  auto reshape = [](Ints shape) {
    ModelBuilder m(13);
    m.input("x", {2, 3, 4});
    m.initializerI64("shape", {int64_t(shape.size())}, shape);
    m.node("Reshape", {"x", "shape"}, {"y"}, "r");
    m.output("y");
    return importError(m.import());
  };
  CHECK(reshape({-1, -1}) == "node 'r' (Reshape): shape [-1,-1] has more than one -1");
  CHECK(reshape({5, 5}).find("cannot reshape [2,3,4] (24 elements) to [5,5]") !=
        std::string::npos);
  CHECK(reshape({7, -1}).find("do not divide evenly") != std::string::npos);
  CHECK(reshape({2, -3}).find("invalid dimension -3") != std::string::npos);

  ModelBuilder m(13);
  m.input("x", {2, 3, 4});
  m.input("s", {2}, onnx::TensorProto::INT64);
  m.node("Reshape", {"x", "s"}, {"y"}, "r");
  m.output("y");
  CHECK(importError(m.import()) ==
        "node 'r' (Reshape): shape (input 's') must be a constant; kiln needs static "
        "shapes");
}

TEST_CASE("the exporter's Shape->Gather->Unsqueeze->Concat->Reshape chain folds away") {
  auto build = [](int64_t opset) {
    ModelBuilder m(opset);
    m.symbolicInput("x", {std::string("N"), int64_t(3), int64_t(4), int64_t(4)});
    m.initializerI64("zero", {}, {0});
    m.node("Shape", {"x"}, {"s"});
    m.node("Gather", {"s", "zero"}, {"n"}).i("axis", 0);
    if (opset >= 13) {
      m.initializerI64("ax", {1}, {0});
      m.node("Unsqueeze", {"n", "ax"}, {"n1"});
    } else {
      m.node("Unsqueeze", {"n"}, {"n1"}).ints("axes", {0});
    }
    m.node("Constant", {}, {"minus1"}).ints("value_ints", {-1});
    m.node("Concat", {"n1", "minus1"}, {"shape"}).i("axis", 0);
    m.node("Reshape", {"x", "shape"}, {"flat"});
    m.node("Relu", {"flat"}, {"y"});
    m.output("y");
    return m;
  };
  for (int64_t opset : {11, 13}) {
    ImportOptions opts;
    opts.batch = 5;
    auto g = expectImport(build(opset).import("", opts));
    REQUIRE(g);
    REQUIRE(g->nodes().size() == 2);
    CHECK(g->nodes()[0]->op == OpKind::Reshape);
    CHECK(g->nodes()[0]->attrs.getInts("shape") == Ints{5, 48});
    CHECK(g->nodes()[1]->op == OpKind::Relu);
    CHECK(outDims(*g) == Dims{5, 48});
    CHECK(g->inputs[0]->type.dims == Dims{5, 3, 4, 4});
    // Only the graph's real data remain.
    CHECK(g->values().size() == 3);
  }
}

TEST_CASE("a shape computation that is a graph output stays a node") {
  ModelBuilder m(15);
  m.input("x", {2, 3, 4});
  m.node("Shape", {"x"}, {"s"}).i("start", -2);
  m.output("s");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *s = onlyNode(*g, OpKind::Shape);
  REQUIRE(s);
  CHECK(s->attrs.getInt("start") == 1);
  CHECK(s->attrs.getInt("end") == 3);
  CHECK(g->outputs[0]->type == TensorType{DType::I64, {2}});
}

TEST_CASE("symbolic batch takes ImportOptions::batch; other unbound symbols are errors") {
  ModelBuilder m(13);
  m.symbolicInput("x", {std::string("batch"), int64_t(4)});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  ImportOptions opts;
  opts.batch = 3;
  auto g = expectImport(m.import("", opts));
  REQUIRE(g);
  CHECK(outDims(*g) == Dims{3, 4});

  ModelBuilder m2(13);
  m2.input("x", {-1, 4});
  m2.node("Relu", {"x"}, {"y"});
  m2.output("y");
  g = expectImport(m2.import());
  REQUIRE(g);
  CHECK(outDims(*g) == Dims{1, 4});

  ModelBuilder m3(13);
  m3.symbolicInput("img", {int64_t(1), std::string("C"), int64_t(4)});
  m3.node("Relu", {"img"}, {"y"});
  m3.output("y");
  CHECK(importError(m3.import()) ==
        "graph input 'img': dimension 1 ('C') is symbolic; bind it with --dim C=N or "
        "--input-shape img=1xNx4");
}

TEST_CASE("gemm, matmul and broadcasting elementwise ops") {
  ModelBuilder m(13);
  m.input("a", {4, 8});
  m.filled("b", {16, 8});
  m.filled("c", {16});
  m.node("Gemm", {"a", "b", "c"}, {"g"}).i("transB", 1).f("alpha", 2.0f);
  m.input("p", {2, 1, 3, 5});
  m.input("q", {4, 5, 6});
  m.node("MatMul", {"p", "q"}, {"mm"});
  m.input("v", {5});
  m.node("MatMul", {"v", "q"}, {"mv"});
  m.filled("bias", {6});
  m.node("Add", {"mm", "bias"}, {"sum"});
  m.node("Sum", {"mm", "bias", "mm"}, {"sum3"});
  for (const char *o : {"g", "mm", "mv", "sum", "sum3"})
    m.output(o);
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(outDims(*g, 0) == Dims{4, 16});
  CHECK(outDims(*g, 1) == Dims{2, 4, 3, 6});
  CHECK(outDims(*g, 2) == Dims{4, 6});
  CHECK(outDims(*g, 3) == Dims{2, 4, 3, 6});
  CHECK(outDims(*g, 4) == Dims{2, 4, 3, 6});
  const Node *gemm = onlyNode(*g, OpKind::Gemm);
  REQUIRE(gemm);
  CHECK(gemm->attrs.getFloat("alpha") == 2.0);
  CHECK(gemm->attrs.getFloat("beta") == 1.0);
  CHECK(gemm->attrs.getInt("transA") == 0);
  CHECK(gemm->attrs.getInt("transB") == 1);
}

TEST_CASE("legacy (opset 6) broadcast with axis reshapes the operand") {
  ModelBuilder m(6);
  m.input("x", {2, 3, 4, 5});
  m.filled("b", {3});
  m.node("Add", {"x", "b"}, {"y"}).i("broadcast", 1).i("axis", 1);
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *add = onlyNode(*g, OpKind::Add);
  REQUIRE(add);
  CHECK(add->inputs[1]->isConstant());
  CHECK(add->inputs[1]->type.dims == Dims{3, 1, 1});
  CHECK(outDims(*g) == Dims{2, 3, 4, 5});

  ModelBuilder m2(6);
  m2.input("x", {2, 3});
  m2.filled("b", {3});
  m2.node("Mul", {"x", "b"}, {"y"}, "mul");
  m2.output("y");
  CHECK(importError(m2.import()) ==
        "node 'mul' (Mul): operand shapes f32[2,3] and f32[3] differ and broadcast=0 "
        "(opset 6)");
}

TEST_CASE("activations, clip, dropout, identity, LRN, batchnorm") {
  ModelBuilder m(13);
  m.input("x", {1, 4, 5, 5});
  m.initializer("lo", {}, {0.0f});
  m.initializer("hi", {}, {6.0f});
  m.node("Clip", {"x", "lo", "hi"}, {"c"});
  m.node("Clip", {"c", "", "hi"}, {"c2"});
  m.node("LeakyRelu", {"c2"}, {"l"});
  m.node("Sigmoid", {"l"}, {"s"});
  m.node("Dropout", {"s"}, {"d"});
  m.node("Identity", {"d"}, {"i"});
  m.node("LRN", {"i"}, {"n"}).i("size", 3);
  m.filled("sc", {4});
  m.filled("bi", {4});
  m.filled("mu", {4});
  m.filled("va", {4});
  m.node("BatchNormalization", {"n", "sc", "bi", "mu", "va"}, {"bn"});
  m.output("bn");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(g->nodes().size() == 8);
  const Node *clip = g->nodes()[0].get();
  CHECK(clip->attrs.getFloat("min") == 0.0);
  CHECK(clip->attrs.getFloat("max") == 6.0);
  CHECK(std::isinf(g->nodes()[1]->attrs.getFloat("min")));
  CHECK(g->nodes()[2]->attrs.getFloat("alpha") == doctest::Approx(0.01));
  const Node *lrn = onlyNode(*g, OpKind::LRN);
  REQUIRE(lrn);
  CHECK(lrn->attrs.getFloat("alpha") == doctest::Approx(1e-4));
  CHECK(lrn->attrs.getFloat("beta") == doctest::Approx(0.75));
  CHECK(lrn->attrs.getFloat("bias") == 1.0);
  CHECK(onlyNode(*g, OpKind::BatchNormalization)->attrs.getFloat("epsilon") ==
        doctest::Approx(1e-5));
  CHECK(outDims(*g) == Dims{1, 4, 5, 5});
}

TEST_CASE("HardSigmoid: the spec's defaults, or the model's alpha and beta") {
  ModelBuilder m(13);
  m.input("x", {2, 3});
  m.node("HardSigmoid", {"x"}, {"h"});
  m.node("HardSigmoid", {"h"}, {"y"}).f("alpha", 0.5f).f("beta", 0.25f);
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  REQUIRE(g->nodes().size() == 2);
  const Node &d = *g->nodes()[0], &e = *g->nodes()[1];
  CHECK(d.op == OpKind::HardSigmoid);
  CHECK(d.attrs.getFloat("alpha") == doctest::Approx(0.2));
  CHECK(d.attrs.getFloat("beta") == doctest::Approx(0.5));
  CHECK(e.attrs.getFloat("alpha") == 0.5);
  CHECK(e.attrs.getFloat("beta") == 0.25);
  CHECK(outDims(*g) == Dims{2, 3});
}

TEST_CASE("opset 7 batchnorm and opset 6 clip tolerate their legacy attributes") {
  ModelBuilder m(7);
  m.input("x", {1, 2, 3, 3});
  for (const char *p : {"s", "b", "m", "v"})
    m.filled(p, {2});
  m.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}).i("spatial", 1).i("is_test", 1);
  m.node("Clip", {"y"}, {"z"}).f("min", -1.0f).f("max", 1.0f);
  m.output("z");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(onlyNode(*g, OpKind::Clip)->attrs.getFloat("max") == 1.0);
}

TEST_CASE("pad: opset 11 inputs with negative pads, opset 2 attributes") {
  ModelBuilder m(11);
  m.input("x", {1, 1, 4, 4});
  m.initializerI64("pads", {8}, {0, 0, 1, -1, 0, 0, 2, -1});
  m.initializer("v", {}, {3.0f});
  m.node("Pad", {"x", "pads", "v"}, {"y"}).s("mode", "constant");
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *pad = onlyNode(*g, OpKind::Pad);
  REQUIRE(pad);
  CHECK(pad->attrs.getFloat("value") == 3.0);
  CHECK(pad->attrs.getString("mode") == "constant");
  CHECK(outDims(*g) == Dims{1, 1, 7, 2});

  ModelBuilder m2(2);
  m2.input("x", {2, 2});
  m2.node("Pad", {"x"}, {"y"}).ints("pads", {1, 0, 1, 0}).s("mode", "reflect");
  m2.output("y");
  g = expectImport(m2.import());
  REQUIRE(g);
  CHECK(outDims(*g) == Dims{4, 2});
}

TEST_CASE("resize: sizes with the spec's defaults, scales, and legacy Upsample") {
  ModelBuilder m(13);
  m.input("x", {1, 2, 3, 5});
  m.initializerI64("sizes", {4}, {1, 2, 7, 4});
  m.node("Resize", {"x", "", "", "sizes"}, {"y"});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *r = onlyNode(*g, OpKind::Resize);
  REQUIRE(r);
  CHECK(r->attrs.getString("mode") == "nearest");
  CHECK(r->attrs.getString("coordinate_transformation_mode") == "half_pixel");
  CHECK(r->attrs.getString("nearest_mode") == "round_prefer_floor");
  CHECK(r->attrs.getFloat("cubic_coeff_a") == -0.75);
  CHECK(outDims(*g) == Dims{1, 2, 7, 4});

  // Scales: floor(3 * 2.5) = 7; an empty sizes input counts as absent.
  ModelBuilder m2(11);
  m2.input("x", {1, 2, 3, 5});
  m2.initializer("roi", {0}, {});
  m2.initializer("scales", {4}, {1, 1, 2.5f, 0.5f});
  m2.node("Resize", {"x", "roi", "scales"}, {"y"}).s("mode", "linear");
  m2.output("y");
  g = expectImport(m2.import());
  REQUIRE(g);
  CHECK(outDims(*g) == Dims{1, 2, 7, 2});

  // Upsample 7: scales as an attribute; asymmetric coordinates, floor.
  ModelBuilder m3(7);
  m3.input("x", {1, 1, 2, 2});
  m3.node("Upsample", {"x"}, {"y"}).floats("scales", {1, 1, 2, 3});
  m3.output("y");
  g = expectImport(m3.import());
  REQUIRE(g);
  r = onlyNode(*g, OpKind::Resize);
  REQUIRE(r);
  CHECK(r->attrs.getString("coordinate_transformation_mode") == "asymmetric");
  CHECK(r->attrs.getString("nearest_mode") == "floor");
  CHECK(outDims(*g) == Dims{1, 1, 4, 6});
}

TEST_CASE("transpose, flatten, concat, squeeze, unsqueeze, gather, cast") {
  ModelBuilder m(13);
  m.input("x", {2, 1, 3});
  m.node("Transpose", {"x"}, {"t"});
  m.node("Transpose", {"x"}, {"t2"}).ints("perm", {0, 2, 1});
  m.node("Flatten", {"x"}, {"f"}).i("axis", -1);
  m.node("Concat", {"x", "x"}, {"c"}).i("axis", -1);
  m.node("Squeeze", {"x"}, {"sq"});
  m.initializerI64("ax", {2}, {-1, 0});
  m.node("Unsqueeze", {"x", "ax"}, {"us"});
  m.initializerI64("idx", {2, 2}, {0, 2, 1, -1});
  m.node("Gather", {"x", "idx"}, {"ga"}).i("axis", 2);
  m.node("Cast", {"x"}, {"ca"}).i("to", onnx::TensorProto::INT64);
  for (const char *o : {"t", "t2", "f", "c", "sq", "us", "ga", "ca"})
    m.output(o);
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(outDims(*g, 0) == Dims{3, 1, 2});
  CHECK(outDims(*g, 1) == Dims{2, 3, 1});
  CHECK(outDims(*g, 2) == Dims{2, 3});
  CHECK(outDims(*g, 3) == Dims{2, 1, 6});
  CHECK(outDims(*g, 4) == Dims{2, 3});
  CHECK(outDims(*g, 5) == Dims{1, 2, 1, 3, 1});
  CHECK(outDims(*g, 6) == Dims{2, 1, 2, 2});
  CHECK(g->outputs[7]->type.dtype == DType::I64);
  CHECK(onlyNode(*g, OpKind::Unsqueeze)->attrs.getInts("axes") == Ints{0, 4});
  CHECK(onlyNode(*g, OpKind::Squeeze)->attrs.getInts("axes") == Ints{1});
  CHECK(onlyNode(*g, OpKind::Flatten)->attrs.getInt("axis") == 2);
  CHECK(onlyNode(*g, OpKind::Concat)->attrs.getInt("axis") == 2);
  CHECK(onlyNode(*g, OpKind::Cast)->attrs.getInt("to") == int64_t(DType::I64));
}

TEST_CASE("constant folding computes values") {
  ModelBuilder m(13);
  m.input("x", {3, 4});
  m.node("Constant", {}, {"a"}).ints("value_ints", {2, 3});
  m.node("Constant", {}, {"two"}).i("value_int", 2);
  m.node("Mul", {"a", "two"}, {"a2"});           // [4, 6]
  m.node("Constant", {}, {"one"}).i("value_int", 1);
  m.node("Sub", {"a2", "one"}, {"a3"});          // [3, 5]
  m.node("Constant", {}, {"f"}).floats("value_floats", {1.5f, 2.5f});
  m.node("Cast", {"f"}, {"fi"}).i("to", onnx::TensorProto::INT64); // [1, 2]
  m.node("Div", {"a3", "fi"}, {"q"});            // [3, 2]
  m.node("Concat", {"q", "fi"}, {"shape"}).i("axis", 0); // [3, 2, 1, 2]
  m.node("Reshape", {"x", "shape"}, {"y"});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  REQUIRE(g->nodes().size() == 1);
  CHECK(g->nodes()[0]->attrs.getInts("shape") == Ints{3, 2, 1, 2});
}

TEST_CASE("node names are synthesized; value names are kept") {
  ModelBuilder m(13);
  m.input("in put", {1, 2});
  m.node("Relu", {"in put"}, {"r.0"});
  m.node("Sigmoid", {"r.0"}, {"out/1"});
  m.output("out/1");
  auto g = expectImport(m.import());
  REQUIRE(g);
  REQUIRE(g->nodes().size() == 2);
  CHECK(g->nodes()[0]->name == "Relu_0");
  CHECK(g->nodes()[1]->name == "Sigmoid_1");
  CHECK(g->nodes()[0]->outputs[0]->name == "r.0");
  CHECK(g->outputs[0]->name == "out/1");
}

TEST_CASE("nodes out of file order are imported topologically") {
  ModelBuilder m(13);
  m.input("x", {1, 2});
  m.node("Sigmoid", {"r"}, {"y"}, "second");
  m.node("Relu", {"x"}, {"r"}, "first");
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  REQUIRE(g->nodes().size() == 2);
  CHECK(g->nodes()[0]->name == "first");
  CHECK(g->nodes()[1]->name == "second");
}

TEST_CASE("graph inputs that are initializers are constants") {
  ModelBuilder m(13);
  m.input("x", {1, 3});
  m.input("w", {3, 2});
  m.filled("w", {3, 2});
  m.node("MatMul", {"x", "w"}, {"y"});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(g->inputs.size() == 1);
  CHECK(onlyNode(*g, OpKind::MatMul)->inputs[1]->isConstant());
}

TEST_CASE("initializers decode from typed fields and raw data") {
  ModelBuilder m(13);
  m.input("x", {4});
  auto &t = *m.graph().add_initializer();
  t.set_name("b");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(4);
  for (float v : {1.f, 2.f, 3.f, 4.f})
    t.add_float_data(v);
  auto &s = *m.graph().add_initializer();
  s.set_name("s");
  s.set_data_type(onnx::TensorProto::INT32);
  s.add_dims(1);
  s.add_int32_data(4);
  m.node("Add", {"x", "b"}, {"y"});
  m.node("Reshape", {"y", "s"}, {"z"});
  m.output("z");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *add = onlyNode(*g, OpKind::Add);
  REQUIRE(add);
  CHECK(add->inputs[1]->constant->f32 == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("indexing ops: defaults, TopK's two outputs, DepthToSpace as reshape-transpose") {
  {
    ModelBuilder m(13);
    m.input("x", {2, 3, 4});
    m.node("ArgMax", {"x"}, {"y"});
    m.output("y");
    auto g = expectImport(m.import());
    REQUIRE(g);
    const Node *n = onlyNode(*g, OpKind::ArgMax);
    REQUIRE(n);
    CHECK(n->attrs.getInt("axis") == 0);
    CHECK(n->attrs.getInt("keepdims") == 1);
    CHECK(n->attrs.getInt("select_last_index") == 0);
    CHECK(outDims(*g) == Dims{1, 3, 4});
  }
  {
    ModelBuilder m(11);
    m.input("x", {3, 5});
    m.initializerI64("k", {1}, {2});
    m.node("TopK", {"x", "k"}, {"v", "i"}).i("largest", 0);
    m.output("v").output("i");
    auto g = expectImport(m.import());
    REQUIRE(g);
    const Node *v = onlyNode(*g, OpKind::TopK), *i = onlyNode(*g, OpKind::TopKIndices);
    REQUIRE(v);
    REQUIRE(i);
    CHECK(v->attrs.getInt("axis") == 1);
    CHECK(v->attrs.getInt("k") == 2);
    CHECK(i->attrs == v->attrs);
    CHECK(outDims(*g, 1) == Dims{3, 2});
    CHECK(g->outputs[1]->type.dtype == DType::I64);
  }
  {
    ModelBuilder m(13);
    m.input("x", {1, 8, 2, 3});
    m.node("DepthToSpace", {"x"}, {"y"}).i("blocksize", 2).s("mode", "CRD");
    m.output("y");
    auto g = expectImport(m.import());
    REQUIRE(g);
    const Node *t = onlyNode(*g, OpKind::Transpose);
    REQUIRE(t);
    CHECK(t->attrs.getInts("perm") == Ints{0, 1, 4, 2, 5, 3});
    CHECK(outDims(*g) == Dims{1, 2, 4, 6});
  }
  {
    // K decides the result's shape: a graph input is refused, by name.
    ModelBuilder m(11);
    m.input("x", {3, 5});
    m.input("k", {1}, onnx::TensorProto::INT64);
    m.node("TopK", {"x", "k"}, {"v", "i"});
    m.output("v");
    CHECK(importError(m.import()).find("K (input 'k') must be a constant") != std::string::npos);
  }
}

TEST_CASE("quantization: a missing zero point is a u8 zero, int8 weights fold to f32 at import") {
  ModelBuilder m(13);
  m.input("x", {1, 2, 4, 4});
  m.initializer("s", {}, {0.5f});
  m.node("QuantizeLinear", {"x", "s"}, {"q"}, "q");
  m.node("DequantizeLinear", {"q", "s"}, {"xd"}, "dq");
  // Per-channel int8 weights [2,2,1,1] with scales [2] along axis 0.
  onnx::TensorProto &w = *m.graph().add_initializer();
  w.set_name("wq");
  w.set_data_type(onnx::TensorProto::INT8);
  for (int64_t d : {2, 2, 1, 1})
    w.add_dims(d);
  w.set_raw_data(std::string("\x01\xff\x02\x7f", 4));
  m.initializer("ws", {2}, {0.25f, 2.0f});
  onnx::TensorProto &wz = *m.graph().add_initializer();
  wz.set_name("wz");
  wz.set_data_type(onnx::TensorProto::INT8);
  wz.add_dims(2);
  wz.add_int32_data(0);
  wz.add_int32_data(1);
  m.node("DequantizeLinear", {"wq", "ws", "wz"}, {"w"}, "wdq").i("axis", 0);
  m.node("Conv", {"xd", "w"}, {"y"}, "conv");
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *q = onlyNode(*g, OpKind::QuantizeLinear);
  REQUIRE(q);
  CHECK(q->output()->type.dtype == DType::U8);
  REQUIRE(q->inputs[2]->isConstant());
  CHECK(q->inputs[2]->type == TensorType{DType::U8, {}});
  CHECK(q->inputs[2]->constant->i64 == std::vector<int64_t>{0});
  const Node *dq = onlyNode(*g, OpKind::DequantizeLinear); // the activation's only
  REQUIRE(dq);
  CHECK(dq->inputs[0] == q->output());
  const Node *conv = onlyNode(*g, OpKind::Conv);
  REQUIRE(conv);
  REQUIRE(conv->inputs[1]->isConstant());
  CHECK(conv->inputs[1]->type.dtype == DType::F32);
  // (q - zp) * scale per output channel: [1, -1] * 0.25, [2 - 1, 127 - 1] * 2.
  CHECK(conv->inputs[1]->constant->f32 == std::vector<float>{0.25f, -0.25f, 2.0f, 252.0f});
}

TEST_CASE("QLinearConv becomes DequantizeLinear -> Conv -> QuantizeLinear, int32 bias at xs*ws") {
  ModelBuilder m(10);
  m.input("x", {1, 1, 3, 3}, onnx::TensorProto::UINT8);
  m.initializer("xs", {}, {0.5f});
  m.initializer("ws", {}, {0.25f});
  m.initializer("ys", {}, {0.125f});
  auto u8 = [&](const std::string &name, std::vector<int64_t> dims, std::string bytes,
                int type) {
    onnx::TensorProto &t = *m.graph().add_initializer();
    t.set_name(name);
    t.set_data_type(type);
    for (int64_t d : dims)
      t.add_dims(d);
    t.set_raw_data(bytes);
  };
  u8("xz", {}, std::string("\x03", 1), onnx::TensorProto::UINT8);
  u8("wq", {1, 1, 1, 1}, std::string("\x02", 1), onnx::TensorProto::UINT8);
  u8("wz", {}, std::string("\x00", 1), onnx::TensorProto::UINT8);
  u8("yz", {}, std::string("\x05", 1), onnx::TensorProto::UINT8);
  u8("b", {1}, std::string("\x08\x00\x00\x00", 4), onnx::TensorProto::INT32);
  m.node("QLinearConv", {"x", "xs", "xz", "wq", "ws", "wz", "ys", "yz", "b"}, {"y"}, "qconv");
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *conv = onlyNode(*g, OpKind::Conv);
  REQUIRE(conv);
  // Weight 2 * 0.25 and bias 8 * (0.5 * 0.25), folded.
  REQUIRE(conv->inputs[1]->isConstant());
  CHECK(conv->inputs[1]->constant->f32 == std::vector<float>{0.5f});
  REQUIRE(conv->inputs[2]->isConstant());
  CHECK(conv->inputs[2]->constant->f32 == std::vector<float>{1.0f});
  const Node *q = onlyNode(*g, OpKind::QuantizeLinear);
  REQUIRE(q);
  CHECK(q->inputs[0] == conv->output());
  CHECK(q->output()->name == "y");
  CHECK(q->output()->type == TensorType{DType::U8, {1, 1, 3, 3}});
}
