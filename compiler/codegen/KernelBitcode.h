//===- KernelBitcode.h - The kernels' embedded LLVM bitcode ------*- C++ -*-===//
//
// Generated at build time (cmake/EmbedBitcode.cmake): one blob per kernel
// source file and target architecture.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELBITCODE_H
#define KILN_CODEGEN_KERNELBITCODE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstddef>

namespace kiln::codegen {

struct KernelBlob {
  const char *arch;            ///< "x86_64", "aarch64"
  int lanes;                   ///< KILN_LANES it was built for; 0: any
  const char *source;          ///< path of the kernel source in the repo
  const unsigned char *data;   ///< bitcode
  size_t size;
};

/// Every embedded blob.
llvm::ArrayRef<KernelBlob> kernelBlobs();

} // namespace kiln::codegen

#endif // KILN_CODEGEN_KERNELBITCODE_H
