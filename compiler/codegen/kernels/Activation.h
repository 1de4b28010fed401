//===- Activation.h - The scalar math of every activation -------*- C++ -*-===//
//
// One definition of each activation of compiler/ir/Activations.def on one
// float, shared by the reference interpreter (host C++) and the generic
// kernels' epilogue (freestanding, compiled to bitcode). Freestanding itself:
// the transcendental functions come from a policy M, StdMath (libm, in the
// reference) or KernelMath below (Math.h's polynomials, in generated code).
// The fast kernels' vector forms are in Vec.h (activate<L>), tested against
// this one.
//
// Semantics follow the ONNX operator specs: NaN in gives NaN out (except
// where the spec's formula selects a constant, e.g. Relu through a
// comparison), Round ties to even, Sign(0) = 0, Softplus never overflows
// before its result does.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_ACTIVATION_H
#define KILN_CODEGEN_KERNELS_ACTIVATION_H

#include "compiler/codegen/kernels/KernelABI.h"
#include "compiler/codegen/kernels/Math.h"

/// The math policy of generated code: Math.h on one float.
struct KernelMath {
#define KILN_MATH_FN(fn)                                                       \
  static float fn(float x) { return kiln::math::fn<float>(x); }
  KILN_MATH_FN(exp)
  KILN_MATH_FN(log)
  KILN_MATH_FN(log1p)
  KILN_MATH_FN(sqrt)
  KILN_MATH_FN(tanh)
  KILN_MATH_FN(erf)
  KILN_MATH_FN(floor)
  KILN_MATH_FN(ceil)
  KILN_MATH_FN(roundeven)
  KILN_MATH_FN(atan)
  KILN_MATH_FN(asin)
  KILN_MATH_FN(acos)
  KILN_MATH_FN(sinh)
  KILN_MATH_FN(cosh)
  KILN_MATH_FN(asinh)
  KILN_MATH_FN(acosh)
  KILN_MATH_FN(atanh)
#undef KILN_MATH_FN
  static float sin(float x) { return kiln::math::sincos<float>(x).sin; }
  static float cos(float x) { return kiln::math::sincos<float>(x).cos; }
  static float tan(float x) {
    kiln::math::SinCos<float> sc = kiln::math::sincos<float>(x);
    return sc.sin / sc.cos;
  }
};

/// act(v) for a KilnActivation code with parameters a and b; v unchanged for
/// KILN_ACT_NONE and unknown codes. After a layer's params are constant, the
/// switch folds away.
template <typename M>
static inline __attribute__((always_inline)) float
kiln_activate(int64_t act, float v, float a, float b) {
  switch (act) {
  case KILN_ACT_RELU: // NaN stays NaN
    return v < 0.0f ? 0.0f : v;
  case KILN_ACT_LEAKY_RELU: // alpha
    return v < 0.0f ? v * a : v;
  case KILN_ACT_CLIP: // min, max (infinite when absent)
    v = v < a ? a : v;
    return v > b ? b : v;
  case KILN_ACT_SIGMOID:
    return 1.0f / (1.0f + M::exp(-v));
  case KILN_ACT_HARD_SIGMOID: // alpha, beta: max(0, min(1, alpha * v + beta))
    v = a * v + b;
    v = v > 1.0f ? 1.0f : v;
    return v < 0.0f ? 0.0f : v;
  case KILN_ACT_HARD_SWISH: { // v * HardSigmoid(v) {alpha=1/6, beta=1/2}
    float h = v * (1.0f / 6.0f) + 0.5f;
    h = h > 1.0f ? 1.0f : h;
    h = h < 0.0f ? 0.0f : h;
    return v * h;
  }
  case KILN_ACT_ABS:
    return __builtin_fabsf(v);
  case KILN_ACT_NEG:
    return -v;
  case KILN_ACT_EXP:
    return M::exp(v);
  case KILN_ACT_LOG:
    return M::log(v);
  case KILN_ACT_SQRT:
    return M::sqrt(v);
  case KILN_ACT_RECIPROCAL:
    return 1.0f / v;
  case KILN_ACT_ERF:
    return M::erf(v);
  case KILN_ACT_TANH:
    return M::tanh(v);
  case KILN_ACT_SOFTPLUS: // log(1 + e^v) = max(v, 0) + log1p(e^-|v|)
    return (v > 0.0f ? v : 0.0f) + M::log1p(M::exp(-__builtin_fabsf(v)));
  case KILN_ACT_SOFTSIGN:
    return v / (1.0f + __builtin_fabsf(v));
  case KILN_ACT_ELU: // alpha
    return v < 0.0f ? a * (M::exp(v) - 1.0f) : v;
  case KILN_ACT_SELU: // alpha, gamma
    return v <= 0.0f ? b * (a * M::exp(v) - a) : b * v;
  case KILN_ACT_CELU: { // alpha: max(0, v) + min(0, alpha (e^(v/alpha) - 1))
    float n = a * (M::exp(v / a) - 1.0f);
    return v != v ? v : (v > 0.0f ? v : 0.0f) + (n < 0.0f ? n : 0.0f);
  }
  case KILN_ACT_MISH: { // v tanh(softplus(v))
    float sp = (v > 0.0f ? v : 0.0f) + M::log1p(M::exp(-__builtin_fabsf(v)));
    return v * M::tanh(sp);
  }
  case KILN_ACT_GELU: // v/2 (1 + erf(v / sqrt 2))
    return 0.5f * v * (1.0f + M::erf(v * 0.70710678118654752f));
  case KILN_ACT_GELU_TANH: // v/2 (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3)))
    return 0.5f * v *
           (1.0f + M::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  case KILN_ACT_SILU: // v Sigmoid(v)
    return v / (1.0f + M::exp(-v));
  case KILN_ACT_THRESHOLDED_RELU: // alpha
    return v > a || v != v ? v : 0.0f;
  case KILN_ACT_FLOOR:
    return M::floor(v);
  case KILN_ACT_CEIL:
    return M::ceil(v);
  case KILN_ACT_ROUND: // half to even
    return M::roundeven(v);
  case KILN_ACT_SIGN: // 0 for +-0, NaN stays NaN
    return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v;
  case KILN_ACT_SIN:
    return M::sin(v);
  case KILN_ACT_COS:
    return M::cos(v);
  case KILN_ACT_TAN:
    return M::tan(v);
  case KILN_ACT_ASIN:
    return M::asin(v);
  case KILN_ACT_ACOS:
    return M::acos(v);
  case KILN_ACT_ATAN:
    return M::atan(v);
  case KILN_ACT_SINH:
    return M::sinh(v);
  case KILN_ACT_COSH:
    return M::cosh(v);
  case KILN_ACT_ASINH:
    return M::asinh(v);
  case KILN_ACT_ACOSH:
    return M::acosh(v);
  case KILN_ACT_ATANH:
    return M::atanh(v);
  case KILN_ACT_SHRINK: // bias, lambd
    return v < -b ? v + a : v > b ? v - a : v != v ? v : 0.0f;
  default:
    return v;
  }
}

#endif // KILN_CODEGEN_KERNELS_ACTIVATION_H
