//===- Target.h - The machine generated code runs on -------------*- C++ -*-===//
//
// Resolves --target/--cpu/--features into an LLVM target description. The
// default is this host. LLVM 16 does not know every current CPU (Zen 5
// reads as "generic"), so for the host the feature string comes from the
// CPU's own feature bits (sys::getHostCPUFeatures), not from the CPU name.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TARGET_H
#define KILN_CODEGEN_TARGET_H

#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
class Function;
} // namespace llvm

namespace kiln::codegen {

/// What the user asked for; empty fields mean "the host's".
struct TargetOptions {
  std::string triple;   ///< "aarch64-linux-gnu"
  std::string cpu;      ///< "haswell"
  std::string features; ///< "+avx2,-avx512f"
};

/// Per-core data cache sizes the kernels plan their tiles and work items
/// for (bytes): passed to them in their params (LoweringOptions::caches).
struct CacheSizes {
  int64_t l1d = 32 * 1024;
  int64_t l2 = 1024 * 1024;
};

struct Target {
  std::string triple;     ///< normalized
  std::string arch;       ///< kernel bitcode architecture: "x86_64", "aarch64"
  std::string cpu;        ///< never empty ("generic" at worst)
  std::string features;   ///< comma-separated, +f/-f
  bool isHost = false;
  /// fp32 lanes of the widest vector the kernels should use: 16 (AVX-512),
  /// 8 (AVX2), 4 (SSE, NEON).
  int vectorLanes = 4;
  /// Vector width in bits for "prefer-vector-width" / "min-legal-vector-width".
  int vectorBits = 128;
  /// Not measured: every target gets the defaults (32 KB L1D and 1 MB L2,
  /// what the kernels were tuned on).
  CacheSizes caches;

  /// A TargetMachine for this target (PIC, default code model).
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
  createTargetMachine(llvm::CodeGenOpt::Level opt) const;
  /// Sets target-cpu, target-features and the vector width preferences.
  void applyTo(llvm::Function &f) const;
  /// One line for -v: "x86_64-pc-linux-gnu cpu=x86-64-v4 lanes=16".
  std::string describe() const;
};

/// kiln's -O0..-O3 as LLVM's code generation level (the one mapping; levels
/// above 3 are 3, below 0 are 0).
llvm::CodeGenOpt::Level codeGenOptLevel(int optLevel);

/// Initializes the X86 and AArch64 backends (idempotent).
void initializeLLVMTargets();

/// Resolves `opts` against the host. Errors name the bad triple/CPU.
llvm::Expected<Target> resolveTarget(const TargetOptions &opts);

} // namespace kiln::codegen

#endif // KILN_CODEGEN_TARGET_H
