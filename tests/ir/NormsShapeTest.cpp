//===- NormsShapeTest.cpp - Shape rules of the normalizations, ConvTranspose, losses
//
// Result types, and the errors an untrusted model gets instead of a crash.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/ShapeInference.h"

#include <doctest/doctest.h>

using namespace kiln;
using Ints = std::vector<int64_t>;

namespace {

/// The type inferred for one node over fresh operands, or its error text.
struct Result {
  std::optional<TensorType> type;
  std::string error;
};

Result infer(OpKind op, std::vector<TensorType> operands, Attrs attrs) {
  Graph g;
  std::vector<Value *> ins;
  for (size_t i = 0; i < operands.size(); ++i)
    ins.push_back(g.addValue("in" + std::to_string(i), operands[i]));
  Node *n = g.addNode(op, "n", ins, {g.addValue("out", {})}, std::move(attrs));
  auto t = inferResultTypes(*n);
  if (!t)
    return {std::nullopt, llvm::toString(t.takeError())};
  return {t->front(), ""};
}

TensorType f32(Dims d) { return {DType::F32, std::move(d)}; }

Attrs layerNorm(int64_t axis, int64_t result) {
  Attrs a;
  a.set("axis", axis);
  a.set("epsilon", 1e-5);
  a.set("result", result);
  return a;
}

Attrs convT(Ints kernel, Ints strides, Ints pads, int64_t group = 1) {
  Attrs a;
  a.set("kernel", kernel);
  a.set("strides", strides);
  a.set("pads", pads);
  a.set("dilations", Ints{1, 1});
  a.set("group", group);
  return a;
}

} // namespace

TEST_CASE("LayerNormalization: Y, Mean and InvStdDev shapes; Scale must broadcast") {
  auto y = infer(OpKind::LayerNormalization, {f32({2, 3, 4}), f32({3, 4})}, layerNorm(1, 0));
  REQUIRE(y.type);
  CHECK(y.type->dims == Dims{2, 3, 4});
  auto mean = infer(OpKind::LayerNormalization, {f32({2, 3, 4}), f32({4})}, layerNorm(1, 1));
  REQUIRE(mean.type);
  CHECK(mean.type->dims == Dims{2, 1, 1});
  auto bad = infer(OpKind::LayerNormalization, {f32({2, 3, 4}), f32({5})}, layerNorm(1, 0));
  CHECK(bad.error.find("scale of shape [5] does not broadcast to the normalized axes [3,4]") !=
        std::string::npos);
  CHECK(infer(OpKind::LayerNormalization, {f32({2, 3}), f32({3})}, layerNorm(2, 0))
            .error.find("axis 2 is out of range") != std::string::npos);
}

TEST_CASE("InstanceNormalization and LpNormalization check their operands") {
  Attrs eps;
  eps.set("epsilon", 1e-5);
  CHECK(infer(OpKind::InstanceNormalization, {f32({1, 3, 4, 4}), f32({3}), f32({4})}, eps)
            .error.find("bias has shape [4], expected [3]") != std::string::npos);
  Attrs lp;
  lp.set("axis", int64_t(0));
  lp.set("p", int64_t(3));
  CHECK(infer(OpKind::LpNormalization, {f32({4})}, lp).error.find("p 3 must be 1 or 2") !=
        std::string::npos);
}

TEST_CASE("ConvTranspose: output size, groups, and pads that leave nothing") {
  // 2*(3-1) + 3 - 1 - 0 = 6 rows; 3*(5-1) + 2 - 0 - (-1) = 15 columns.
  auto y = infer(OpKind::ConvTranspose, {f32({1, 4, 3, 5}), f32({4, 3, 3, 2}), f32({6})},
                 [] {
                   Attrs a = convT({3, 2}, {2, 3}, {1, 0, 0, -1}, 2);
                   return a;
                 }());
  REQUIRE(y.type);
  CHECK(y.type->dims == Dims{1, 6, 6, 15});
  CHECK(infer(OpKind::ConvTranspose, {f32({1, 4, 3, 3}), f32({3, 1, 3, 3})},
              convT({3, 3}, {1, 1}, {0, 0, 0, 0}))
            .error.find("3 input channels, the input 4") != std::string::npos);
  CHECK(infer(OpKind::ConvTranspose, {f32({1, 1, 2, 2}), f32({1, 1, 1, 1})},
              convT({1, 1}, {1, 1}, {1, 1, 1, 1}))
            .error.find("leave no output") != std::string::npos);
}

TEST_CASE("NegativeLogLikelihoodLoss: target shape and type, reduced to a scalar") {
  Attrs a;
  a.set("reduction", int64_t(2));
  a.set("has_ignore_index", int64_t(0));
  a.set("ignore_index", int64_t(0));
  auto y = infer(OpKind::NegativeLogLikelihoodLoss,
                 {f32({2, 5, 3}), TensorType{DType::I64, {2, 3}}}, a);
  REQUIRE(y.type);
  CHECK(y.type->dims.empty());
  CHECK(infer(OpKind::NegativeLogLikelihoodLoss, {f32({2, 5, 3}), f32({2, 3})}, a)
            .error.find("target has element type f32, expected i64 or i32") !=
        std::string::npos);
  CHECK(infer(OpKind::NegativeLogLikelihoodLoss,
              {f32({2, 5, 3}), TensorType{DType::I64, {2, 5}}}, a)
            .error.find("expected [2,3]") != std::string::npos);
}
