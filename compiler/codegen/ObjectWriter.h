//===- ObjectWriter.h - Object, assembly and IR files ------------*- C++ -*-===//

#ifndef KILN_CODEGEN_OBJECTWRITER_H
#define KILN_CODEGEN_OBJECTWRITER_H

#include "llvm/Support/Error.h"

#include <string>

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

} // namespace kiln::codegen

#endif // KILN_CODEGEN_OBJECTWRITER_H
