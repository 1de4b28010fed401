//===- Activation.h - The scalar math of every activation -------*- C++ -*-===//
//
// One definition of each activation of compiler/ir/Activations.def on one
// float, shared by the reference interpreter (host C++) and the generic
// kernels' epilogue (freestanding, compiled to bitcode). Freestanding itself:
// the caller passes exp (std::exp in the reference, the kernels' polynomial
// in generated code). The fast kernels' vector forms are in Vec.h
// (activate<L>), tested against this one.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_ACTIVATION_H
#define KILN_CODEGEN_KERNELS_ACTIVATION_H

#include "compiler/codegen/kernels/KernelABI.h"

/// act(v) for a KilnActivation code with parameters a and b; v unchanged for
/// KILN_ACT_NONE and unknown codes. After a layer's params are constant, the
/// switch folds away.
template <typename ExpFn>
static inline __attribute__((always_inline)) float
kiln_activate(int64_t act, float v, float a, float b, ExpFn exp) {
  switch (act) {
  case KILN_ACT_RELU: // NaN stays NaN
    return v < 0.0f ? 0.0f : v;
  case KILN_ACT_LEAKY_RELU: // alpha
    return v < 0.0f ? v * a : v;
  case KILN_ACT_CLIP: // min, max (infinite when absent)
    v = v < a ? a : v;
    return v > b ? b : v;
  case KILN_ACT_SIGMOID:
    return 1.0f / (1.0f + exp(-v));
  case KILN_ACT_HARD_SIGMOID: // alpha, beta: max(0, min(1, alpha * v + beta))
    v = a * v + b;
    v = v > 1.0f ? 1.0f : v;
    return v < 0.0f ? 0.0f : v;
  default:
    return v;
  }
}

#endif // KILN_CODEGEN_KERNELS_ACTIVATION_H
