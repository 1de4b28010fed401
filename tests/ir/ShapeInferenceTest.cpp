//===- ShapeInferenceTest.cpp - Result types and their errors --------------===//

#include "compiler/ir/ShapeInference.h"

#include <doctest/doctest.h>

#include <limits>

using namespace kiln;
using Ints = std::vector<int64_t>;

namespace {

/// Builds one node over fresh operands of the given types.
struct OneNode {
  Graph g;
  Node *node = nullptr;

  OneNode(OpKind op, std::vector<TensorType> operands, Attrs attrs = {}) {
    std::vector<Value *> ins;
    for (size_t i = 0; i < operands.size(); ++i)
      ins.push_back(g.addValue("in" + std::to_string(i), operands[i]));
    node = g.addNode(op, "n", ins, {g.addValue("out", {})}, std::move(attrs));
  }

  /// The inferred type, failing the test on error.
  TensorType type() {
    auto t = inferResultTypes(*node);
    if (!t) {
      FAIL_CHECK(llvm::toString(t.takeError()));
      return {};
    }
    REQUIRE(t->size() == 1);
    return t->front();
  }
  /// The error text ("" when inference succeeds).
  std::string error() {
    auto t = inferResultTypes(*node);
    return t ? "" : llvm::toString(t.takeError());
  }
};

TensorType f32(Dims d) { return {DType::F32, std::move(d)}; }
TensorType i64(Dims d) { return {DType::I64, std::move(d)}; }

Attrs convAttrs(Ints kernel, Ints strides = {1, 1}, Ints pads = {0, 0, 0, 0},
                Ints dilations = {1, 1}, int64_t group = 1) {
  Attrs a;
  a.set("kernel", kernel);
  a.set("strides", strides);
  a.set("pads", pads);
  a.set("dilations", dilations);
  a.set("group", group);
  return a;
}

Attrs poolAttrs(Ints kernel, Ints strides, Ints pads, int64_t ceil, bool max = true) {
  Attrs a;
  a.set("kernel", kernel);
  a.set("strides", strides);
  a.set("pads", pads);
  a.set("ceil_mode", ceil);
  if (max)
    a.set("dilations", Ints{1, 1});
  else
    a.set("count_include_pad", int64_t(0));
  return a;
}

} // namespace

TEST_CASE("windowOutputSize: floor, ceil and the last-window rule") {
  CHECK(windowOutputSize(224, 11, 4, 2, 2, 1, false) == 55);
  CHECK(windowOutputSize(6, 3, 2, 0, 0, 1, false) == 2);
  CHECK(windowOutputSize(6, 3, 2, 0, 0, 1, true) == 3);
  // in=5,k=2,s=2,pad 1/1: ceil gives 4 windows, but the 4th would start at
  // padded offset 6 >= 5+1, entirely in the end padding: dropped.
  CHECK(windowOutputSize(5, 2, 2, 1, 1, 1, true) == 3);
  CHECK(windowOutputSize(5, 2, 2, 1, 1, 1, false) == 3);
  CHECK(windowOutputSize(13, 3, 2, 0, 0, 1, true) == 6); // exact fit: same as floor
  CHECK(windowOutputSize(7, 3, 1, 0, 0, 2, false) == 3); // dilation: effective k 5
  CHECK(windowOutputSize(2, 3, 1, 0, 0, 1, false) == -1);
  CHECK(windowOutputSize(4, 0, 1, 0, 0, 1, false) == -1);
  CHECK(windowOutputSize(4, 2, 0, 0, 0, 1, false) == -1);
  CHECK(windowOutputSize(4, 2, 1, -1, 0, 1, false) == -1);
  CHECK(windowOutputSize(4, std::numeric_limits<int64_t>::max(), 1, 0, 0, 2, false) == -1);
}

TEST_CASE("broadcastShapes follows numpy") {
  CHECK(*broadcastShapes({2, 1, 4}, {3, 1}) == Dims{2, 3, 4});
  CHECK(*broadcastShapes({}, {5}) == Dims{5});
  auto bad = broadcastShapes({2, 3}, {4, 3});
  REQUIRE(!bad);
  CHECK(llvm::toString(bad.takeError()) == "shapes [2,3] and [4,3] do not broadcast");
}

TEST_CASE("Conv") {
  OneNode ok(OpKind::Conv, {f32({1, 3, 224, 224}), f32({64, 3, 7, 7}), f32({64})},
             convAttrs({7, 7}, {2, 2}, {3, 3, 3, 3}));
  CHECK(ok.type() == f32({1, 64, 112, 112}));

  OneNode grouped(OpKind::Conv, {f32({1, 32, 10, 10}), f32({32, 1, 3, 3})},
                  convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}, {2, 2}, 32));
  CHECK(grouped.type() == f32({1, 32, 8, 8}));

  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3})}, convAttrs({3, 3}))
            .error() == "node 'n' (Conv): weight has rank 3, expected 4");
  CHECK(OneNode(OpKind::Conv, {f32({1, 4, 8, 8}), f32({4, 3, 3, 3})}, convAttrs({3, 3}))
            .error() ==
        "node 'n' (Conv): input has 4 channels but weight [4,3,3,3] with group 1 "
        "expects 3");
  CHECK(OneNode(OpKind::Conv, {f32({1, 4, 8, 8}), f32({3, 2, 3, 3})},
                convAttrs({3, 3}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 2))
            .error() ==
        "node 'n' (Conv): 3 output channels are not a positive multiple of group 2");
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3}), f32({3})},
                convAttrs({3, 3}))
            .error() == "node 'n' (Conv): bias has shape [3], expected [4]");
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3})}, convAttrs({5, 5}))
            .error() == "node 'n' (Conv): kernel 5x5 does not match weight shape [4,3,3,3]");
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 2, 2}), f32({4, 3, 3, 3})}, convAttrs({3, 3}))
            .error()
            .find("empty output") != std::string::npos);
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3})},
                convAttrs({3, 3}, {0, 1}))
            .error() == "node 'n' (Conv): stride 0 must be positive");
  Attrs missing = convAttrs({3, 3});
  missing.erase("group");
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3})}, missing).error() ==
        "node 'n' (Conv): missing integer attribute 'group'");
  CHECK(OneNode(OpKind::Conv, {f32({1, 3, 8, 8})}, convAttrs({3, 3})).error() ==
        "node 'n' (Conv): has 1 operands, expected 2 to 3");
}

TEST_CASE("pools, global pools, LRN, BatchNormalization, ScaleShift") {
  CHECK(OneNode(OpKind::MaxPool, {f32({1, 64, 112, 112})},
                poolAttrs({3, 3}, {2, 2}, {1, 1, 1, 1}, 0))
            .type() == f32({1, 64, 56, 56}));
  // AlexNet/Caffe pool: 55 -> 27 with ceil mode.
  CHECK(OneNode(OpKind::MaxPool, {f32({1, 96, 55, 55})}, poolAttrs({3, 3}, {2, 2}, {0, 0, 0, 0}, 1))
            .type() == f32({1, 96, 27, 27}));
  CHECK(OneNode(OpKind::AveragePool, {f32({1, 8, 6, 6})},
                poolAttrs({3, 3}, {2, 2}, {0, 0, 0, 0}, 1, false))
            .type() == f32({1, 8, 3, 3}));
  CHECK(OneNode(OpKind::MaxPool, {f32({1, 1, 4, 4})}, poolAttrs({2, 2}, {1, 1}, {2, 0, 0, 0}, 0))
            .error() == "node 'n' (MaxPool): pads [2,0,0,0] must be smaller than the window 2x2");
  CHECK(OneNode(OpKind::MaxPool, {f32({1, 4, 4})}, poolAttrs({2, 2}, {1, 1}, {0, 0, 0, 0}, 0))
            .error() == "node 'n' (MaxPool): MaxPool input has rank 3, expected 4");
  CHECK(OneNode(OpKind::GlobalAveragePool, {f32({2, 5, 7, 7})}).type() == f32({2, 5, 1, 1}));
  CHECK(OneNode(OpKind::GlobalMaxPool, {i64({2, 5, 7, 7})}).error() ==
        "node 'n' (GlobalMaxPool): input has element type i64, expected f32");

  Attrs lrn;
  lrn.set("size", int64_t(5));
  lrn.set("alpha", 1e-4);
  lrn.set("beta", 0.75);
  lrn.set("bias", 1.0);
  CHECK(OneNode(OpKind::LRN, {f32({1, 96, 55, 55})}, lrn).type() == f32({1, 96, 55, 55}));
  lrn.set("size", int64_t(0));
  CHECK(OneNode(OpKind::LRN, {f32({1, 96, 55, 55})}, lrn).error() ==
        "node 'n' (LRN): size 0 must be positive");

  Attrs bn;
  bn.set("epsilon", 1e-5);
  CHECK(OneNode(OpKind::BatchNormalization,
                {f32({1, 4, 3, 3}), f32({4}), f32({4}), f32({4}), f32({4})}, bn)
            .type() == f32({1, 4, 3, 3}));
  CHECK(OneNode(OpKind::BatchNormalization,
                {f32({1, 4, 3, 3}), f32({4}), f32({4}), f32({3}), f32({4})}, bn)
            .error() ==
        "node 'n' (BatchNormalization): mean has shape [3], expected [4] (one per channel)");
  CHECK(OneNode(OpKind::ScaleShift, {f32({1, 4, 3, 3}), f32({4}), f32({4})}).type() ==
        f32({1, 4, 3, 3}));
  CHECK(OneNode(OpKind::ScaleShift, {f32({1, 4, 3, 3}), f32({4}), f32({2})}).error() ==
        "node 'n' (kiln.ScaleShift): shift has shape [2], expected [4]");
}

TEST_CASE("Gemm and MatMul") {
  Attrs gemm;
  gemm.set("alpha", 1.0);
  gemm.set("beta", 1.0);
  gemm.set("transA", int64_t(1));
  gemm.set("transB", int64_t(0));
  CHECK(OneNode(OpKind::Gemm, {f32({8, 4}), f32({8, 16}), f32({1, 16})}, gemm).type() ==
        f32({4, 16}));
  CHECK(OneNode(OpKind::Gemm, {f32({8, 4}), f32({8, 16}), f32({})}, gemm).type() ==
        f32({4, 16}));
  CHECK(OneNode(OpKind::Gemm, {f32({8, 4}), f32({8, 16}), f32({8, 16})}, gemm).error() ==
        "node 'n' (Gemm): C has shape [8,16], not broadcastable to [4,16]");
  CHECK(OneNode(OpKind::Gemm, {f32({8, 4}), f32({4, 16})}, gemm).error() ==
        "node 'n' (Gemm): A [8,4] (transposed) and B [4,16] have different inner "
        "dimensions (8 vs 4)");

  CHECK(OneNode(OpKind::MatMul, {f32({3}), f32({3})}).type() == f32({}));
  CHECK(OneNode(OpKind::MatMul, {f32({2, 3}), f32({3})}).type() == f32({2}));
  CHECK(OneNode(OpKind::MatMul, {f32({5, 1, 2, 3}), f32({4, 3, 6})}).type() ==
        f32({5, 4, 2, 6}));
  CHECK(OneNode(OpKind::MatMul, {f32({2, 2, 3}), f32({3, 3, 6})}).error() ==
        "node 'n' (MatMul): batch dimensions of A [2,2,3] and B [3,3,6] do not broadcast");
  CHECK(OneNode(OpKind::MatMul, {f32({}), f32({3})}).error() ==
        "node 'n' (MatMul): operands must have rank >= 1, got [] and [3]");
}

TEST_CASE("elementwise, Sum, activations, Softmax") {
  CHECK(OneNode(OpKind::Add, {f32({2, 1, 4}), f32({3, 1})}).type() == f32({2, 3, 4}));
  CHECK(OneNode(OpKind::Div, {i64({2}), i64({})}).type() == i64({2}));
  CHECK(OneNode(OpKind::Mul, {f32({2}), i64({2})}).error() ==
        "node 'n' (Mul): operands have different element types (f32 and i64)");
  CHECK(OneNode(OpKind::Sub, {f32({2, 3}), f32({2})}).error() ==
        "node 'n' (Sub): shapes [2,3] and [2] do not broadcast");
  CHECK(OneNode(OpKind::Sum, {f32({1, 3}), f32({2, 1}), f32({3})}).type() == f32({2, 3}));
  CHECK(OneNode(OpKind::Relu, {f32({7})}).type() == f32({7}));
  CHECK(OneNode(OpKind::Sigmoid, {i64({7})}).error() ==
        "node 'n' (Sigmoid): input has element type i64, expected f32");
  Attrs clip;
  clip.set("min", 0.0);
  clip.set("max", std::numeric_limits<double>::infinity());
  CHECK(OneNode(OpKind::Clip, {f32({7})}, clip).type() == f32({7}));
  CHECK(OneNode(OpKind::LeakyRelu, {f32({7})}).error() ==
        "node 'n' (LeakyRelu): missing float attribute 'alpha'");
  Attrs hs;
  hs.set("alpha", 0.2);
  CHECK(OneNode(OpKind::HardSigmoid, {f32({7})}, hs).error() ==
        "node 'n' (HardSigmoid): missing float attribute 'beta'");
  hs.set("beta", 0.5);
  CHECK(OneNode(OpKind::HardSigmoid, {f32({2, 7})}, hs).type() == f32({2, 7}));

  Attrs sm;
  sm.set("axis", int64_t(1));
  sm.set("legacy", int64_t(0));
  CHECK(OneNode(OpKind::Softmax, {f32({2, 5})}, sm).type() == f32({2, 5}));
  sm.set("axis", int64_t(2));
  CHECK(OneNode(OpKind::Softmax, {f32({2, 5})}, sm).error() ==
        "node 'n' (Softmax): axis 2 is out of range for rank 2");
}

TEST_CASE("data movement and shape ops") {
  Attrs flat;
  flat.set("axis", int64_t(2));
  CHECK(OneNode(OpKind::Flatten, {f32({2, 3, 4, 5})}, flat).type() == f32({6, 20}));
  flat.set("axis", int64_t(0));
  CHECK(OneNode(OpKind::Flatten, {f32({2, 3})}, flat).type() == f32({1, 6}));

  Attrs rs;
  rs.set("shape", Ints{6, 4});
  CHECK(OneNode(OpKind::Reshape, {f32({2, 3, 4})}, rs).type() == f32({6, 4}));
  rs.set("shape", Ints{5, 5});
  CHECK(OneNode(OpKind::Reshape, {f32({2, 3, 4})}, rs).error() ==
        "node 'n' (Reshape): cannot reshape [2,3,4] (24 elements) to [5,5] (25 elements)");
  rs.set("shape", Ints{-1, 4});
  CHECK(OneNode(OpKind::Reshape, {f32({2, 3, 4})}, rs).error() ==
        "node 'n' (Reshape): shape [-1,4] is not resolved (negative dimension)");

  Attrs tr;
  tr.set("perm", Ints{2, 0, 1});
  CHECK(OneNode(OpKind::Transpose, {f32({2, 3, 4})}, tr).type() == f32({4, 2, 3}));
  tr.set("perm", Ints{2, 0});
  CHECK(OneNode(OpKind::Transpose, {f32({2, 3, 4})}, tr).error() ==
        "node 'n' (Transpose): perm [2,0] has 2 entries for an input of rank 3");

  Attrs cat;
  cat.set("axis", int64_t(1));
  CHECK(OneNode(OpKind::Concat, {f32({2, 3}), f32({2, 5})}, cat).type() == f32({2, 8}));
  CHECK(OneNode(OpKind::Concat, {f32({2, 3}), f32({3, 5})}, cat).error() ==
        "node 'n' (Concat): operand 1 has shape [3,5], incompatible with [2,3] along "
        "axis 0");

  Attrs pad;
  pad.set("pads", Ints{1, -1, 2, 0});
  pad.set("mode", std::string("constant"));
  pad.set("value", 0.0);
  CHECK(OneNode(OpKind::Pad, {f32({3, 4})}, pad).type() == f32({6, 3}));
  pad.set("pads", Ints{0, -5, 0, 0});
  CHECK(OneNode(OpKind::Pad, {f32({3, 4})}, pad).error() ==
        "node 'n' (Pad): pads [0,-5,0,0] make dimension 1 of [3,4] negative");
  pad.set("pads", Ints{3, 0, 0, 0});
  pad.set("mode", std::string("reflect"));
  CHECK(OneNode(OpKind::Pad, {f32({3, 4})}, pad).error() ==
        "node 'n' (Pad): reflect pads [3,0,0,0] must be smaller than dimension 0 of [3,4]");

  Attrs resize;
  resize.set("sizes", Ints{1, 2, 6, 9});
  resize.set("scales", std::vector<double>{1, 1, 2, 3});
  resize.set("roi", std::vector<double>{0, 0, 0, 0, 1, 1, 1, 1});
  resize.set("mode", std::string("linear"));
  resize.set("coordinate_transformation_mode", std::string("half_pixel"));
  resize.set("nearest_mode", std::string("round_prefer_floor"));
  resize.set("cubic_coeff_a", -0.75);
  resize.set("exclude_outside", int64_t(0));
  resize.set("extrapolation_value", 0.0);
  CHECK(OneNode(OpKind::Resize, {f32({1, 2, 3, 3})}, resize).type() == f32({1, 2, 6, 9}));
  CHECK(OneNode(OpKind::Resize, {f32({2, 3, 3})}, resize).error() ==
        "node 'n' (Resize): sizes, scales and roi have 4, 4 and 8 values, expected 3, 3 and 6 "
        "for rank 3");
  resize.set("mode", std::string("area"));
  CHECK(OneNode(OpKind::Resize, {f32({1, 2, 3, 3})}, resize).error() ==
        "node 'n' (Resize): mode 'area' is not nearest, linear or cubic");

  Attrs shape;
  shape.set("start", int64_t(1));
  shape.set("end", int64_t(3));
  CHECK(OneNode(OpKind::Shape, {f32({2, 3, 4})}, shape).type() == i64({2}));
  shape.set("end", int64_t(4));
  CHECK(OneNode(OpKind::Shape, {f32({2, 3, 4})}, shape).error() ==
        "node 'n' (Shape): start 1 and end 4 are not normalized for rank 3");

  Attrs gather;
  gather.set("axis", int64_t(1));
  CHECK(OneNode(OpKind::Gather, {f32({2, 3, 4}), i64({5, 6})}, gather).type() ==
        f32({2, 5, 6, 4}));
  CHECK(OneNode(OpKind::Gather, {f32({2, 3, 4}), i64({})}, gather).type() == f32({2, 4}));
  CHECK(OneNode(OpKind::Gather, {f32({2, 3}), f32({1})}, gather).error() ==
        "node 'n' (Gather): indices have element type f32, expected i32 or i64");

  Attrs axes;
  axes.set("axes", Ints{0, 3});
  CHECK(OneNode(OpKind::Unsqueeze, {f32({2, 3})}, axes).type() == f32({1, 2, 3, 1}));
  axes.set("axes", Ints{1, 0});
  CHECK(OneNode(OpKind::Unsqueeze, {f32({2, 3})}, axes).error() ==
        "node 'n' (Unsqueeze): axes [1,0] are not sorted and unique");
  axes.set("axes", Ints{0, 2});
  CHECK(OneNode(OpKind::Squeeze, {f32({1, 3, 1})}, axes).type() == f32({3}));
  CHECK(OneNode(OpKind::Squeeze, {f32({2, 3, 1})}, axes).error() ==
        "node 'n' (Squeeze): cannot squeeze dimension 0 of [2,3,1]: size is not 1");

  Attrs cast;
  cast.set("to", int64_t(DType::I64));
  CHECK(OneNode(OpKind::Cast, {f32({2})}, cast).type() == i64({2}));
  cast.set("to", int64_t(99));
  CHECK(OneNode(OpKind::Cast, {f32({2})}, cast).error() ==
        "node 'n' (Cast): target type 99 is not a kiln element type");
}

TEST_CASE("Gather checks constant indices") {
  Graph g;
  Value *data = g.addValue("d", f32({4}));
  auto c = std::make_shared<ConstantData>();
  c->i64 = {0, -4, 4};
  Value *idx = g.addConstant("i", i64({3}), c);
  Attrs a;
  a.set("axis", int64_t(0));
  Node *n = g.addNode(OpKind::Gather, "g", {data, idx}, {g.addValue("o", {})}, a);
  auto t = inferResultTypes(*n);
  REQUIRE(!t);
  CHECK(llvm::toString(t.takeError()) ==
        "node 'g' (Gather): index 4 is out of range for dimension 0 of size 4");
}

TEST_CASE("fusions: pooled result type and fused Add operand") {
  OneNode conv(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3}), f32({4})},
               convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}));
  conv.node->fused.push_back({OpKind::Relu, {}});
  conv.node->fused.push_back({OpKind::MaxPool, poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, 0)});
  CHECK(conv.type() == f32({1, 4, 4, 4}));

  // The shortcut operand is appended after the bias; it is not a bias.
  OneNode res(OpKind::Conv,
              {f32({1, 3, 8, 8}), f32({4, 3, 3, 3}), f32({4}), f32({1, 4, 8, 8})},
              convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}));
  Attrs add;
  add.set("input", int64_t(3));
  res.node->fused.push_back({OpKind::Add, add});
  res.node->fused.push_back({OpKind::Relu, {}});
  CHECK(res.type() == f32({1, 4, 8, 8}));

  // Without a bias the shortcut is operand 2.
  OneNode noBias(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3}), f32({1, 4, 8, 8})},
                 convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}));
  add.set("input", int64_t(2));
  noBias.node->fused.push_back({OpKind::Add, add});
  CHECK(noBias.type() == f32({1, 4, 8, 8}));

  OneNode wrong(OpKind::Conv, {f32({1, 3, 8, 8}), f32({4, 3, 3, 3}), f32({1, 4, 4, 4})},
                convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}));
  wrong.node->fused.push_back({OpKind::Add, add});
  CHECK(wrong.error() ==
        "node 'n' (Conv): fused add operand 2 has type f32[1,4,4,4], expected f32[1,4,8,8]");

  add.set("input", int64_t(7));
  OneNode outOfRange(OpKind::Gemm, {f32({2, 3}), f32({3, 4})});
  outOfRange.node->attrs = [] {
    Attrs a;
    a.set("alpha", 1.0);
    a.set("beta", 1.0);
    a.set("transA", int64_t(0));
    a.set("transB", int64_t(0));
    return a;
  }();
  outOfRange.node->fused.push_back({OpKind::Add, add});
  CHECK(outOfRange.error() == "node 'n' (Gemm): fused add reads operand 7, but the node has 2");
}

TEST_CASE("inferShapes stores the types; huge results are refused") {
  OneNode n(OpKind::Relu, {f32({3, 4})});
  REQUIRE(!inferShapes(*n.node));
  CHECK(n.node->outputs[0]->type == f32({3, 4}));

  Attrs axes;
  axes.set("axes", Ints{0});
  Attrs cat;
  cat.set("axis", int64_t(0));
  OneNode big(OpKind::Concat, {f32({int64_t(1) << 31}), f32({int64_t(1) << 31}),
                               f32({int64_t(1) << 31})},
              cat);
  CHECK(big.error() == "node 'n' (Concat): result shape [6442450944] has too many elements");
}

TEST_CASE("indexing ops: result types and their errors") {
  auto with = [](std::initializer_list<std::pair<const char *, AttrValue>> kv) {
    Attrs a;
    for (const auto &[k, v] : kv)
      a.set(k, v);
    return a;
  };
  Attrs arg = with({{"axis", int64_t(1)}, {"keepdims", int64_t(0)}, {"select_last_index", int64_t(0)}});
  CHECK(OneNode(OpKind::ArgMax, {f32({2, 3, 4})}, arg).type() == i64({2, 4}));
  CHECK(OneNode(OpKind::ArgMin, {{DType::Bool, {2, 3}}}, arg).error() ==
        "node 'n' (ArgMin): input has element type bool, expected f32, i64, i32, i8 or u8");
  CHECK(OneNode(OpKind::ArgMax, {f32({2, 0})}, arg).error() ==
        "node 'n' (ArgMax): axis 1 is empty: there is no extreme to select");

  Attrs topk = with({{"axis", int64_t(0)}, {"k", int64_t(3)}, {"largest", int64_t(1)}, {"sorted", int64_t(1)}});
  CHECK(OneNode(OpKind::TopK, {f32({5, 2})}, topk).type() == f32({3, 2}));
  CHECK(OneNode(OpKind::TopKIndices, {f32({5, 2})}, topk).type() == i64({3, 2}));
  CHECK(OneNode(OpKind::TopK, {f32({2, 2})}, topk).error() ==
        "node 'n' (TopK): k 3 is not in [0, 2] (axis 0 of [2,2])");

  CHECK(OneNode(OpKind::Expand, {f32({3, 1})}, with({{"shape", Ints{2, 3, 4}}})).type() ==
        f32({2, 3, 4}));
  CHECK(OneNode(OpKind::Expand, {f32({3, 2})}, with({{"shape", Ints{3, 4}}})).error() ==
        "node 'n' (Expand): cannot expand f32[3,2] to [3,4]");
  CHECK(OneNode(OpKind::Tile, {f32({3, 1})}, with({{"repeats", Ints{2, 5}}})).type() ==
        f32({6, 5}));
  CHECK(OneNode(OpKind::Trilu, {f32({3})}, with({{"upper", int64_t(1)}, {"k", int64_t(0)}})).error() ==
        "node 'n' (Trilu): input has rank 1, expected at least 2");

  CHECK(OneNode(OpKind::GatherND, {f32({2, 3, 4}), i64({5, 2})}, with({{"batch_dims", int64_t(0)}})).type() ==
        f32({5, 4}));
  CHECK(OneNode(OpKind::GatherND, {f32({2, 3}), i64({5, 3})}, with({{"batch_dims", int64_t(0)}})).error() ==
        "node 'n' (GatherND): index tuples of length 3 do not address data f32[2,3]");
  CHECK(OneNode(OpKind::ScatterElements, {f32({2, 3}), i64({2, 2}), f32({2, 1})},
                with({{"axis", int64_t(1)}, {"reduction", std::string("add")}})).error() ==
        "node 'n' (ScatterElements): updates f32[2,1] must have the indices' shape [2,2] and "
        "the data's type f32");
  CHECK(OneNode(OpKind::GatherElements, {f32({2, 3}), i64({3, 1})}, with({{"axis", int64_t(1)}})).error() ==
        "node 'n' (GatherElements): indices i64[3,1] exceed data f32[2,3] along axis 0");
  CHECK(OneNode(OpKind::OneHot, {i64({2, 3}), f32({2})}, with({{"axis", int64_t(1)}, {"depth", int64_t(4)}})).type() ==
        f32({2, 4, 3}));
  CHECK(OneNode(OpKind::Size, {f32({2, 3})}).type() == i64({}));
  // Range's length depends on its operands: they must be constants.
  CHECK(OneNode(OpKind::Range, {f32({}), f32({}), f32({})}).error() ==
        "node 'n' (Range): operand 0 ('in0') must be a constant: the result's length depends on it");
}

TEST_CASE("QuantizeLinear and DequantizeLinear: types, per-axis parameters, errors") {
  auto axis = [](int64_t a) {
    Attrs attrs;
    attrs.set("axis", a);
    return attrs;
  };
  TensorType u8s{DType::U8, {}}, i8c{DType::I8, {3}};
  CHECK(OneNode(OpKind::QuantizeLinear, {f32({2, 3, 4}), f32({}), u8s}, axis(1)).type() ==
        TensorType{DType::U8, {2, 3, 4}});
  CHECK(OneNode(OpKind::QuantizeLinear, {f32({2, 3, 4}), f32({3}), i8c}, axis(1)).type() ==
        TensorType{DType::I8, {2, 3, 4}});
  // One zero point for every channel's scale.
  CHECK(OneNode(OpKind::DequantizeLinear, {TensorType{DType::I8, {2, 3}}, f32({3}),
                                            TensorType{DType::I8, {}}},
                axis(1))
            .type() == f32({2, 3}));
  CHECK(OneNode(OpKind::DequantizeLinear,
                {TensorType{DType::I32, {5}}, f32({}), TensorType{DType::I32, {}}}, axis(0))
            .type() == f32({5}));
  CHECK(OneNode(OpKind::QuantizeLinear, {f32({2, 3, 4}), f32({4}), TensorType{DType::U8, {4}}},
                axis(1))
            .error() ==
        "node 'n' (QuantizeLinear): scale of shape [4] fits neither the whole input [2,3,4] "
        "nor its axis 1");
  CHECK(OneNode(OpKind::QuantizeLinear, {f32({2}), f32({}), f32({})}, axis(0)).error() ==
        "node 'n' (QuantizeLinear): zero point has element type f32, expected u8 or i8");
  CHECK(OneNode(OpKind::DequantizeLinear, {TensorType{DType::U8, {2}}, f32({}), i8c}, axis(0))
            .error() == "node 'n' (DequantizeLinear): zero point has shape [3], the scale []");
  CHECK(OneNode(OpKind::DequantizeLinear, {f32({2}), f32({}), f32({})}, axis(0)).error() ==
        "node 'n' (DequantizeLinear): input has element type f32, expected u8, i8 or i32");
}
