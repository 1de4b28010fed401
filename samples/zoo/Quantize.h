//===- Quantize.h - QDQ quantization of a zoo model --------------*- C++ -*-===//
//
// kiln-zoo --quantize: static quantization of a built model in the QDQ
// format ONNX Runtime's quantize_static writes (QuantFormat.QDQ, MinMax
// calibration, per_channel=True, activations QUInt8, weights QInt8):
//
//   - BatchNormalization folds into the Conv before it first (as ORT's
//     pre-processing does), so the quantized Conv computes the BN's output;
//   - every Conv/Gemm activation input and output T gets
//     T -> QuantizeLinear -> DequantizeLinear -> (every reader of T), uint8,
//     asymmetric, per tensor, from T's calibrated range widened to include 0:
//     scale = (max - min) / 255, zero_point = round(-min / scale);
//   - weights become int8 initializers, symmetric per output channel
//     (scale = max|w| / 127, zero point 0), read through DequantizeLinear
//     (axis 0);
//   - biases become int32 initializers with scale input_scale * weight_scale,
//     read through DequantizeLinear (axis 0).
//
// Ranges come from the calibration batch the builder ran through each layer
// (ModelBuilder::ranges); a tensor without one is left in float.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_QUANTIZE_H
#define KILN_SAMPLES_ZOO_QUANTIZE_H

#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <utility>

namespace kiln::zoo {

/// Rewrites `model` in place as described above; `activations` and
/// `weights` count the tensors quantized.
llvm::Error quantizeModel(onnx::ModelProto &model,
                          const std::map<std::string, std::pair<float, float>> &ranges,
                          int64_t &activations, int64_t &weights);

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_QUANTIZE_H
