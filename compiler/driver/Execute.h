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

#include <string>
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

/// The code generator refused the graph (an op, element type or layout that
/// compiled code does not handle): the model is valid, kiln cannot compile
/// it. runCompiled returns it for any failure before the code runs, so that
/// callers can tell "unsupported" from "computed something wrong".
class CompileRefusal : public llvm::ErrorInfo<CompileRefusal> {
public:
  static char ID;
  explicit CompileRefusal(std::string message) : message_(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override { os << message_; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string message_;
};

/// Optimizes `g` in place, compiles it with the JIT and runs it once. Inputs
/// and outputs cross in their own element types (tensorBytes).
llvm::Expected<std::vector<Tensor>> runCompiled(Graph &g, const std::vector<Tensor> &inputs,
                                                const CompileOptions &opts = {},
                                                unsigned threads = 1);

/// Threads to use by default: the machine's cores, at most 8.
unsigned defaultThreads();

} // namespace kiln::driver

#endif // KILN_DRIVER_EXECUTE_H
