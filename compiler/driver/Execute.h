//===- Execute.h - Run a model: reference or compiled -----------*- C++ -*-===//
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

#ifndef KILN_DRIVER_EXECUTE_H
#define KILN_DRIVER_EXECUTE_H

#include "compiler/driver/Options.h"
#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace kiln::driver {

enum class Engine { Reference, Compiled };

struct ExecOptions {
  Engine engine = Engine::Compiled;
  /// Threads the engine may use.
  unsigned threads = 1;
  /// How the Compiled engine compiles (target: this host).
  CompileOptions compile;
};

/// Runs `g` (freshly imported; the Compiled engine may optimize it in place)
/// on `inputs`, one per graph input in order. Returns one tensor per graph
/// output, in order.
llvm::Expected<std::vector<Tensor>> executeGraph(Graph &g, const std::vector<Tensor> &inputs,
                                                 const ExecOptions &opts);

/// The reference interpreter on `g` as it is.
llvm::Expected<std::vector<Tensor>> runReference(const Graph &g,
                                                 const std::vector<Tensor> &inputs,
                                                 unsigned threads = 1);

/// Optimizes `g` in place, compiles it with the JIT and runs it once.
llvm::Expected<std::vector<Tensor>> runCompiled(Graph &g, const std::vector<Tensor> &inputs,
                                                const CompileOptions &opts = {},
                                                unsigned threads = 1);

/// Threads to use by default: the machine's cores, at most 8.
unsigned defaultThreads();

} // namespace kiln::driver

#endif // KILN_DRIVER_EXECUTE_H
