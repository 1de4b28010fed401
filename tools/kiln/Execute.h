//===- Execute.h - How the CLI runs a model ---------------------*- C++ -*-===//
//
// The one place where `kiln run` and `kiln conformance` turn an imported
// graph plus input tensors into output tensors. Two engines:
//
//   Reference  the reference interpreter (compiler/reference/) on the graph
//              exactly as imported: the oracle.
//   Compiled   the optimization pipeline, then the generated code through
//              the ORC JIT (compiler/codegen/Jit.h): the same code
//              `kiln compile` writes to an object file.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_EXECUTE_H
#define KILN_TOOLS_EXECUTE_H

#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace kiln::cli {

enum class Engine { Reference, Compiled };

struct ExecOptions {
  Engine engine = Engine::Compiled;
  /// Threads the engine may use.
  unsigned threads = 1;
};

/// Runs `g` (freshly imported; the Compiled engine may optimize it in place)
/// on `inputs`, one per graph input in order. Returns one tensor per graph
/// output, in order.
llvm::Expected<std::vector<Tensor>> executeGraph(Graph &g, const std::vector<Tensor> &inputs,
                                                 const ExecOptions &opts);

/// Threads to use by default: the machine's cores, at most 8.
unsigned defaultThreads();

} // namespace kiln::cli

#endif // KILN_TOOLS_EXECUTE_H
