//===- Dispatch.h - Reference kernels by op ----------------------*- C++ -*-===//
//
// How ref::evaluateOp finds an op's kernel. Each family file (ConvPool.cpp,
// Dense.cpp, Elementwise.cpp, DataMovement.cpp) ends with the table of the
// ops it evaluates; Interpreter.cpp merges the tables into one array indexed
// by OpKind. Adding an op adds one row to its family's table, next to its
// kernel, and nothing here.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_DISPATCH_H
#define KILN_REFERENCE_DISPATCH_H

#include "compiler/reference/Reference.h"

#include <span>

namespace kiln::ref {

/// The operands of one evaluation; operands past the op's own may be absent.
struct EvalArgs {
  OpKind op;
  const Attrs &attrs;
  const std::vector<const Tensor *> &in;
  const ReferenceOptions &opts;

  const Tensor &operand(size_t i) const { return *in[i]; }
  const Tensor *optional(size_t i) const { return i < in.size() ? in[i] : nullptr; }
};

using EvalFn = llvm::Expected<Tensor> (*)(const EvalArgs &);

struct OpEvaluator {
  OpKind op;
  EvalFn eval;
};

std::span<const OpEvaluator> convPoolEvaluators();
std::span<const OpEvaluator> denseEvaluators();
std::span<const OpEvaluator> elementwiseEvaluators();
std::span<const OpEvaluator> dataMovementEvaluators();
std::span<const OpEvaluator> reductionEvaluators();
std::span<const OpEvaluator> movementEvaluators(); // Movement.cpp
std::span<const OpEvaluator> quantizeEvaluators();

/// The kernel of `op`, or null when the reference cannot evaluate it.
EvalFn evaluatorFor(OpKind op);

} // namespace kiln::ref

#endif // KILN_REFERENCE_DISPATCH_H
