//===- Binary.h - Scalar math of the elementwise binary family ---*- C++ -*-===//
//
// One definition of what each op of the ElementwiseBinary family computes on
// one pair of elements, for every element type: the generic n-ary kernel
// runs it in compiled code and the reference interpreter runs it too
// (compiler/reference/Elementwise.cpp), as Activation.h does for
// activations. Freestanding (KernelABI.h's rules).
//
// Integer arithmetic wraps (two's complement, through uint64_t: no signed
// overflow); integer Div and Mod by zero give 0 and INT_MIN / -1 wraps, so
// compiled code never traps on its data.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_BINARY_H
#define KILN_CODEGEN_KERNELS_BINARY_H

#include "compiler/codegen/kernels/generic/Common.h"

namespace kiln_bin {

template <typename T> constexpr bool IsFloat = T(0.5) != T(0);

/// Integer a ** b: repeated squaring, wrapping; a negative exponent gives
/// 1 / a^|b| truncated (0 unless a is 1 or -1), as ONNX Runtime's
/// std::pow-then-cast does.
template <typename T> KILN_INLINE T ipow(T a, T b) {
  if (b < T(0))
    return a == T(1) ? T(1) : a == T(-1) ? ((b & T(1)) ? T(-1) : T(1)) : T(0);
  uint64_t r = 1, x = uint64_t(a);
  for (uint64_t e = uint64_t(b); e; e >>= 1) {
    if (e & 1u)
      r *= x;
    x *= x;
  }
  return T(r);
}

/// float x ** y for every sign of x: |x|^y by exp/log, the sign of an odd
/// integer power of a negative base, NaN for a negative base and a
/// non-integer power; 0 ** y is 0, 1 or inf.
KILN_INLINE float fpow(float x, float y) {
  if (y == 0.0f)
    return 1.0f;
  if (x == 0.0f)
    return y > 0.0f ? 0.0f : __builtin_inff();
  float ax = x < 0.0f ? -x : x;
  float r = kiln_gen::expf(y * kiln_gen::logf(ax));
  if (x > 0.0f)
    return r;
  float t = __builtin_truncf(y);
  if (t != y)
    return __builtin_nanf("");
  // odd integer power: negative. |y| < 2^24 is exact in float's fraction.
  float h = t * 0.5f;
  return __builtin_truncf(h) != h ? -r : r;
}

/// a op b for the arithmetic ops (not comparisons, Where, Not).
template <typename T> KILN_INLINE T arith(int64_t op, T a, T b) {
  if constexpr (IsFloat<T>) {
    switch (op) {
    case KILN_BIN_ADD: case KILN_BIN_MEAN: return a + b;
    case KILN_BIN_SUB: return a - b;
    case KILN_BIN_MUL: return a * b;
    case KILN_BIN_DIV: return a / b;
    case KILN_BIN_POW: return fpow(a, b);
    case KILN_BIN_MAX: return a != a ? a : b != b ? b : a > b ? a : b;
    case KILN_BIN_MIN: return a != a ? a : b != b ? b : a < b ? a : b;
    case KILN_BIN_FMOD: case KILN_BIN_MOD: return __builtin_fmodf(a, b);
    case KILN_BIN_PRELU: return a < T(0) ? a * b : a;
    default: return a;
    }
  } else {
    // Wrapping arithmetic through uint64_t (no signed overflow).
    switch (op) {
    case KILN_BIN_ADD: case KILN_BIN_MEAN: return T(uint64_t(a) + uint64_t(b));
    case KILN_BIN_SUB: return T(uint64_t(a) - uint64_t(b));
    case KILN_BIN_MUL: return T(uint64_t(a) * uint64_t(b));
    case KILN_BIN_DIV:
      if (b == T(0))
        return T(0);
      if (T(-1) < T(0) && b == T(-1)) // INT_MIN / -1 wraps, never traps
        return T(uint64_t(0) - uint64_t(a));
      return T(a / b);
    case KILN_BIN_MOD: case KILN_BIN_FMOD: {
      if (b == T(0) || (T(-1) < T(0) && b == T(-1)))
        return T(0);
      T r = T(a % b);
      if (op == KILN_BIN_MOD && r != T(0) && ((r < T(0)) != (b < T(0))))
        r = T(r + b);
      return r;
    }
    case KILN_BIN_POW: return ipow(a, b);
    case KILN_BIN_MAX: return a > b ? a : b;
    case KILN_BIN_MIN: return a < b ? a : b;
    case KILN_BIN_AND: return T(a && b);
    case KILN_BIN_OR: return T(a || b);
    case KILN_BIN_XOR: return T((a != T(0)) != (b != T(0)));
    case KILN_BIN_SHIFT_LEFT:
      return uint64_t(b) >= sizeof(T) * 8 ? T(0) : T(uint64_t(a) << uint64_t(b));
    case KILN_BIN_SHIFT_RIGHT:
      return uint64_t(b) >= sizeof(T) * 8 ? T(0) : T(uint64_t(a) >> uint64_t(b));
    case KILN_BIN_PRELU: return a < T(0) ? T(uint64_t(a) * uint64_t(b)) : a;
    default: return a;
    }
  }
}

template <typename T> KILN_INLINE bool compare(int64_t op, T a, T b) {
  switch (op) {
  case KILN_BIN_EQUAL: return a == b;
  case KILN_BIN_LESS: return a < b;
  case KILN_BIN_GREATER: return a > b;
  case KILN_BIN_LESS_EQUAL: return a <= b;
  default: return a >= b;
  }
}

} // namespace kiln_bin

#endif // KILN_CODEGEN_KERNELS_BINARY_H
