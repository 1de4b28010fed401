//===- OnnxImporter.h - ONNX model file to kiln IR ---------------*- C++ -*-===//
//
// Reads an ONNX ModelProto as untrusted input and builds a verified kiln
// Graph in canonical form (docs/IR.md) with every shape inferred. Graph
// inputs' symbolic dimensions are bound first (ImportOptions; the rules are
// in InputShapes.h), so every shape is static and shape arithmetic (Shape,
// Gather, Unsqueeze, Concat feeding Reshape) folds to constants during import.
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
#include <optional>
#include <string>
#include <vector>

namespace kiln {

struct ImportOptions {
  /// Value of a symbolic or unknown (-1, 0) leading dimension of graph
  /// inputs (`--batch`); unset: 1, reported as BoundDim::Source::Default.
  std::optional<int64_t> batch;
  /// Whole shapes of graph inputs by name (`--input-shape NAME=DIMS`); the
  /// key "" names the model's only input. A shape must agree with the
  /// declared one in rank and in every fixed dimension; it may hold a 0 only
  /// where the model declares one (kiln conformance: a declared [0,3,4] is an
  /// empty tensor rather than a batch dimension). Its values also bind the
  /// same symbols in other inputs, unless `dims` does.
  std::map<std::string, Dims> inputShapes;
  /// Values of symbolic dimensions by name, wherever they appear
  /// (`--dim SYMBOL=VALUE`).
  std::map<std::string, int64_t> dims;
};

/// A graph input's declared dimension that was not a number (a symbol, or
/// unknown: no value, -1, a leading 0), and what it was bound to.
struct BoundDim {
  /// Who bound it: ImportOptions::batch left unset (the value 1), batch,
  /// dims, inputShapes.
  enum class Source : uint8_t { Default, Batch, Dim, InputShape };
  int axis = 0;
  std::string symbol; ///< the dim_param; empty for an unknown dimension
  int64_t value = 0;
  Source source = Source::Default;
};

/// How one graph input's shape was bound, in graph input order.
struct InputBinding {
  std::string input;
  TensorType type;            ///< the bound type
  std::vector<BoundDim> dims; ///< the dimensions that were not numbers
};

/// Imports the model at `path`. External data files are read only from
/// inside the model's folder.
/// `bindings`, when not null, receives how each graph input was bound.
llvm::Expected<std::unique_ptr<Graph>> importOnnxFile(const std::string &path,
                                                      const ImportOptions &opts = {},
                                                      std::vector<InputBinding> *bindings =
                                                          nullptr);

/// Imports a serialized ModelProto held in memory; external data, if any, is
/// resolved against `baseDir` (empty: external data is refused).
llvm::Expected<std::unique_ptr<Graph>> importOnnxBytes(const void *data, size_t size,
                                                       const std::string &baseDir,
                                                       const ImportOptions &opts = {},
                                                       std::vector<InputBinding> *bindings =
                                                           nullptr);

} // namespace kiln

#endif // KILN_FRONTEND_ONNXIMPORTER_H
