//===- Tensors.h - ONNX TensorProto and type decoding ------------*- C++ -*-===//
//
// Turns ONNX tensors (initializers, Constant values) into kiln constants and
// ONNX type protos into TensorTypes, treating every byte as untrusted: sizes
// are checked against limits:: before anything is allocated, and external
// data is read only from regular files inside the model's folder.
//
// kiln constants are f32 or held widened in i64 (see ConstantData): floating
// tensors must be FLOAT; int8, uint8 and int32 tensors keep their element type
// (quantized models: weights, zero points, biases), every other integer and
// bool tensor becomes i64 (shape and index arithmetic).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TENSORS_H
#define KILN_FRONTEND_TENSORS_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <memory>
#include <string>

namespace kiln::frontend {

/// ONNX's name of a TensorProto::DataType ("FLOAT", "INT64", ...).
std::string onnxTypeName(int32_t onnxType);

/// The kiln element type of an ONNX data type; false when kiln has none.
bool dtypeFromOnnx(int32_t onnxType, DType &out);

/// The ONNX data type of a kiln element type (for Cast's `to`).
int32_t onnxTypeOf(DType t);

/// A decoded constant tensor.
struct ConstantTensor {
  TensorType type;
  std::shared_ptr<const ConstantData> data;
};

/// Where decoding may read external data from, and how many constant bytes
/// the model may still allocate (limits::MaxTotalBytes over all tensors).
struct TensorSource {
  std::string baseDir; // empty: external data is refused
  int64_t bytesLeft = limits::MaxTotalBytes;
};

/// Decodes `t`. `what` names the tensor in errors ("initializer 'conv1.w'").
llvm::Expected<ConstantTensor> decodeTensor(const onnx::TensorProto &t,
                                            const std::string &what,
                                            TensorSource &src);

/// The element type of a graph input, checked with its declared shape's
/// presence and rank; the dims are left empty: InputShapes.h binds them.
llvm::Expected<TensorType> graphInputType(const onnx::ValueInfoProto &vi);

} // namespace kiln::frontend

#endif // KILN_FRONTEND_TENSORS_H
