//===- ObjectWriter.h - Object, assembly and IR files ------------*- C++ -*-===//

#ifndef KILN_CODEGEN_OBJECTWRITER_H
#define KILN_CODEGEN_OBJECTWRITER_H

#include "compiler/codegen/Lowering.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln::codegen {

enum class EmitKind { Object, Assembly, LLVM };

/// Writes `m` to `path` (streamed: a 500 MB weight module is never held
/// twice in memory). The module must already be optimized.
llvm::Error writeModule(llvm::Module &m, llvm::TargetMachine &tm,
                        const std::string &path, EmitKind kind);

/// Writes the weights' bytes over their placeholders (WeightStorage::
/// Placeholders) in the object file at `path`: symbols[i] names weights[i].
/// Each weight is released once written.
llvm::Error patchWeights(const std::string &path,
                         const std::vector<std::string> &symbols,
                         std::vector<Weight> &weights);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_OBJECTWRITER_H
