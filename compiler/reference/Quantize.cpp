//===- Quantize.cpp - Reference QuantizeLinear and DequantizeLinear -------===//
//
// As the ONNX spec states them, and as ONNX Runtime computes them:
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)
//   DequantizeLinear: y = float(int32(x) - int32(zero_point)) * scale
// in float32, the division a true division (not a multiply by 1/scale). NaN
// quantizes to the low end of the range, as ONNX Runtime's x86-64 kernel
// (its max/min clamp precedes the conversion).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Quantization.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include <cassert>
#include <cmath>

namespace kiln::ref {

Tensor quantize_ref(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                    const Attrs &a) {
  std::optional<QuantGeometry> g =
      quantGeometry(x.dims(), scale.dims(), a.getInt("axis", 1));
  assert(g && "quantization parameters do not fit the input");
  int64_t lo, hi;
  quantRange(zeroPoint.dtype(), lo, hi);
  Tensor y = Tensor::zeros(TensorType{zeroPoint.dtype(), x.dims()});
  for (int64_t i = 0; i < x.numElements(); ++i) {
    size_t c = size_t((i / g->inner) % g->channels);
    float v = std::nearbyintf(x.f32[size_t(i)] / scale.f32[c]) +
              float(zeroPoint.i64[zeroPoint.numElements() == 1 ? 0 : c]);
    int64_t q = !(v >= float(lo)) ? lo : v > float(hi) ? hi : int64_t(v);
    y.i64[size_t(i)] = q;
  }
  return y;
}

Tensor dequantize_ref(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                      const Attrs &a) {
  std::optional<QuantGeometry> g =
      quantGeometry(x.dims(), scale.dims(), a.getInt("axis", 1));
  assert(g && "quantization parameters do not fit the input");
  Tensor y = Tensor::zeros(TensorType{DType::F32, x.dims()});
  for (int64_t i = 0; i < x.numElements(); ++i) {
    size_t c = size_t((i / g->inner) % g->channels);
    // int32 operands wrap, as ONNX Runtime's int32 subtraction.
    int32_t d = int32_t(uint32_t(x.i64[size_t(i)]) -
                        uint32_t(zeroPoint.i64[zeroPoint.numElements() == 1 ? 0 : c]));
    y.f32[size_t(i)] = float(d) * scale.f32[c];
  }
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> quantizeEvaluators() {
  using A = const EvalArgs &;
  static constexpr OpEvaluator Table[] = {
      {OpKind::QuantizeLinear,
       [](A e) -> llvm::Expected<Tensor> {
         return quantize_ref(e.operand(0), e.operand(1), e.operand(2), e.attrs);
       }},
      {OpKind::DequantizeLinear,
       [](A e) -> llvm::Expected<Tensor> {
         return dequantize_ref(e.operand(0), e.operand(1), e.operand(2), e.attrs);
       }},
  };
  return Table;
}

} // namespace kiln::ref
