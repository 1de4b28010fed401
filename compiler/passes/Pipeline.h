//===- Pipeline.h - The optimization pipeline --------------------*- C++ -*-===//
//
// An ordered list of passes, each a function `bool pass(Graph &, const
// PassOptions &)` in its own file that returns true when it changed the
// graph. `kiln passes` lists them; `kiln dump --after NAME` shows the graph
// after any of them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PIPELINE_H
#define KILN_PASSES_PIPELINE_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln {

/// Derived from the driver's CompileOptions (compiler/driver/Options.h,
/// passOptions()); tests set it directly.
struct PassOptions {
  /// fp32 lanes of the target's vectors: 16 (AVX-512), 8 (AVX2), 4 (NEON).
  /// Sets the channel block of the blocked layout.
  int vectorLanes = 16;
  /// Run the verifier after every pass (tests and debug builds do).
  bool verifyEach = false;
  /// select-conv-algorithm may choose Winograd F(4x4,3x3) for large 3x3
  /// stride-1 convolutions (the code generator follows it). That kernel has
  /// no pooling epilogue, so fuse-pool leaves their pools separate.
  bool winograd = true;
  /// plan-memory gives every value its own arena range, none reused, so
  /// all of them can be read after a run (`kiln run --compare`).
  bool keepValues = false;
};

struct PassInfo {
  const char *name;        // "fold-batchnorm"
  const char *description; // one line, for `kiln passes`
  bool (*run)(Graph &, const PassOptions &);
};

/// The pipeline in order.
const std::vector<PassInfo> &passPipeline();

/// Runs the pipeline. Stops after the pass named `stopAfter` when it is not
/// empty (an unknown name is an error). `afterEach` is called after every pass.
llvm::Error runPipeline(Graph &g, const PassOptions &opts,
                        const std::string &stopAfter = "",
                        const std::function<void(const PassInfo &, const Graph &)>
                            &afterEach = nullptr);

} // namespace kiln

#endif // KILN_PASSES_PIPELINE_H
