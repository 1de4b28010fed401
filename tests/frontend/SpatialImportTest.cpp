//===- SpatialImportTest.cpp - 1-D/3-D windows, MaxPool indices, masks ----===//
//
// The importer's rewrites of ONNX ops into kiln's 2-D canonical forms: the
// structure it emits, and (through the reference interpreter) that the
// rewritten graph computes what the ONNX op means, against direct loops.
//
//===----------------------------------------------------------------------===//

#include "tests/frontend/TestUtil.h"

#include "compiler/ir/ShapeInference.h"
#include "compiler/reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::test;
using Ints = std::vector<int64_t>;

namespace {

bool mentions(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

std::vector<OpKind> ops(const Graph &g) {
  std::vector<OpKind> r;
  for (const auto &n : g.nodes())
    r.push_back(n->op);
  return r;
}

/// 0.37, -0.51, ... : distinct values, no ties.
std::vector<float> ramp(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[size_t(i)] = float((i * 37) % 101) / 50.0f - 1.0f;
  return v;
}

/// A 3-D max or average pool written as the spec's loops over [N,C,D,H,W]
/// (count_include_pad counts the window clipped to the padded input).
std::vector<float> pool3d(const std::vector<float> &x, const Dims &d, const Ints &k,
                          const Ints &s, const Ints &p, bool isMax, bool countPad,
                          bool ceil, Dims &out) {
  out = {d[0], d[1]};
  for (size_t a = 0; a < 3; ++a)
    out.push_back(windowOutputSize(d[2 + a], k[a], s[a], p[a], p[a + 3], 1, ceil));
  std::vector<float> y;
  for (int64_t nc = 0; nc < d[0] * d[1]; ++nc)
    for (int64_t od = 0; od < out[2]; ++od)
      for (int64_t oh = 0; oh < out[3]; ++oh)
        for (int64_t ow = 0; ow < out[4]; ++ow) {
          int64_t o[3] = {od, oh, ow}, padded = 1;
          int64_t lo[3], hi[3];
          for (size_t a = 0; a < 3; ++a) {
            int64_t b = o[a] * s[a] - p[a];
            int64_t e = std::min(b + k[a], d[2 + a] + p[a + 3]);
            padded *= e - b;
            lo[a] = std::max<int64_t>(b, 0);
            hi[a] = std::min(e, d[2 + a]);
          }
          float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
          int64_t inside = 0;
          for (int64_t i = lo[0]; i < hi[0]; ++i)
            for (int64_t j = lo[1]; j < hi[1]; ++j)
              for (int64_t l = lo[2]; l < hi[2]; ++l) {
                float v = x[size_t(((nc * d[2] + i) * d[3] + j) * d[4] + l)];
                acc = isMax ? std::max(acc, v) : acc + v;
                ++inside;
              }
          y.push_back(isMax ? acc : acc / float(countPad ? padded : inside));
        }
  return y;
}

std::vector<Tensor> runOn(const Graph &g, const std::vector<float> &x) {
  auto out = runReference(g, {Tensor::fromF32(g.inputs[0]->type.dims, x)});
  if (!out) {
    FAIL_CHECK(llvm::toString(out.takeError()));
    return {};
  }
  return std::move(*out);
}

} // namespace

TEST_CASE("1-D pools run as 2-D pools over [N,C,1,L] between Unsqueeze and Squeeze") {
  ModelBuilder m(12);
  m.input("x", {1, 2, 9});
  m.node("MaxPool", {"x"}, {"y"}, "pool")
      .ints("kernel_shape", {3})
      .ints("strides", {2})
      .ints("pads", {1, 1})
      .ints("dilations", {2});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(ops(*g) == std::vector{OpKind::Unsqueeze, OpKind::MaxPool, OpKind::Squeeze});
  const Node *pool = onlyNode(*g, OpKind::MaxPool);
  REQUIRE(pool);
  CHECK(pool->input(0)->type.dims == Dims{1, 2, 1, 9});
  CHECK(pool->attrs.getInts("kernel") == Ints{1, 3});
  CHECK(pool->attrs.getInts("strides") == Ints{1, 2});
  CHECK(pool->attrs.getInts("pads") == Ints{0, 1, 0, 1});
  CHECK(pool->attrs.getInts("dilations") == Ints{1, 2});
  CHECK(outDims(*g) == Dims{1, 2, 4}); // (9 + 2 - 5) / 2 + 1
  // The last node produces the ONNX output and carries the ONNX node's name.
  CHECK(g->nodes().back()->name == "pool");
  CHECK(g->outputs[0]->name == "y");

  std::vector<float> x = ramp(18);
  auto y = runOn(*g, x);
  REQUIRE(y.size() == 1);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t o = 0; o < 4; ++o) {
      float best = -INFINITY;
      for (int64_t t = 0; t < 3; ++t) {
        int64_t i = o * 2 - 1 + t * 2;
        if (i >= 0 && i < 9)
          best = std::max(best, x[size_t(c * 9 + i)]);
      }
      CHECK(y[0].f32[size_t(c * 4 + o)] == best);
    }
}

TEST_CASE("1-D Conv lifts its weight to [M,C/group,1,K]") {
  ModelBuilder m(13);
  m.input("x", {1, 2, 7});
  m.filled("w", {3, 2, 3}, 0.25f);
  m.filled("b", {3}, 1.0f);
  m.node("Conv", {"x", "w", "b"}, {"y"}, "conv").ints("pads", {1, 1});
  m.output("y");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Node *conv = onlyNode(*g, OpKind::Conv);
  REQUIRE(conv);
  CHECK(conv->input(1)->isConstant());
  CHECK(conv->input(1)->type.dims == Dims{3, 2, 1, 3});
  CHECK(conv->attrs.getInts("pads") == Ints{0, 1, 0, 1});
  CHECK(outDims(*g) == Dims{1, 3, 7});

  std::vector<float> x = ramp(14);
  auto y = runOn(*g, x);
  REQUIRE(y.size() == 1);
  for (int64_t o = 0; o < 7; ++o) {
    float want = 1.0f;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t t = 0; t < 3; ++t)
        if (o - 1 + t >= 0 && o - 1 + t < 7)
          want += 0.25f * x[size_t(c * 7 + o - 1 + t)];
    for (int64_t mm = 0; mm < 3; ++mm)
      CHECK(y[0].f32[size_t(mm * 7 + o)] == doctest::Approx(want).epsilon(1e-6));
  }
}

TEST_CASE("3-D pools run as an HxW pool then a Dx1 pool, matching direct loops") {
  struct Case {
    const char *op;
    Ints kernel, strides, pads;
    int64_t ceil, countPad;
  };
  const Case cases[] = {
      {"MaxPool", {2, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, 0, 0},
      {"MaxPool", {3, 2, 3}, {2, 1, 2}, {1, 0, 1, 1, 1, 0}, 1, 0},
      {"AveragePool", {2, 3, 2}, {2, 2, 1}, {1, 1, 0, 0, 1, 1}, 0, 0},
      {"AveragePool", {3, 3, 2}, {2, 2, 2}, {1, 1, 1, 1, 0, 1}, 1, 1},
  };
  const Dims xd{2, 3, 5, 6, 7};
  for (const Case &k : cases) {
    CAPTURE(k.op);
    CAPTURE(k.ceil);
    ModelBuilder m(12);
    m.input("x", xd);
    NodeRef n = m.node(k.op, {"x"}, {"y"}, "pool")
                    .ints("kernel_shape", k.kernel)
                    .ints("strides", k.strides)
                    .ints("pads", k.pads)
                    .i("ceil_mode", k.ceil);
    bool isMax = std::string(k.op) == "MaxPool";
    if (!isMax)
      n.i("count_include_pad", k.countPad);
    m.output("y");
    auto g = expectImport(m.import());
    REQUIRE(g);
    OpKind pool = isMax ? OpKind::MaxPool : OpKind::AveragePool;
    CHECK(ops(*g) == std::vector{OpKind::Reshape, pool, OpKind::Reshape, pool,
                                 OpKind::Reshape});
    std::vector<float> x = ramp(2 * 3 * 5 * 6 * 7);
    Dims want;
    std::vector<float> expected =
        pool3d(x, xd, k.kernel, k.strides, k.pads, isMax, k.countPad, k.ceil, want);
    CHECK(outDims(*g) == want);
    auto y = runOn(*g, x);
    REQUIRE(y.size() == 1);
    REQUIRE(y[0].f32.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      CHECK(y[0].f32[i] == doctest::Approx(expected[i]).epsilon(1e-6));
  }
}

TEST_CASE("global pools of 1-D and 3-D inputs pool one [N,C,S,1] window") {
  ModelBuilder m(12);
  m.input("x", {2, 3, 4, 5, 6});
  m.input("v", {2, 3, 7});
  m.node("GlobalAveragePool", {"x"}, {"a"});
  m.node("GlobalMaxPool", {"v"}, {"b"});
  m.output("a");
  m.output("b");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(outDims(*g, 0) == Dims{2, 3, 1, 1, 1});
  CHECK(outDims(*g, 1) == Dims{2, 3, 1});
  std::vector<float> x = ramp(2 * 3 * 120), v = ramp(2 * 3 * 7);
  auto y = runReference(*g, {Tensor::fromF32({2, 3, 4, 5, 6}, x),
                             Tensor::fromF32({2, 3, 7}, v)});
  REQUIRE(y);
  for (size_t nc = 0; nc < 6; ++nc) {
    float sum = 0, best = -INFINITY;
    for (size_t i = 0; i < 120; ++i)
      sum += x[nc * 120 + i];
    for (size_t i = 0; i < 7; ++i)
      best = std::max(best, v[nc * 7 + i]);
    CHECK((*y)[0].f32[nc] == doctest::Approx(sum / 120).epsilon(1e-6));
    CHECK((*y)[1].f32[nc] == best);
  }
}

TEST_CASE("MaxPool's Indices become a kiln.MaxPoolIndices node") {
  for (int64_t order : {0, 1}) {
    ModelBuilder m(12);
    m.input("x", {1, 2, 4, 5});
    m.node("MaxPool", {"x"}, {"y", "idx"}, "pool")
        .ints("kernel_shape", {2, 3})
        .ints("pads", {1, 1, 0, 1})
        .i("storage_order", order);
    m.output("y");
    m.output("idx");
    auto g = expectImport(m.import());
    REQUIRE(g);
    const Node *idx = onlyNode(*g, OpKind::MaxPoolIndices);
    REQUIRE(idx);
    CHECK(idx->name == "pool.indices");
    CHECK(idx->attrs.getInt("storage_order") == order);
    CHECK(idx->attrs.getInts("pads") == Ints{1, 1, 0, 1});
    CHECK(g->outputs[1] == idx->output());
    CHECK(g->outputs[1]->type == TensorType{DType::I64, {1, 2, 4, 5}});
    CHECK(outDims(*g, 0) == Dims{1, 2, 4, 5});
  }

  // 1-D: [N,C,1,L] and [N,C,L] flatten alike.
  ModelBuilder m(12);
  m.input("x", {1, 2, 6});
  m.node("MaxPool", {"x"}, {"y", "idx"}).ints("kernel_shape", {2}).ints("strides", {2});
  m.output("idx");
  auto g = expectImport(m.import());
  REQUIRE(g);
  CHECK(g->outputs[0]->type == TensorType{DType::I64, {1, 2, 3}});
  std::vector<float> x{1, 5, 3, 2, 0, 4, /**/ 9, 8, 6, 7, -1, -2};
  auto y = runOn(*g, x);
  REQUIRE(y.size() == 1);
  CHECK(y[0].i64 == std::vector<int64_t>{1, 2, 5, 6, 9, 10});
}

TEST_CASE("Dropout's mask is an all-true bool constant in inference") {
  ModelBuilder m(13);
  m.input("x", {2, 3});
  m.node("Dropout", {"x"}, {"y", "mask"}, "drop");
  m.output("y");
  m.output("mask");
  auto g = expectImport(m.import());
  REQUIRE(g);
  const Value *mask = g->outputs[1];
  REQUIRE(mask->isConstant());
  CHECK(mask->type == TensorType{DType::Bool, {2, 3}});
  CHECK(mask->constant->i64 == std::vector<int64_t>(6, 1));
  CHECK(onlyNode(*g, OpKind::Dropout));

  // The constant is bounded like import-time folding (a hostile shape).
  ModelBuilder big(13);
  big.input("x", {1 << 16, 1 << 16});
  big.node("Dropout", {"x"}, {"y", "mask"}, "drop");
  big.output("mask");
  CHECK(importError(big.import()) == "node 'drop' (Dropout): Dropout's mask of 4294967296 "
                                     "elements (more than 1048576) is not supported");

  // Opset 7 to 9: the mask has X's element type.
  ModelBuilder m9(9);
  m9.input("x", {2, 3});
  m9.node("Dropout", {"x"}, {"y", "mask"});
  m9.output("mask");
  auto g9 = expectImport(m9.import());
  REQUIRE(g9);
  CHECK(g9->outputs[0]->type == TensorType{DType::F32, {2, 3}});
  CHECK(g9->outputs[0]->constant->f32 == std::vector<float>(6, 1.0f));
}

TEST_CASE("ImportOptions::inputShapes: exact shapes, empty tensors") {
  auto model = [] {
    ModelBuilder m(14);
    m.input("x", {0, 3, 4});
    m.initializerI64("shape", {3}, {3, 4, 0});
    m.node("Reshape", {"x", "shape"}, {"y"}, "r").i("allowzero", 1);
    m.output("y");
    return m;
  };
  // Without a shape, a leading 0 is a batch dimension, and the reshape fails.
  CHECK(mentions(importError(model().import()), "cannot reshape [1,3,4]"));

  ImportOptions opts;
  opts.inputShapes["x"] = {0, 3, 4};
  auto g = expectImport(model().import("", opts));
  REQUIRE(g);
  CHECK(g->inputs[0]->type.dims == Dims{0, 3, 4});
  CHECK(outDims(*g) == Dims{3, 4, 0});
  auto y = runReference(*g, {Tensor::zeros({DType::F32, {0, 3, 4}})});
  REQUIRE(y);
  CHECK((*y)[0].type == TensorType{DType::F32, {3, 4, 0}});

  opts.inputShapes["x"] = {0, 3, 5};
  CHECK(importError(model().import("", opts)) ==
        "graph input 'x': dimension 2 is 4 in the model, --input-shape gives 5");
  opts.inputShapes["x"] = {0, 12};
  CHECK(importError(model().import("", opts)) ==
        "graph input 'x' has 3 dimensions, --input-shape gives 2");
  opts.inputShapes = {{"shape", {3}}};
  CHECK(importError(model().import("", opts)) ==
        "--input-shape names 'shape', which is not a graph input (the inputs are 'x')");
}
