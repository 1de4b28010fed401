//===- HeaderWriter.h - The C header of a compiled model ---------*- C++ -*-===//

#ifndef KILN_CODEGEN_HEADERWRITER_H
#define KILN_CODEGEN_HEADERWRITER_H

#include "compiler/codegen/Lowering.h"

#include <string>

namespace kiln::codegen {

struct HeaderInfo {
  std::string name; ///< NAME, a C identifier
  std::vector<TensorInfo> inputs, outputs;
  int64_t workspaceBytes = 0;
  std::string target;      ///< shown in the comment
  std::string weightsFile; ///< set with --weights FILE
  /// The inputs whose symbolic dimensions the compile bound, one line each
  /// ("\"x\" f32[1,3,640,640] (height=640, width=640)"); escaped by the caller.
  std::vector<std::string> boundInputs;
};

/// The C99 header (usable from C++) declaring NAME_run & co.
std::string headerText(const HeaderInfo &h);

/// `s` as the body of a C string literal: printable ASCII stays, everything
/// else (and " \ * / ?) becomes an octal escape, so the result is also safe
/// inside a comment.
std::string cEscape(const std::string &s);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_HEADERWRITER_H
