//===- InputShapes.h - Binding graph inputs' symbolic dimensions -*- C++ -*-===//
//
// kiln compiles for static shapes. A graph input's declared dimension is a
// number, or a symbol ("batch", "p2o.DynamicDimension.1"), or unknown (no
// value, -1, a leading 0). The caller binds the others (ImportOptions):
//
//   --input-shape NAME=DIMS   the whole shape of one input
//   --dim SYMBOL=VALUE        a symbol, in every input that declares it
//   --batch N                 the leading dimension
//
// in that order of precedence; two of them giving one dimension different
// values is an error, and so is a dimension none of them binds, except the
// leading one, which takes 1 (reported: BoundDim::Source::Default). A value
// an --input-shape gives a symbol also binds that symbol in other inputs.
//
// Errors name the input and the flag, e.g.
//   graph input 'x' has 4 dimensions, --input-shape gives 3
//   graph input 'x': dimension 1 is 3 in the model, --input-shape gives 4
//   graph input 'x': dimension 2 is symbolic ('height'); bind it with
//     --dim height=N or --input-shape x=1x3xNxN
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_INPUTSHAPES_H
#define KILN_FRONTEND_INPUTSHAPES_H

#include "frontend/OnnxImporter.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>

namespace kiln::frontend {

class InputShapeBinder {
public:
  /// Checks the requests against graph `g` whose initializers are
  /// `initializers`: every inputShapes key names a graph input that is not an
  /// initializer (the key "" needs exactly one), every dims key a symbol
  /// such an input declares.
  static llvm::Expected<InputShapeBinder> create(const onnx::GraphProto &g,
                                                 const std::set<std::string> &initializers,
                                                 const ImportOptions &opts);

  /// The static type of graph input `vi`; `binding` receives what was bound.
  llvm::Expected<TensorType> bind(const onnx::ValueInfoProto &vi,
                                  InputBinding &binding) const;

private:
  explicit InputShapeBinder(const ImportOptions &opts) : opts_(&opts) {}

  const ImportOptions *opts_;
  std::map<std::string, Dims> shapes_;     ///< inputShapes, "" resolved
  std::map<std::string, int64_t> learned_; ///< symbols an --input-shape fixes
};

} // namespace kiln::frontend

#endif // KILN_FRONTEND_INPUTSHAPES_H
