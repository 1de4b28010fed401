//===- KernelABI.h - Contract between generated code and kernels -*- C++ -*-===//
//
// kiln's compute kernels are C++ (compiler/codegen/kernels/*.cpp) written so
// that everything they loop over comes from a parameter struct. They are built
// twice:
//   - to LLVM bitcode, once per target architecture, and embedded in kiln. The
//     code generator links that bitcode into each model's module, emits every
//     layer's parameter struct as an internal constant global and calls the
//     kernel with a pointer to it; after always-inline and constant
//     propagation, each layer's loops and micro-kernel choice are specialized
//     to that layer's shapes.
//   - natively, so that kiln can query kernels at compile time (work-item
//     counts, weight packing) and tests can compare them with the reference.
//
// Rules for parameter structs: only int64_t and double fields (8 bytes each,
// no padding), so the code generator can emit them as [N x i64] constants.
// Kernels are freestanding: no libc, no allocation, no globals, no exceptions.
// Kernels receive a half-open range [begin, end) of work items so the runtime
// pool can split a layer across threads (kiln_parallel_for).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_KERNELABI_H
#define KILN_CODEGEN_KERNELS_KERNELABI_H

#include <stdint.h>

#ifdef __cplusplus
#define KILN_KERNEL extern "C" __attribute__((always_inline))
#else
#define KILN_KERNEL __attribute__((always_inline))
#endif

/// Epilogue applied to a kernel's result while it is in registers, in this
/// order: bias, residual add, activation, pooling. One code per row of
/// compiler/ir/Activations.def (KILN_ACT_RELU, KILN_ACT_LEAKY_RELU, ...); an
/// activation's parameters a and b are that table's attributes A and B.
enum KilnActivation : int64_t {
  KILN_ACT_NONE = 0,
#define ACTIVATION(Name, ABI, Code, A, DefaultA, B, DefaultB) KILN_ACT_##ABI = Code,
#include "compiler/ir/Activations.def"
};

/// The reduction of a Reduce* op: one code per row of
/// compiler/ir/Reductions.def (KILN_RED_SUM, KILN_RED_MEAN, ...).
enum KilnReduction : int64_t {
#define REDUCTION(Name, ABI, Code, AxesInput) KILN_RED_##ABI = Code,
#include "compiler/ir/Reductions.def"
};

enum KilnPoolKind : int64_t {
  KILN_POOL_NONE = 0,
  KILN_POOL_MAX = 1,
  KILN_POOL_AVG = 2, // count_include_pad in pool_count_pad
};

#endif // KILN_CODEGEN_KERNELS_KERNELABI_H
