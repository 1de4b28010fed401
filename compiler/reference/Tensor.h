//===- Tensor.h - A tensor with its data, for the reference path -*- C++ -*-===//
//
// The reference interpreter, its tests and the CLI's tensor files exchange
// tensors as a TensorType plus a plain vector of elements in logical,
// row-major (C) order. Only f32, i64 and bool carry data: the element types
// kiln computes in, and bool results (a Dropout mask). Bool data is held
// widened in `i64` (0 or 1), as IR constants hold it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_TENSOR_H
#define KILN_REFERENCE_TENSOR_H

#include "compiler/ir/Types.h"

#include <cassert>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct Tensor {
  TensorType type;
  std::vector<float> f32;   // the data when type.dtype == F32
  std::vector<int64_t> i64; // the data when type.dtype == I64 or Bool

  /// A tensor of `t` filled with zeros (t.dtype must be F32, I64 or Bool).
  static Tensor zeros(TensorType t);
  static Tensor fromF32(Dims dims, std::vector<float> data);
  static Tensor fromI64(Dims dims, std::vector<int64_t> data);

  const Dims &dims() const { return type.dims; }
  DType dtype() const { return type.dtype; }
  int64_t rank() const { return type.rank(); }
  int64_t numElements() const { return type.numElements(); }
  bool isF32() const { return type.dtype == DType::F32; }
  bool isI64() const { return type.dtype == DType::I64; }

  /// Element i as a double, whatever the dtype (for summaries and tests).
  double at(int64_t i) const {
    return isF32() ? double(f32[size_t(i)]) : double(i64[size_t(i)]);
  }
};

/// Row-major strides of `dims` in elements.
Dims contiguousStrides(const Dims &dims);

/// True when the element type can be held in a Tensor.
inline bool hasTensorData(DType t) {
  return t == DType::F32 || t == DType::I64 || t == DType::Bool;
}

} // namespace kiln

#endif // KILN_REFERENCE_TENSOR_H
