//===- Reference.h - The reference interpreter ------------------*- C++ -*-===//
//
// Runs any kiln graph, imported or optimized, with plain loops: one obviously
// correct kernel per op (Kernels.h). It is the oracle that the passes and
// the code generator are tested against, so it reads only the canonical form
// of docs/IR.md and nothing the passes decide about memory: Value::layout,
// Value::offset and Value::viewOf are ignored, every tensor is logical NCHW.
// Fused epilogues (Node::fused) are applied in order after the node's op.
//
// Arithmetic is float32 with float32 accumulation, as ONNX Runtime's CPU
// kernels do, so differences against ORT stay within float32 rounding.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_REFERENCE_H
#define KILN_REFERENCE_REFERENCE_H

#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace kiln {

struct ReferenceOptions {
  /// Threads for the convolutions (split over output channels); 1 runs
  /// everything on the calling thread. Results do not depend on it.
  unsigned threads = 1;
};

/// Runs `g` on `inputs` (one per graph input, in order, each exactly of the
/// input's type) and returns the graph outputs in order. Errors: inputs that
/// do not match the graph, data-dependent failures (a Gather index out of
/// range), and graphs whose declared types disagree with what the kernels
/// compute (a shape inference bug).
llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs,
                                                 const ReferenceOptions &opts);
llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs);

} // namespace kiln

#endif // KILN_REFERENCE_REFERENCE_H
