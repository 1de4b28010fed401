//===- Tensor.h - A tensor with its data, for the reference path -*- C++ -*-===//
//
// The reference interpreter, its tests and the CLI's tensor files exchange
// tensors as a TensorType plus a plain vector of elements in logical,
// row-major (C) order. f32 and f16 data are held in `f32` (f16 values are
// exactly representable), every integer type and bool widened in `i64` (bool
// 0 or 1, as IR constants hold it; i32, i8 and u8 each a value of its type).
// f64 is never held. Compiled code exchanges each type in its own width:
// tensorBytes / tensorFromBytes convert.
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
  /// Whether the data is in `f32` (f32 and f16) rather than `i64`.
  bool holdsFloat() const { return holdsFloat(type.dtype); }
  static bool holdsFloat(DType t) { return t == DType::F32 || t == DType::F16; }

  /// Element i as a double, whatever the dtype (for summaries and tests).
  double at(int64_t i) const {
    return holdsFloat() ? double(f32[size_t(i)]) : double(i64[size_t(i)]);
  }
};

/// Row-major strides of `dims` in elements.
Dims contiguousStrides(const Dims &dims);

/// True when values of this element type are exchanged as Tensors: graph
/// inputs and outputs, tensor files. Everything but f64.
inline bool hasTensorData(DType t) { return t != DType::F64; }

/// True when a Tensor can hold elements of this type: f32 and f16 in `f32`,
/// every integer type and bool widened in `i64`. Not f64.
inline bool tensorHolds(DType t) { return t != DType::F64; }

/// True for the element types IR constants hold (ConstantData): f32, and
/// i64, i32, i8, u8 and bool widened in `i64`.
inline bool constantHolds(DType t) {
  return t == DType::F32 || t == DType::I64 || t == DType::I32 || t == DType::I8 ||
         t == DType::U8 || t == DType::Bool;
}

/// The tensor's data as compiled code and files hold it: numBytes() bytes,
/// each element in its type's own width (bool one byte 0/1, f16 binary16
/// rounded to nearest even from the held value).
std::vector<char> tensorBytes(const Tensor &t);
/// A tensor of `type` from such bytes (exactly type.numBytes() of them);
/// bool bytes are non-zero = true.
Tensor tensorFromBytes(TensorType type, const void *bytes);

} // namespace kiln

#endif // KILN_REFERENCE_TENSOR_H
