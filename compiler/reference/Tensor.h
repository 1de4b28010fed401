//===- Tensor.h - A tensor with its data, for the reference path -*- C++ -*-===//
//
// The reference interpreter, its tests and the CLI's tensor files exchange
// tensors as a TensorType plus a plain vector of elements in logical,
// row-major (C) order. Only f32, i64 and bool cross a graph's boundary: the
// element types kiln computes in, and bool results (a Dropout mask). Bool
// data is held widened in `i64` (0 or 1), as IR constants hold it; so are
// the i32, i8 and u8 results of Cast (each element a value of its type).
// f16 and f64 are never held.
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
  std::vector<int64_t> i64; // the data of every integer dtype and Bool

  /// A tensor of `t` filled with zeros (tensorHolds(t.dtype)).
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

/// True when values of this element type are exchanged as Tensors: graph
/// inputs and outputs, tensor files, and constants (IR.h's ConstantData).
inline bool hasTensorData(DType t) {
  return t == DType::F32 || t == DType::I64 || t == DType::Bool;
}

/// True when a Tensor can hold elements of this type: f32 in `f32`, every
/// integer type and bool widened in `i64`. Not f16 or f64.
inline bool tensorHolds(DType t) { return t != DType::F16 && t != DType::F64; }

} // namespace kiln

#endif // KILN_REFERENCE_TENSOR_H
