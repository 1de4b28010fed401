//===- DataMovementTest.cpp - Reference reshapes, pads, gathers -----------===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

TEST_CASE("flatten_ref and reshape_ref keep the element order") {
  Tensor x = iota({2, 3, 4});
  Tensor f = flatten_ref(x, attrs({{"axis", int64_t(2)}}));
  CHECK(f.dims() == Dims{6, 4});
  CHECK(f.f32 == x.f32);
  CHECK(flatten_ref(x, attrs({{"axis", int64_t(0)}})).dims() == Dims{1, 24});
  CHECK(reshape_ref(x, attrs({{"shape", Dims{4, 6}}})).dims() == Dims{4, 6});
}

TEST_CASE("transpose_ref") {
  checkTensor(transpose_ref(iota({2, 3}), attrs({{"perm", Dims{1, 0}}})), {3, 2},
              {0, 3, 1, 4, 2, 5});
  // [2,1,3] with perm [2,0,1] -> [3,2,1]: y[k,i,0] = x[i,0,k].
  checkTensor(transpose_ref(iota({2, 1, 3}), attrs({{"perm", Dims{2, 0, 1}}})), {3, 2, 1},
              {0, 3, 1, 4, 2, 5});
}

TEST_CASE("concat_ref along inner and outer axes") {
  Tensor a = iota({2, 1}), b = iota({2, 2}, 10);
  checkTensor(concat_ref({&a, &b}, attrs({{"axis", int64_t(1)}})), {2, 3}, {0, 10, 11, 1, 12, 13});
  Tensor c = iota({1, 2}, 20);
  checkTensor(concat_ref({&b, &c}, attrs({{"axis", int64_t(0)}})), {3, 2}, {10, 11, 12, 13, 20, 21});
}

TEST_CASE("pad_ref: constant, reflect, edge, and negative pads") {
  Tensor x = Tensor::fromF32({3}, {1, 2, 3});
  auto pad = [&](Dims pads, const char *mode, double value = 0) {
    return pad_ref(x, attrs({{"pads", pads}, {"mode", std::string(mode)}, {"value", value}}));
  };
  checkTensor(pad({2, 2}, "constant", 9), {7}, {9, 9, 1, 2, 3, 9, 9});
  checkTensor(pad({2, 2}, "reflect"), {7}, {3, 2, 1, 2, 3, 2, 1});
  checkTensor(pad({2, 2}, "edge"), {7}, {1, 1, 1, 2, 3, 3, 3});
  checkTensor(pad({-1, 1}, "constant"), {3}, {2, 3, 0});
  // 2-D: one row on top, one column on the right.
  Tensor m = iota({2, 2});
  checkTensor(pad_ref(m, attrs({{"pads", Dims{1, 0, 0, 1}}, {"mode", std::string("constant")},
                                {"value", -1.0}})),
              {3, 3}, {-1, -1, -1, 0, 1, -1, 2, 3, -1});
}

TEST_CASE("shape_ref, gather_ref, unsqueeze_ref, squeeze_ref") {
  Tensor x = iota({2, 3, 4});
  CHECK(shape_ref(x, attrs({{"start", int64_t(1)}, {"end", int64_t(3)}})).i64 == Dims{3, 4});

  Tensor idx = Tensor::fromI64({2}, {-1, 0});
  Tensor g = cantFail(gather_ref(iota({3, 2}), idx, attrs({{"axis", int64_t(0)}})));
  checkTensor(g, {2, 2}, {4, 5, 0, 1});
  Tensor scalarIdx = Tensor::fromI64({}, {1});
  g = cantFail(gather_ref(iota({3, 2}), scalarIdx, attrs({{"axis", int64_t(1)}})));
  checkTensor(g, {3}, {1, 3, 5});
  Tensor bad = Tensor::fromI64({1}, {3});
  llvm::Expected<Tensor> err = gather_ref(iota({3, 2}), bad, attrs({{"axis", int64_t(0)}}));
  REQUIRE(!err);
  CHECK(llvm::toString(err.takeError()) == "Gather index 3 is out of range for axis 0 of size 3");

  CHECK(unsqueeze_ref(iota({3}), attrs({{"axes", Dims{0, 2}}})).dims() == Dims{1, 3, 1});
  CHECK(squeeze_ref(iota({1, 3, 1}), attrs({{"axes", Dims{0, 2}}})).dims() == Dims{3});
}

TEST_CASE("cast_ref between f32 and i64 truncates toward zero") {
  Tensor x = Tensor::fromF32({3}, {-1.7f, 2.9f, 0});
  Tensor i = cantFail(cast_ref(x, attrs({{"to", int64_t(DType::I64)}})));
  CHECK(i.i64 == std::vector<int64_t>{-1, 2, 0});
  checkTensor(cantFail(cast_ref(i, attrs({{"to", int64_t(DType::F32)}}))), {3}, {-1, 2, 0});
  llvm::Expected<Tensor> dbl = cast_ref(x, attrs({{"to", int64_t(DType::F64)}}));
  REQUIRE(!dbl);
  CHECK(llvm::toString(dbl.takeError()) == "Cast to f64 is not supported");
}

TEST_CASE("slice_ref: steps of both signs, and unclamped bounds refused") {
  auto slice = [](const Tensor &x, Dims begin, Dims end, Dims step) {
    auto r = slice_ref(x, attrs({{"begin", begin}, {"end", end}, {"step", step}}));
    REQUIRE(r);
    return std::move(*r);
  };
  Tensor x = iota({2, 4});
  checkTensor(slice(x, {0, 1}, {2, 3}, {1, 1}), {2, 2}, {1, 2, 5, 6});
  // Negative steps; end -1 runs through index 0.
  checkTensor(slice(x, {1, 3}, {-1, -1}, {-1, -2}), {2, 2}, {7, 5, 3, 1});
  checkTensor(slice(x, {0, 2}, {2, 2}, {1, 1}), {2, 0}, {});
  auto bad = slice_ref(x, attrs({{"begin", Dims{0, 5}}, {"end", Dims{2, 4}}, {"step", Dims{1, 1}}}));
  CHECK(!bad);
  llvm::consumeError(bad.takeError());
}

TEST_CASE("reduction_ref: sums, extremes and logs by hand") {
  Tensor x = Tensor::fromF32({2, 3}, {1, 2, 3, -4, 5, -6});
  auto reduce = [&](OpKind op, Dims axes, int64_t keep = 0) {
    auto r = reduction_ref(op, x, attrs({{"axes", axes}, {"keepdims", keep}}));
    REQUIRE(r);
    return std::move(*r);
  };
  checkTensor(reduce(OpKind::ReduceSum, {1}), {2}, {6, -5});
  checkTensor(reduce(OpKind::ReduceMean, {0}, 1), {1, 3}, {-1.5f, 3.5f, -1.5f});
  checkTensor(reduce(OpKind::ReduceMax, {0, 1}), {}, {5});
  checkTensor(reduce(OpKind::ReduceMin, {1}), {2}, {1, -6});
  checkTensor(reduce(OpKind::ReduceProd, {1}), {2}, {6, 120});
  checkTensor(reduce(OpKind::ReduceL1, {1}), {2}, {6, 15});
  checkTensor(reduce(OpKind::ReduceSumSquare, {1}), {2}, {14, 77});
  checkTensor(reduce(OpKind::ReduceL2, {1}), {2}, {std::sqrt(14.0f), std::sqrt(77.0f)});
  auto logSum = reduction_ref(OpKind::ReduceLogSum, Tensor::fromF32({3}, {1, 2, 3}),
                              attrs({{"axes", Dims{0}}, {"keepdims", int64_t(0)}}));
  REQUIRE(logSum);
  checkTensor(*logSum, {}, {std::log(6.0f)});
  // log(e^1 + e^2 + e^3) = 3 + log(1 + e^-1 + e^-2).
  checkTensor(reduce(OpKind::ReduceLogSumExp, {1}), {2},
              {3 + std::log(1 + std::exp(-1.0f) + std::exp(-2.0f)),
               5 + std::log(std::exp(-9.0f) + 1 + std::exp(-11.0f))});
}
