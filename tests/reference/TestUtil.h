//===- TestUtil.h - Helpers for the reference kernel tests ------*- C++ -*-===//

#ifndef KILN_TESTS_REFERENCE_TESTUTIL_H
#define KILN_TESTS_REFERENCE_TESTUTIL_H

#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace kiln::test {

/// Attrs from a brace list: attrs({{"axis", int64_t(1)}, {"kernel", Dims{2, 2}}}).
inline Attrs attrs(std::initializer_list<std::pair<std::string, AttrValue>> list) {
  Attrs a;
  for (const auto &[k, v] : list)
    a.set(k, v);
  return a;
}

/// 0, 1, 2, ... in the given shape.
inline Tensor iota(Dims dims, float start = 0.0f) {
  TensorType t{DType::F32, dims};
  std::vector<float> v(size_t(t.numElements()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = start + float(i);
  return Tensor::fromF32(std::move(dims), std::move(v));
}

/// Deterministic values in [-1, 1) (a linear congruential sequence).
inline Tensor pseudoRandom(Dims dims, uint32_t seed) {
  TensorType t{DType::F32, dims};
  std::vector<float> v(size_t(t.numElements()));
  for (float &x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = float(seed >> 8) / float(1 << 24) * 2.0f - 1.0f;
  }
  return Tensor::fromF32(std::move(dims), std::move(v));
}

/// Checks shape and values (exact up to `tol`).
inline void checkTensor(const Tensor &got, const Dims &dims, const std::vector<float> &want,
                        float tol = 1e-6f) {
  REQUIRE(got.isF32());
  REQUIRE(got.dims() == dims);
  REQUIRE(got.f32.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i << ": got " << got.f32[i] << ", want " << want[i]);
    CHECK(std::fabs(got.f32[i] - want[i]) <= tol * std::max(1.0f, std::fabs(want[i])));
  }
}

} // namespace kiln::test

#endif // KILN_TESTS_REFERENCE_TESTUTIL_H
