//===- Reduction.h - The scalar math of every reduction ---------*- C++ -*-===//
//
// One definition of each reduction of compiler/ir/Reductions.def over n
// floats, shared by the reference interpreter (host C++) and the generic
// reduction kernel (freestanding, compiled to bitcode). Freestanding itself:
// the caller passes exp and log (std:: in the reference, the kernels'
// polynomials in generated code) and how to read the i-th value.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_REDUCTION_H
#define KILN_CODEGEN_KERNELS_REDUCTION_H

#include "compiler/codegen/kernels/KernelABI.h"

/// The reduction `op` (KilnReduction) of get(0) .. get(n-1). An empty set
/// gives the identity of the reduction: 0 for the sums (-inf after the
/// log of LogSum and LogSumExp, NaN for Mean), 1 for Prod, -inf for Max and
/// +inf for Min. After a layer's params are constant, the switch folds away.
template <typename GetFn, typename ExpFn, typename LogFn>
static inline __attribute__((always_inline)) float
kiln_reduce(int64_t op, int64_t n, GetFn get, ExpFn exp, LogFn log) {
  float acc = 0.0f;
  switch (op) {
  case KILN_RED_SUM:
  case KILN_RED_MEAN:
  case KILN_RED_LOG_SUM:
    for (int64_t i = 0; i < n; ++i)
      acc += get(i);
    if (op == KILN_RED_MEAN)
      return acc / float(n);
    return op == KILN_RED_LOG_SUM ? log(acc) : acc;
  case KILN_RED_MAX:
    acc = -__builtin_inff();
    for (int64_t i = 0; i < n; ++i) {
      float v = get(i);
      acc = v > acc || v != v ? v : acc; // NaN propagates
    }
    return acc;
  case KILN_RED_MIN:
    acc = __builtin_inff();
    for (int64_t i = 0; i < n; ++i) {
      float v = get(i);
      acc = v < acc || v != v ? v : acc;
    }
    return acc;
  case KILN_RED_PROD:
    acc = 1.0f;
    for (int64_t i = 0; i < n; ++i)
      acc *= get(i);
    return acc;
  case KILN_RED_L1:
    for (int64_t i = 0; i < n; ++i)
      acc += __builtin_fabsf(get(i));
    return acc;
  case KILN_RED_L2:
  case KILN_RED_SUM_SQUARE:
    for (int64_t i = 0; i < n; ++i) {
      float v = get(i);
      acc += v * v;
    }
    return op == KILN_RED_L2 ? __builtin_sqrtf(acc) : acc;
  case KILN_RED_LOG_SUM_EXP: {
    // max + log(sum(exp(v - max))): no overflow for large v.
    float shift = -__builtin_inff();
    for (int64_t i = 0; i < n; ++i) {
      float v = get(i);
      shift = v > shift ? v : shift;
    }
    if (shift == -__builtin_inff() || shift == __builtin_inff())
      return n == 0 ? -__builtin_inff() : shift;
    for (int64_t i = 0; i < n; ++i)
      acc += exp(get(i) - shift);
    return shift + log(acc);
  }
  default:
    return 0.0f;
  }
}

#endif // KILN_CODEGEN_KERNELS_REDUCTION_H
