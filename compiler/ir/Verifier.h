//===- Verifier.h - Structural and type checks of a graph --------*- C++ -*-===//
//
// The verifier checks what every stage may rely on: nodes in topological
// order, each value produced once, operand counts from the op table, result
// types equal to what shape inference computes, fusions well-formed, and
// (after memory planning) arena ranges of simultaneously live values disjoint.
// Passes run it after every change in debug builds and tests.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_VERIFIER_H
#define KILN_IR_VERIFIER_H

#include "compiler/ir/IR.h"

#include "llvm/Support/Error.h"

namespace kiln {

llvm::Error verifyGraph(const Graph &g);

} // namespace kiln

#endif // KILN_IR_VERIFIER_H
