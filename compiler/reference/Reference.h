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

#include <memory>
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

//===--- One op at a time: what constant folding runs ---------------------===//

namespace ref {

/// Runs one op on its operands with the reference kernels: the single
/// dispatch over OpKind that runReference, import-time folding
/// (frontend/ConstantFolding.cpp) and fold-constants all use, so a folded
/// constant is exactly what the interpreter would compute at run time.
/// `inputs` are the op's own operands in order (an omitted optional operand
/// at the end left out, no fused epilogue's operand); `attrs` are canonical
/// (docs/IR.md). Errors: too few operands, an operand of a dtype the op does
/// not compute in, and data-dependent failures (a Gather index out of range,
/// integer division by zero).
llvm::Expected<Tensor> evaluateOp(OpKind op, const Attrs &attrs,
                                  const std::vector<const Tensor *> &inputs,
                                  const ReferenceOptions &opts = {});

/// Multiply-adds (or, for ops without any, element operations) that
/// evaluateOp spends on operands and a result of these types: what a
/// folder weighs against limits::MaxFoldMacs before it runs the op.
int64_t evaluationMacs(OpKind op, const Attrs &attrs,
                       const std::vector<const TensorType *> &inputs,
                       const TensorType &result);

/// Ops whose result is their first operand's elements in the same order,
/// under the result's dims (the SameBytes ops of Ops.def): a folder may share the operand's payload instead of copying it
/// through evaluateOp.
bool keepsElements(OpKind op);

/// The Tensor of constant `v` (a copy of its payload).
Tensor constantTensor(const Value &v);
/// The payload of a constant holding `t` (moved): f32 data for F32, i64 data
/// for every integer type and bool.
std::shared_ptr<ConstantData> constantData(Tensor &&t);

} // namespace ref

} // namespace kiln

#endif // KILN_REFERENCE_REFERENCE_H
