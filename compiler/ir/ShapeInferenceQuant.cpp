//===- ShapeInferenceQuant.cpp - Result types of QuantizeLinear/DequantizeLinear -===//
//
// QuantizeLinear(x f32, scale f32, zero_point i8|u8) -> zero_point's type;
// DequantizeLinear(x i8|u8|i32, scale f32, zero_point x's type) -> f32.
// scale: a scalar or one element (per tensor), or a vector along `axis`
// (compiler/ir/Quantization.h); zero_point: one element, or one per scale.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Quantization.h"
#include "compiler/ir/ShapeInferenceImpl.h"

namespace kiln::shape_inference {

/// The checks both ops share: operand count, scale f32, zero point shaped as
/// the scale, and the parameters fitting x along axis.
static llvm::Error checkQuantParams(const Inferrer &s) {
  if (s.in.size() != 3)
    return s.errf("expects 3 operands, got {}", s.in.size());
  int64_t axis;
  KILN_TRY(s.needInt(s.node.attrs, "axis", axis));
  KILN_TRY(s.requireF32(1, "scale"));
  const TensorType &x = s.in.type(0), &scale = s.in.type(1), &zp = s.in.type(2);
  // One zero point for the tensor, or one per scale.
  if (zp.numElements() != 1 && (zp.numElements() != scale.numElements() || zp.rank() != 1))
    return s.errf("zero point has shape {}, the scale {}", dimsStr(zp.dims),
                  dimsStr(scale.dims));
  if (!quantGeometry(x.dims, scale.dims, axis))
    return s.errf("scale of shape {} fits neither the whole input {} nor its axis {}",
                  dimsStr(scale.dims), dimsStr(x.dims), axis);
  return llvm::Error::success();
}

static llvm::Expected<TensorType> inferQuantizeLinear(const Inferrer &s) {
  KILN_TRY(checkQuantParams(s));
  KILN_TRY(s.requireF32(0, "input"));
  DType t = s.in.type(2).dtype;
  if (t != DType::U8 && t != DType::I8)
    return s.errf("zero point has element type {}, expected u8 or i8", dtypeName(t));
  return TensorType{t, s.in.type(0).dims};
}

static llvm::Expected<TensorType> inferDequantizeLinear(const Inferrer &s) {
  KILN_TRY(checkQuantParams(s));
  DType t = s.in.type(0).dtype;
  if (t != DType::U8 && t != DType::I8 && t != DType::I32)
    return s.errf("input has element type {}, expected u8, i8 or i32", dtypeName(t));
  if (s.in.type(2).dtype != t)
    return s.errf("zero point has element type {}, the input {}",
                  dtypeName(s.in.type(2).dtype), dtypeName(t));
  return TensorType{DType::F32, s.in.type(0).dims};
}

std::span<const OpShapeRule> quantShapeRules() {
  static constexpr OpShapeRule Table[] = {
      {OpKind::QuantizeLinear, inferQuantizeLinear},
      {OpKind::DequantizeLinear, inferDequantizeLinear},
  };
  return Table;
}

} // namespace kiln::shape_inference
