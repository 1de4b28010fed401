//===- Kernels.h - Kernel entry points by name -------------------*- C++ -*-===//
//
// The kernels a Layer calls, as an enum expanded from kernels/Kernels.def.
// Lowering names kernels as Kernel::ConvDirect, never as strings: the table
// is checked against the kernel bitcode when kiln is built.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_H
#define KILN_CODEGEN_KERNELS_H

namespace kiln::codegen {

enum class Kernel {
#define KERNEL(Id, symbol, Family) Id,
#include "compiler/codegen/kernels/Kernels.def"
};

/// The entry point's symbol in the kernel bitcode.
constexpr const char *kernelName(Kernel k) {
  constexpr const char *names[] = {
#define KERNEL(Id, symbol, Family) #symbol,
#include "compiler/codegen/kernels/Kernels.def"
  };
  return names[static_cast<int>(k)];
}

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELS_H
