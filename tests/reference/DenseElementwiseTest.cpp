//===- DenseElementwiseTest.cpp - Reference Gemm, MatMul, elementwise -----===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

namespace {
Attrs gemmAttrs(double alpha, double beta, int64_t transA, int64_t transB) {
  return attrs({{"alpha", alpha}, {"beta", beta}, {"transA", transA}, {"transB", transB}});
}
} // namespace

TEST_CASE("gemm_ref: alpha, beta, row-broadcast C, and both transposes") {
  // A = [[1,2,3],[4,5,6]], B = [[1,0],[0,1],[1,1]]: A*B = [[4,5],[10,11]].
  Tensor a = Tensor::fromF32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor aT = Tensor::fromF32({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor b = Tensor::fromF32({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor bT = Tensor::fromF32({2, 3}, {1, 0, 1, 0, 1, 1});
  Tensor c = Tensor::fromF32({2}, {1, 2});
  const std::vector<float> want = {8.5, 11, 20.5, 23}; // 2*AB + 0.5*C
  checkTensor(gemm_ref(a, b, &c, gemmAttrs(2, 0.5, 0, 0)), {2, 2}, want);
  checkTensor(gemm_ref(aT, b, &c, gemmAttrs(2, 0.5, 1, 0)), {2, 2}, want);
  checkTensor(gemm_ref(a, bT, &c, gemmAttrs(2, 0.5, 0, 1)), {2, 2}, want);
  checkTensor(gemm_ref(aT, bT, &c, gemmAttrs(2, 0.5, 1, 1)), {2, 2}, want);
}

TEST_CASE("gemm_ref: C of every broadcastable shape, or none") {
  Tensor a = Tensor::fromF32({2, 1}, {1, 2}), b = Tensor::fromF32({1, 2}, {1, 1});
  Attrs at = gemmAttrs(1, 1, 0, 0); // A*B = [[1,1],[2,2]]
  checkTensor(gemm_ref(a, b, nullptr, at), {2, 2}, {1, 1, 2, 2});
  Tensor scalar = Tensor::fromF32({}, {10});
  checkTensor(gemm_ref(a, b, &scalar, at), {2, 2}, {11, 11, 12, 12});
  Tensor column = Tensor::fromF32({2, 1}, {10, 20});
  checkTensor(gemm_ref(a, b, &column, at), {2, 2}, {11, 11, 22, 22});
  Tensor full = Tensor::fromF32({2, 2}, {1, 2, 3, 4});
  checkTensor(gemm_ref(a, b, &full, at), {2, 2}, {2, 3, 5, 6});
}

TEST_CASE("matmul_ref: numpy rules for 1-D operands and batch broadcasting") {
  Tensor v = Tensor::fromF32({3}, {1, 2, 3});
  checkTensor(matmul_ref(v, v), {}, {14});
  Tensor m = Tensor::fromF32({3, 2}, {1, 0, 0, 1, 1, 1});
  checkTensor(matmul_ref(v, m), {2}, {4, 5});
  checkTensor(matmul_ref(Tensor::fromF32({2, 3}, {1, 2, 3, 4, 5, 6}), v), {2}, {14, 32});
  // [2,1,2,2] x [2,2] -> [2,1,2,2]; the right operand is shared by both items.
  Tensor batch = iota({2, 1, 2, 2});
  Tensor swap = Tensor::fromF32({2, 2}, {0, 1, 1, 0});
  checkTensor(matmul_ref(batch, swap), {2, 1, 2, 2}, {1, 0, 3, 2, 5, 4, 7, 6});
  // [3,1,1,2] x [2,2,1] -> [3,2,1,1].
  Tensor left = iota({3, 1, 1, 2});
  Tensor right = Tensor::fromF32({2, 2, 1}, {1, 1, 1, -1});
  checkTensor(matmul_ref(left, right), {3, 2, 1, 1}, {1, -1, 5, -1, 9, -1});
}

TEST_CASE("binary_ref: broadcasting from the right, both ways") {
  Tensor a = iota({2, 3}), row = Tensor::fromF32({3}, {10, 20, 30});
  checkTensor(cantFail(binary_ref(OpKind::Add, a, row)), {2, 3}, {10, 21, 32, 13, 24, 35});
  checkTensor(cantFail(binary_ref(OpKind::Sub, row, a)), {2, 3}, {10, 19, 28, 7, 16, 25});
  Tensor col = Tensor::fromF32({2, 1}, {1, 2}), line = Tensor::fromF32({1, 3}, {1, 2, 3});
  checkTensor(cantFail(binary_ref(OpKind::Mul, col, line)), {2, 3}, {1, 2, 3, 2, 4, 6});
  checkTensor(cantFail(binary_ref(OpKind::Div, line, col)), {2, 3}, {1, 2, 3, 0.5, 1, 1.5});
  Tensor scalar = Tensor::fromF32({}, {2});
  checkTensor(cantFail(binary_ref(OpKind::Mul, scalar, a)), {2, 3}, {0, 2, 4, 6, 8, 10});
}

TEST_CASE("binary_ref on i64: integer arithmetic, division by zero is an error") {
  Tensor a = Tensor::fromI64({2}, {7, -7}), b = Tensor::fromI64({}, {2});
  Tensor q = cantFail(binary_ref(OpKind::Div, a, b));
  CHECK(q.i64 == std::vector<int64_t>{3, -3});
  Tensor zero = Tensor::fromI64({}, {0});
  llvm::Expected<Tensor> bad = binary_ref(OpKind::Div, a, zero);
  REQUIRE(!bad);
  CHECK(llvm::toString(bad.takeError()) == "integer division by zero");
}

TEST_CASE("sum_ref: one input, and three broadcast inputs") {
  Tensor a = iota({2, 2});
  checkTensor(sum_ref({&a}), {2, 2}, {0, 1, 2, 3});
  Tensor b = Tensor::fromF32({2}, {10, 20}), c = Tensor::fromF32({2, 1}, {100, 200});
  checkTensor(sum_ref({&a, &b, &c}), {2, 2}, {110, 121, 212, 223});
}

TEST_CASE("activations") {
  Tensor x = Tensor::fromF32({4}, {-2, -0.5, 0, 3});
  checkTensor(activation_ref(OpKind::Relu, x, {}), {4}, {0, 0, 0, 3});
  checkTensor(activation_ref(OpKind::LeakyRelu, x, attrs({{"alpha", 0.1}})), {4}, {-0.2f, -0.05f, 0, 3});
  checkTensor(activation_ref(OpKind::Clip, x, attrs({{"min", -1.0}, {"max", 1.0}})), {4}, {-1, -0.5, 0, 1});
  checkTensor(activation_ref(OpKind::Clip, x, attrs({{"min", -INFINITY}, {"max", 0.0}})), {4}, {-2, -0.5, 0, 0});
  checkTensor(activation_ref(OpKind::Sigmoid, x, {}), {4},
              {1 / (1 + std::exp(2.f)), 1 / (1 + std::exp(0.5f)), 0.5f, 1 / (1 + std::exp(-3.f))});
  // max(0, min(1, alpha * x + beta)): both ends saturate.
  checkTensor(activation_ref(OpKind::HardSigmoid, x, attrs({{"alpha", 0.2}, {"beta", 0.5}})),
              {4}, {0.1f, 0.4f, 0.5f, 1});
  checkTensor(activation_ref(OpKind::HardSigmoid, x, attrs({{"alpha", 0.5}, {"beta", 0.25}})),
              {4}, {0, 0, 0.25f, 1});
}

TEST_CASE("softmax_ref: legacy coerces to 2-D at axis, new form uses one axis") {
  Tensor x = Tensor::fromF32({1, 2}, {0, std::log(3.0f)});
  checkTensor(softmax_ref(x, attrs({{"axis", int64_t(1)}, {"legacy", int64_t(0)}})), {1, 2},
              {0.25, 0.75});
  // [1,2,2] of zeros, axis 1: legacy normalizes over 4 elements, new over 2.
  Tensor z = Tensor::fromF32({1, 2, 2}, {0, 0, 0, 0});
  checkTensor(softmax_ref(z, attrs({{"axis", int64_t(1)}, {"legacy", int64_t(1)}})),
              {1, 2, 2}, {0.25, 0.25, 0.25, 0.25});
  checkTensor(softmax_ref(z, attrs({{"axis", int64_t(1)}, {"legacy", int64_t(0)}})),
              {1, 2, 2}, {0.5, 0.5, 0.5, 0.5});
  // The new form along axis 1 of [1,2,2] pairs elements 0 and 2, 1 and 3.
  Tensor y = Tensor::fromF32({1, 2, 2}, {0, 0, std::log(3.0f), 0});
  checkTensor(softmax_ref(y, attrs({{"axis", int64_t(1)}, {"legacy", int64_t(0)}})),
              {1, 2, 2}, {0.25, 0.5, 0.75, 0.5});
  // Large inputs do not overflow: the maximum is subtracted first.
  Tensor big = Tensor::fromF32({2}, {1000, 1000});
  checkTensor(softmax_ref(big, attrs({{"axis", int64_t(0)}, {"legacy", int64_t(0)}})), {2},
              {0.5, 0.5});
}
