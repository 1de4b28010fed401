//===- Npy.h - NumPy .npy files of float32 ----------------------*- C++ -*-===//
//
// The zoo's tools exchange tensors as .npy (version 1.0 written; 1.0-3.0
// read), little-endian float32, C order: the format ONNX Runtime's oracle
// (tools/ort/run.js) and `kiln run` read and write. Independent of kiln's own
// tensor IO on purpose, so the two check each other.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SAMPLES_ZOO_NPY_H
#define KILN_SAMPLES_ZOO_NPY_H

#include <llvm/Support/Error.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::zoo {

/// A float32 array read from a .npy file.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Reads a '<f4' C-order .npy file; other element types are an error.
llvm::Expected<NpyArray> readNpy(const std::string &path);

/// Writes `data` (product(shape) floats) as a '<f4' C-order .npy file.
llvm::Error writeNpy(const std::string &path, const std::vector<int64_t> &shape, const float *data);

} // namespace kiln::zoo

#endif // KILN_SAMPLES_ZOO_NPY_H
