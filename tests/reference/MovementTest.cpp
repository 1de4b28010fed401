//===- MovementTest.cpp - Reference indexing and selection, by hand -------===//

#include "compiler/reference/Kernels.h"
#include "tests/reference/TestUtil.h"

using namespace kiln;
using namespace kiln::ref;
using namespace kiln::test;

namespace {
Tensor ints(Dims dims, std::vector<int64_t> v) { return Tensor::fromI64(std::move(dims), std::move(v)); }
void checkInts(const Tensor &t, const Dims &dims, const std::vector<int64_t> &want) {
  CHECK(t.dims() == dims);
  CHECK(t.i64 == want);
}
} // namespace

TEST_CASE("argextreme_ref: ties go first, or last with select_last_index") {
  Tensor x = Tensor::fromF32({2, 3}, {1, 5, 5, 2, 0, 2});
  auto arg = [&](OpKind op, int64_t axis, int64_t keep, int64_t last) {
    auto r = argextreme_ref(op, x, attrs({{"axis", axis}, {"keepdims", keep}, {"select_last_index", last}}));
    REQUIRE(r);
    return *r;
  };
  checkInts(arg(OpKind::ArgMax, 1, 1, 0), {2, 1}, {1, 0});
  checkInts(arg(OpKind::ArgMax, 1, 0, 1), {2}, {2, 2});
  checkInts(arg(OpKind::ArgMin, 1, 0, 0), {2}, {0, 1});
  checkInts(arg(OpKind::ArgMin, 0, 1, 0), {1, 3}, {0, 1, 1});
}

TEST_CASE("topk_ref: sorted, ties by the lower index, values and indices") {
  Tensor x = Tensor::fromF32({1, 5}, {3, 1, 3, 7, 1});
  Attrs a = attrs({{"axis", int64_t(1)}, {"k", int64_t(3)}, {"largest", int64_t(1)}, {"sorted", int64_t(1)}});
  checkTensor(topk_ref(x, a, false), {1, 3}, {7, 3, 3});
  checkInts(topk_ref(x, a, true), {1, 3}, {3, 0, 2});
  a.set("largest", int64_t(0));
  checkInts(topk_ref(x, a, true), {1, 3}, {1, 4, 0});
}

TEST_CASE("cumsum_ref: exclusive and reverse; integers wrap") {
  Tensor x = Tensor::fromF32({4}, {1, 2, 3, 4});
  auto cs = [&](int64_t ex, int64_t rev) {
    return cumsum_ref(x, attrs({{"axis", int64_t(0)}, {"exclusive", ex}, {"reverse", rev}}));
  };
  checkTensor(cs(0, 0), {4}, {1, 3, 6, 10});
  checkTensor(cs(1, 0), {4}, {0, 1, 3, 6});
  checkTensor(cs(0, 1), {4}, {10, 9, 7, 4});
  checkTensor(cs(1, 1), {4}, {9, 7, 4, 0});
  Tensor i8 = Tensor::zeros({DType::I8, {2}});
  i8.i64 = {100, 100};
  checkInts(cumsum_ref(i8, attrs({{"axis", int64_t(0)}, {"exclusive", int64_t(0)}, {"reverse", int64_t(0)}})),
            {2}, {100, -56});
}

TEST_CASE("trilu_ref keeps the band of k") {
  Tensor x = iota({3, 3}, 1);
  checkTensor(trilu_ref(x, attrs({{"upper", int64_t(1)}, {"k", int64_t(1)}})), {3, 3},
              {0, 2, 3, 0, 0, 6, 0, 0, 0});
  checkTensor(trilu_ref(x, attrs({{"upper", int64_t(0)}, {"k", int64_t(-1)}})), {3, 3},
              {0, 0, 0, 4, 0, 0, 7, 8, 0});
}

TEST_CASE("expand_ref and tile_ref") {
  Tensor x = Tensor::fromF32({2, 1}, {1, 2});
  checkTensor(expand_ref(x, attrs({{"shape", Dims{2, 2, 3}}})), {2, 2, 3},
              {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  checkTensor(tile_ref(x, attrs({{"repeats", Dims{2, 2}}})), {4, 2}, {1, 1, 2, 2, 1, 1, 2, 2});
}

TEST_CASE("gather and scatter elements; out-of-range indices are errors") {
  Tensor x = iota({2, 3});
  auto g = gatherelements_ref(x, ints({2, 2}, {2, -3, 1, 1}), attrs({{"axis", int64_t(1)}}));
  REQUIRE(g);
  checkTensor(*g, {2, 2}, {2, 0, 4, 4});
  auto bad = gatherelements_ref(x, ints({1, 1}, {3}), attrs({{"axis", int64_t(1)}}));
  REQUIRE(!bad);
  CHECK(llvm::toString(bad.takeError()).find("out of range") != std::string::npos);
  Tensor upd = Tensor::fromF32({1, 2}, {10, 20});
  for (auto [r, want] : {std::pair{"none", std::vector<float>{0, 1, 20, 3, 4, 5}},
                         std::pair{"add", std::vector<float>{0, 1, 32, 3, 4, 5}},
                         std::pair{"mul", std::vector<float>{0, 1, 400, 3, 4, 5}}}) {
    auto s = scatterelements_ref(x, ints({1, 2}, {2, 2}), upd,
                                 attrs({{"axis", int64_t(1)}, {"reduction", std::string(r)}}));
    REQUIRE(s);
    checkTensor(*s, {2, 3}, want);
  }
}

TEST_CASE("gathernd_ref and scatternd_ref: slices, batch_dims") {
  Tensor x = iota({2, 2, 2});
  auto g = gathernd_ref(x, ints({2, 2}, {0, 1, 1, 0}), attrs({{"batch_dims", int64_t(0)}}));
  REQUIRE(g);
  checkTensor(*g, {2, 2}, {2, 3, 4, 5});
  auto gb = gathernd_ref(x, ints({2, 1}, {1, 0}), attrs({{"batch_dims", int64_t(1)}}));
  REQUIRE(gb);
  checkTensor(*gb, {2, 2}, {2, 3, 4, 5});
  auto s = scatternd_ref(x, ints({1, 1}, {1}), Tensor::fromF32({1, 2, 2}, {9, 9, 9, 9}),
                         attrs({{"reduction", std::string("add")}}));
  REQUIRE(s);
  checkTensor(*s, {2, 2, 2}, {0, 1, 2, 3, 13, 14, 15, 16});
}

TEST_CASE("onehot_ref, size_ref, range_ref") {
  Tensor idx = Tensor::fromF32({3}, {0, 2.7f, -1});
  Tensor vals = Tensor::fromF32({2}, {0, 5});
  checkTensor(onehot_ref(idx, vals, attrs({{"axis", int64_t(0)}, {"depth", int64_t(3)}})), {3, 3},
              {5, 0, 0, 0, 0, 0, 0, 5, 5});
  checkInts(size_ref(iota({2, 3, 4})), {}, {24});
  checkTensor(range_ref(Tensor::fromF32({}, {1}), Tensor::fromF32({}, {2}), Tensor::fromF32({}, {0.25f})),
              {4}, {1, 1.25f, 1.5f, 1.75f});
  checkInts(range_ref(ints({}, {5}), ints({}, {-2}), ints({}, {-3})), {3}, {5, 2, -1});
  checkInts(range_ref(ints({}, {5}), ints({}, {6}), ints({}, {-1})), {0}, {});
}
