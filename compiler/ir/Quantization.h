//===- Quantization.h - Quantization parameters of Q/DQ ops ------*- C++ -*-===//
//
// QuantizeLinear and DequantizeLinear (docs/INT8.md) apply one scale and zero
// point per tensor or one per slice along `axis`. Shape inference, the
// reference and the lowering all see the operand as [outer, channels, inner]:
// channels == 1 for per-tensor parameters. Stated once here so the three
// agree on which element gets which parameter.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_QUANTIZATION_H
#define KILN_IR_QUANTIZATION_H

#include "compiler/ir/Types.h"

#include <optional>

namespace kiln {

/// x viewed as [outer, channels, inner]; element i uses parameter
/// (i / inner) % channels.
struct QuantGeometry {
  int64_t outer = 1, channels = 1, inner = 1;
};

/// The geometry of x with parameters of shape `param` along `axis`
/// (non-negative): a scalar or one element is per tensor, a vector of
/// x.dims[axis] elements per axis. nullopt when `param` fits neither.
inline std::optional<QuantGeometry> quantGeometry(const Dims &x, const Dims &param,
                                                  int64_t axis) {
  int64_t total = 1;
  for (int64_t d : x)
    total *= d;
  bool single = param.empty() || (param.size() == 1 && param[0] == 1);
  if (single)
    return QuantGeometry{1, 1, total};
  if (param.size() != 1 || axis < 0 || axis >= int64_t(x.size()) ||
      param[0] != x[size_t(axis)])
    return std::nullopt;
  QuantGeometry g;
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    if (i < axis)
      g.outer *= x[size_t(i)];
    else if (i > axis)
      g.inner *= x[size_t(i)];
  }
  g.channels = param[0];
  return g;
}

/// The integer range a quantized type saturates to: u8 [0, 255], i8
/// [-128, 127], i32 its own range.
inline void quantRange(DType t, int64_t &lo, int64_t &hi) {
  switch (t) {
  case DType::U8: lo = 0; hi = 255; return;
  case DType::I8: lo = -128; hi = 127; return;
  default: lo = INT32_MIN; hi = INT32_MAX; return;
  }
}

} // namespace kiln

#endif // KILN_IR_QUANTIZATION_H
