//===- ShapeInference.h - Result types of every op ---------------*- C++ -*-===//
//
// Computes the result types of a node from its operand types and canonical
// attributes (see docs/IR.md for the canonical form of each op), checking
// everything that makes the node ill-formed: ranks, channel counts, kernel
// sizes, broadcast compatibility, empty outputs, overflowing products.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_SHAPEINFERENCE_H
#define KILN_IR_SHAPEINFERENCE_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

namespace kiln {

/// Whether `op` has a shape rule (tests check that every op of Ops.def has).
bool hasShapeRule(OpKind op);

/// Result types for `n`, one per output. Reads only operand types, operand
/// constants (Gather indices, ...) and attributes; does not modify `n`.
llvm::Expected<std::vector<TensorType>> inferResultTypes(const Node &n);

/// inferResultTypes, then stores the types into n's outputs.
llvm::Error inferShapes(Node &n);

/// numpy-style broadcast of two shapes; error text when incompatible.
llvm::Expected<Dims> broadcastShapes(const Dims &a, const Dims &b);

/// Spatial output size of a convolution or pooling window along one axis:
/// floor or ceil((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1,
/// with ceil mode never starting a window inside the end padding. Returns -1
/// when the window does not fit.
int64_t windowOutputSize(int64_t in, int64_t k, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

} // namespace kiln

#endif // KILN_IR_SHAPEINFERENCE_H
