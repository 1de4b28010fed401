//===- OnnxImporter.h - ONNX model file to kiln IR ---------------*- C++ -*-===//
//
// Reads an ONNX ModelProto as untrusted input and builds a verified kiln
// Graph in canonical form (docs/IR.md) with every shape inferred. Shape
// arithmetic (Shape, Gather, Unsqueeze, Concat feeding Reshape) folds to
// constants during import.
//
// Errors are one line each, without the "error: <file>: " prefix, e.g.
//   node 'conv1' (Conv): weight has rank 3, expected 4
//   unsupported ops: node 'a' (Foo), node 'b' (Bar)
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_ONNXIMPORTER_H
#define KILN_FRONTEND_ONNXIMPORTER_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>

namespace kiln {

struct ImportOptions {
  /// Value for a symbolic or -1 leading (batch) dimension of graph inputs.
  int64_t batch = 1;
  /// Exact shapes of named graph inputs, for a caller that knows its data
  /// (kiln conformance): they replace the declared shape, which must agree
  /// in rank and in every static non-zero dimension. This is how an input
  /// declared [0,3,4] is really empty rather than a batch dimension.
  std::map<std::string, Dims> inputShapes;
};

/// Imports the model at `path`. External data files are read only from
/// inside the model's folder.
llvm::Expected<std::unique_ptr<Graph>> importOnnxFile(const std::string &path,
                                                      const ImportOptions &opts = {});

/// Imports a serialized ModelProto held in memory; external data, if any, is
/// resolved against `baseDir` (empty: external data is refused).
llvm::Expected<std::unique_ptr<Graph>> importOnnxBytes(const void *data, size_t size,
                                                       const std::string &baseDir,
                                                       const ImportOptions &opts = {});

} // namespace kiln

#endif // KILN_FRONTEND_ONNXIMPORTER_H
