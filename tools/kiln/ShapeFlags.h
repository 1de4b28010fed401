//===- ShapeFlags.h - --batch, --input-shape and --dim ----------*- C++ -*-===//
//
// The flags that bind a model's symbolic input dimensions, shared by
// compile, run, bench and dump:
//
//   --batch N                   the leading dimension
//   --input-shape NAME=D0xD1..  an input's whole shape (repeatable); a bare
//                               D0xD1.. names the model's only input
//   --dim SYMBOL=VALUE          a symbolic dimension wherever it appears
//                               (repeatable)
//
// They are parsed here into driver::CompileOptions; the importer checks them
// against the model (frontend/InputShapes.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_SHAPEFLAGS_H
#define KILN_TOOLS_SHAPEFLAGS_H

#include "tools/kiln/Args.h"

#include "compiler/driver/Options.h"

#include <limits>

namespace kiln::cli {

struct ShapeFlags {
  int64_t batch = std::numeric_limits<int64_t>::min(); ///< min: not given
  std::vector<std::string> inputShapes, dims;

  /// Declares the three flags on `args`.
  void declare(Args &args);
  /// Parses them into `opts` and points opts.note at stderr ("note: MODEL:
  /// ..."); returns 1 after printing a usage error, -1 to go on.
  int apply(const std::string &command, const std::string &model,
            driver::CompileOptions &opts) const;
};

} // namespace kiln::cli

#endif // KILN_TOOLS_SHAPEFLAGS_H
