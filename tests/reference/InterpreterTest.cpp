//===- InterpreterTest.cpp - runReference on small graphs -----------------===//

#include "compiler/reference/Kernels.h"
#include "compiler/reference/Reference.h"
#include "tests/reference/TestUtil.h"

#include <memory>

using namespace kiln;
using namespace kiln::test;

namespace {

Value *constant(Graph &g, const std::string &name, const Tensor &t) {
  auto data = std::make_shared<ConstantData>();
  data->f32 = t.f32;
  return g.addConstant(name, t.type, std::move(data));
}

Value *input(Graph &g, const std::string &name, Dims dims) {
  Value *v = g.addValue(name, {DType::F32, std::move(dims)});
  g.inputs.push_back(v);
  return v;
}

Attrs convAttrs() {
  return attrs({{"kernel", Dims{3, 3}}, {"strides", Dims{1, 1}}, {"pads", Dims{1, 1, 1, 1}},
                {"dilations", Dims{1, 1}}, {"group", int64_t(1)}});
}

Attrs poolAttrs() {
  return attrs({{"kernel", Dims{2, 2}}, {"strides", Dims{2, 2}}, {"pads", Dims{0, 0, 0, 0}},
                {"dilations", Dims{1, 1}}, {"ceil_mode", int64_t(0)}});
}

Tensor runOne(const Graph &g, const std::vector<Tensor> &in) {
  llvm::Expected<std::vector<Tensor>> out = runReference(g, in);
  REQUIRE_MESSAGE(bool(out), (out ? "" : llvm::toString(out.takeError())));
  REQUIRE(out->size() == 1);
  return std::move((*out)[0]);
}

} // namespace

TEST_CASE("fused [relu, maxpool] on a conv equals conv -> relu -> maxpool") {
  Tensor x = pseudoRandom({1, 2, 6, 6}, 7), w = pseudoRandom({3, 2, 3, 3}, 8);
  Tensor b = pseudoRandom({3}, 9);

  Graph plain;
  {
    Value *in = input(plain, "x", {1, 2, 6, 6});
    Value *c = plain.addValue("c", {DType::F32, {1, 3, 6, 6}});
    Value *r = plain.addValue("r", {DType::F32, {1, 3, 6, 6}});
    Value *p = plain.addValue("p", {DType::F32, {1, 3, 3, 3}});
    plain.addNode(OpKind::Conv, "conv", {in, constant(plain, "w", w), constant(plain, "b", b)},
                  {c}, convAttrs());
    plain.addNode(OpKind::Relu, "relu", {c}, {r});
    plain.addNode(OpKind::MaxPool, "pool", {r}, {p}, poolAttrs());
    plain.outputs.push_back(p);
  }
  Graph fused;
  {
    Value *in = input(fused, "x", {1, 2, 6, 6});
    Value *p = fused.addValue("p", {DType::F32, {1, 3, 3, 3}});
    Node *n = fused.addNode(OpKind::Conv, "conv",
                            {in, constant(fused, "w", w), constant(fused, "b", b)}, {p},
                            convAttrs());
    n->fused = {{OpKind::Relu, {}}, {OpKind::MaxPool, poolAttrs()}};
    p->layout = {Layout::NCHWc, 16}; // ignored by the interpreter
    p->offset = 4096;
    fused.outputs.push_back(p);
  }
  Tensor want = runOne(plain, {x});
  Tensor got = runOne(fused, {x});
  CHECK(got.dims() == Dims{1, 3, 3, 3});
  CHECK(got.f32 == want.f32);
  for (float v : got.f32)
    CHECK(v >= 0.0f);
}

TEST_CASE("fused add reads the operand named by attrs[input], with and without bias") {
  Tensor x = pseudoRandom({1, 1, 3, 3}, 1), w = pseudoRandom({1, 1, 3, 3}, 2);
  Tensor s = pseudoRandom({1, 1, 3, 3}, 3), b = Tensor::fromF32({1}, {0.5});
  Tensor conv = ref::conv2d_ref(x, w, &b, convAttrs());
  for (bool withBias : {false, true}) {
    CAPTURE(withBias);
    Graph g;
    Value *in = input(g, "x", {1, 1, 3, 3});
    Value *shortcut = input(g, "s", {1, 1, 3, 3});
    Value *y = g.addValue("y", {DType::F32, {1, 1, 3, 3}});
    std::vector<Value *> operands = {in, constant(g, "w", w)};
    if (withBias)
      operands.push_back(constant(g, "b", b));
    operands.push_back(shortcut);
    Node *n = g.addNode(OpKind::Conv, "conv", operands, {y}, convAttrs());
    n->fused = {{OpKind::Add, attrs({{"input", int64_t(operands.size() - 1)}})},
                {OpKind::Relu, {}}};
    g.outputs.push_back(y);
    Tensor got = runOne(g, {x, s});
    for (size_t i = 0; i < got.f32.size(); ++i) {
      float pre = conv.f32[i] - (withBias ? 0.0f : 0.5f) + s.f32[i];
      CHECK(got.f32[i] == doctest::Approx(std::max(pre, 0.0f)));
    }
  }
}

TEST_CASE("fused leakyrelu, clip and sigmoid on a Gemm, then kiln.ScaleShift") {
  Tensor a = Tensor::fromF32({1, 2}, {1, -1}), bm = Tensor::fromF32({2, 3}, {1, 2, 3, 4, 5, 6});
  // a*B = [-3, -3, -3]
  Graph g;
  Value *in = input(g, "a", {1, 2});
  Value *y = g.addValue("y", {DType::F32, {1, 3}});
  Node *n = g.addNode(OpKind::Gemm, "fc", {in, constant(g, "B", bm)}, {y},
                      attrs({{"alpha", 1.0}, {"beta", 1.0}, {"transA", int64_t(0)},
                             {"transB", int64_t(0)}}));
  n->fused = {{OpKind::LeakyRelu, attrs({{"alpha", 0.5}})},            // -1.5
              {OpKind::Clip, attrs({{"min", -1.0}, {"max", 1.0}})},     // -1
              {OpKind::Sigmoid, {}}};                                   // sigmoid(-1)
  g.outputs.push_back(y);
  float s = 1.0f / (1.0f + std::exp(1.0f));
  checkTensor(runOne(g, {a}), {1, 3}, {s, s, s});

  Graph h;
  Value *x = input(h, "x", {1, 2, 1, 1});
  Value *z = h.addValue("z", {DType::F32, {1, 2, 1, 1}});
  h.addNode(OpKind::ScaleShift, "ss",
            {x, constant(h, "scale", Tensor::fromF32({2}, {2, 3})),
             constant(h, "shift", Tensor::fromF32({2}, {1, 1}))},
            {z});
  h.outputs.push_back(z);
  checkTensor(runOne(h, {Tensor::fromF32({1, 2, 1, 1}, {1, 2})}), {1, 2, 1, 1}, {3, 7});
}

TEST_CASE("inputs are checked against the graph's input types") {
  Graph g;
  Value *in = input(g, "data", {1, 3});
  Value *y = g.addValue("y", {DType::F32, {1, 3}});
  g.addNode(OpKind::Relu, "r", {in}, {y});
  g.outputs.push_back(y);

  auto error = [&](const std::vector<Tensor> &inputs) {
    llvm::Expected<std::vector<Tensor>> out = runReference(g, inputs);
    REQUIRE(!out);
    return llvm::toString(out.takeError());
  };
  CHECK(error({}) == "the graph has 1 input, got 0 tensors");
  CHECK(error({iota({3, 1})}) == "input 'data' expects f32[1,3], got f32[3,1]");
  CHECK(error({Tensor::fromI64({1, 3}, {1, 2, 3})}) ==
        "input 'data' expects f32[1,3], got i64[1,3]");
}

TEST_CASE("a declared type that disagrees with the kernel is reported on the node") {
  Graph g;
  Value *in = input(g, "x", {1, 1, 4, 4});
  Value *p = g.addValue("p", {DType::F32, {1, 1, 3, 3}}); // should be 2x2
  g.addNode(OpKind::MaxPool, "pool1", {in}, {p}, poolAttrs());
  g.outputs.push_back(p);
  llvm::Expected<std::vector<Tensor>> out = runReference(g, {iota({1, 1, 4, 4})});
  REQUIRE(!out);
  CHECK(llvm::toString(out.takeError()) ==
        "node 'pool1' (MaxPool): the reference kernel computes f32[1,1,2,2], the graph "
        "declares f32[1,1,3,3]");
}

TEST_CASE("i64 shape arithmetic, constants as outputs, kiln.Reorder is a copy") {
  Graph g;
  Value *x = input(g, "x", {2, 3});
  Value *shape = g.addValue("shape", {DType::I64, {2}});
  Value *r = g.addValue("r", {DType::F32, {2, 3}});
  g.addNode(OpKind::Shape, "shape", {x}, {shape},
            attrs({{"start", int64_t(0)}, {"end", int64_t(2)}}));
  g.addNode(OpKind::Reorder, "reorder", {x}, {r});
  Value *c = constant(g, "c", Tensor::fromF32({1}, {42}));
  g.outputs = {shape, r, c};
  auto out = runReference(g, {iota({2, 3})});
  REQUIRE(bool(out));
  CHECK((*out)[0].i64 == std::vector<int64_t>{2, 3});
  CHECK((*out)[1].f32 == iota({2, 3}).f32);
  CHECK((*out)[2].f32 == std::vector<float>{42});
}
