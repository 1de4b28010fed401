//===- StdMath.h - libm as kiln_activate's math policy ----------*- C++ -*-===//
//
// The reference interpreter evaluates activations with kiln_activate
// (codegen/kernels/Activation.h) on libm; tests that check the kernels'
// polynomials (codegen/kernels/Math.h) use the same policy.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_STDMATH_H
#define KILN_REFERENCE_STDMATH_H

#include <cmath>

namespace kiln::ref {

/// libm in float (ties-to-even rounding is the default mode).
struct StdMath {
  static float exp(float x) { return std::exp(x); }
  static float log(float x) { return std::log(x); }
  static float log1p(float x) { return std::log1p(x); }
  static float sqrt(float x) { return std::sqrt(x); }
  static float tanh(float x) { return std::tanh(x); }
  static float erf(float x) { return std::erf(x); }
  static float floor(float x) { return std::floor(x); }
  static float ceil(float x) { return std::ceil(x); }
  static float roundeven(float x) { return std::nearbyint(x); } // ties to even
  static float sin(float x) { return std::sin(x); }
  static float cos(float x) { return std::cos(x); }
  static float tan(float x) { return std::tan(x); }
  static float asin(float x) { return std::asin(x); }
  static float acos(float x) { return std::acos(x); }
  static float atan(float x) { return std::atan(x); }
  static float sinh(float x) { return std::sinh(x); }
  static float cosh(float x) { return std::cosh(x); }
  static float asinh(float x) { return std::asinh(x); }
  static float acosh(float x) { return std::acosh(x); }
  static float atanh(float x) { return std::atanh(x); }
};

} // namespace kiln::ref

#endif // KILN_REFERENCE_STDMATH_H
