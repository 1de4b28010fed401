//===- TensorIO.h - Tensors from and to files, and random inputs -*- C++ -*-===//
//
// Two file formats, chosen by extension:
//   .npy  numpy arrays, format version 1 or 2 (3 is read too), dtype '<f4',
//         '<f2', '<i8', '<i4', '|i1', '|u1' or '|b1', C order. Written as
//         version 1 with the header padded to 64 bytes, as numpy does.
//   .pb   a serialized onnx.TensorProto (what ONNX's backend test folders
//         hold): FLOAT, FLOAT16, INT64, INT32, INT8, UINT8 or BOOL, data in
//         raw_data or float_data/int64_data/int32_data.
//
// Random inputs are reproducible from a seed on every platform: a SplitMix64
// stream per input (seed, input index), turned into floats uniform in
// [-1, 1) with 24 random bits each (f16: rounded to f16); integer inputs get
// integers uniform in [0, 16), bool inputs 0 or 1.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_TENSORIO_H
#define KILN_DRIVER_TENSORIO_H

#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace kiln::driver {

/// Reads a .npy file.
llvm::Expected<Tensor> readNpy(const std::string &path);
/// Writes a .npy file (version 1, the tensor's dtype, C order).
llvm::Error writeNpy(const std::string &path, const Tensor &t);

/// Reads a serialized onnx.TensorProto. `name`, when given, receives the
/// tensor's name (may be empty).
llvm::Expected<Tensor> readTensorProto(const std::string &path, std::string *name = nullptr);
/// Writes a serialized onnx.TensorProto with raw_data.
llvm::Error writeTensorProto(const std::string &path, const Tensor &t,
                             const std::string &name = "");

/// readNpy for ".npy", readTensorProto for ".pb"; other extensions are an error.
llvm::Expected<Tensor> readTensorFile(const std::string &path);

/// A tensor of type `t` filled from (seed, stream) as described above.
Tensor randomTensor(const TensorType &t, uint64_t seed, uint64_t stream);

} // namespace kiln::driver

#endif // KILN_DRIVER_TENSORIO_H
