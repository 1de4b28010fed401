//===- Math.h - Branch-free float math for the kernels ----------*- C++ -*-===//
//
// The transcendental functions generated code needs, written once for F =
// float (the generic kernels, which clang's loop vectorizer widens) and F =
// Vec<L> (the fast kernels' epilogues, in registers). Freestanding: no libm
// call can reach generated code. Every function is straight-line code:
// range reduction, a minimax polynomial or rational approximation, and
// selects for the special cases (NaN in -> NaN out, infinities, domain
// errors -> NaN), so the same text serves one lane or sixteen.
//
// Accuracy, measured against libm over the ranges the tests sweep
// (tests/kernels/MathTest.cpp): exp, log, log1p, sin, cos, atan, asin, acos,
// sinh, cosh, erf, tanh within 4 ulp or 2e-7 absolute; the rest are
// compositions of these. sin/cos reduce with a three-part pi/4 (Cody-Waite),
// exact for |x| < 8192 and degrading slowly beyond.
//
// Masks are integer lanes of all ones or zero (int32_t for a float), so one
// bitwise select works for both forms; conversions to int are only applied
// to values already made finite and in range (an out-of-range fptosi is
// poison in LLVM, and a bitwise select would not hide it).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_MATH_H
#define KILN_CODEGEN_KERNELS_MATH_H

#include <stdint.h>

#define KILN_MATH_INLINE static inline __attribute__((always_inline))

namespace kiln::math {

/// Integer lanes matching F: int32_t for float, the int32 vector for a float
/// vector (the type its comparisons return).
template <class F> struct IntOf { using type = decltype(F{} < F{}); };
template <> struct IntOf<float> { using type = int32_t; };
template <class F> using Int = typename IntOf<F>::type;

template <class F> KILN_MATH_INLINE Int<F> bits(F x) {
  return __builtin_bit_cast(Int<F>, x);
}
template <class F> KILN_MATH_INLINE F fromBits(Int<F> i) {
  return __builtin_bit_cast(F, i);
}
/// Truncation toward zero; x must be finite and within int32.
template <class F> KILN_MATH_INLINE Int<F> toInt(F x) {
  if constexpr (__is_same(F, float))
    return int32_t(x);
  else
    return __builtin_convertvector(x, Int<F>);
}
template <class F> KILN_MATH_INLINE F toFloat(Int<F> i) {
  if constexpr (__is_same(F, float))
    return float(i);
  else
    return __builtin_convertvector(i, F);
}
template <class F> KILN_MATH_INLINE F splat(float x) { return F{} + x; }

// Comparisons as masks (all ones where true; false for NaN operands except ne).
template <class F> KILN_MATH_INLINE Int<F> lt(F a, F b) {
  if constexpr (__is_same(F, float))
    return -int32_t(a < b);
  else
    return a < b;
}
template <class F> KILN_MATH_INLINE Int<F> gt(F a, F b) { return lt<F>(b, a); }
template <class F> KILN_MATH_INLINE Int<F> le(F a, F b) {
  if constexpr (__is_same(F, float))
    return -int32_t(a <= b);
  else
    return a <= b;
}
template <class F> KILN_MATH_INLINE Int<F> eq(F a, F b) {
  if constexpr (__is_same(F, float))
    return -int32_t(a == b);
  else
    return a == b;
}
template <class F> KILN_MATH_INLINE Int<F> isnan(F x) { return ~eq<F>(x, x); }

/// m ? a : b, lane by lane.
template <class F> KILN_MATH_INLINE F sel(Int<F> m, F a, F b) {
  return fromBits<F>((bits(a) & m) | (bits(b) & ~m));
}

template <class F> KILN_MATH_INLINE F fabs(F x) {
  return fromBits<F>(bits(x) & 0x7fffffff);
}
/// |mag| with the sign of sgn.
template <class F> KILN_MATH_INLINE F copysign(F mag, F sgn) {
  return fromBits<F>((bits(mag) & 0x7fffffff) | (bits(sgn) & int32_t(0x80000000)));
}
/// a < lo ? lo : a > hi ? hi : a; NaN stays NaN.
template <class F> KILN_MATH_INLINE F clamp(F a, float lo, float hi) {
  a = sel<F>(lt<F>(a, splat<F>(lo)), splat<F>(lo), a);
  return sel<F>(gt<F>(a, splat<F>(hi)), splat<F>(hi), a);
}

constexpr float Inf = __builtin_inff();
constexpr float NaN = __builtin_nanf("");
constexpr float TwoTo23 = 8388608.0f; // floats at least this large are integers

/// Largest integer <= x; NaN, infinities and integers unchanged.
template <class F> KILN_MATH_INLINE F floor(F x) {
  Int<F> small = lt<F>(fabs(x), splat<F>(TwoTo23));
  F xs = sel<F>(small, x, splat<F>(0.0f));
  F t = toFloat<F>(toInt(xs));
  t = t - sel<F>(gt<F>(t, xs), splat<F>(1.0f), splat<F>(0.0f));
  return sel<F>(small, copysign<F>(t, x), x); // floor(-0.5) = -1, floor(-0) = -0
}
template <class F> KILN_MATH_INLINE F ceil(F x) { return -floor<F>(-x); }
/// Nearest integer, ties to even (ONNX Round); the sign of zero kept.
template <class F> KILN_MATH_INLINE F roundeven(F x) {
  F a = fabs(x);
  // Adding 2^23 leaves no fraction bits: the FPU rounds, ties to even.
  F r = (a + TwoTo23) - TwoTo23;
  return sel<F>(lt<F>(a, splat<F>(TwoTo23)), copysign<F>(r, x), x);
}

/// Square root, correctly rounded (one instruction per vector; the lane loop
/// is what the SLP vectorizer turns into it, on any ISA).
template <class F> KILN_MATH_INLINE F sqrt(F x) {
  if constexpr (__is_same(F, float)) {
    return __builtin_sqrtf(x);
  } else {
    F r;
    for (int i = 0; i < int(sizeof(F) / sizeof(float)); ++i)
      r[i] = __builtin_sqrtf(x[i]);
    return r;
  }
}

/// 2^n for integer lanes n in [-126, 127].
template <class F> KILN_MATH_INLINE F pow2i(Int<F> n) {
  return fromBits<F>((n + 127) << 23);
}

/// e^x: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r
/// (Cephes' expf coefficients), 2^n applied in two halves so results down
/// to the subnormals and up to FLT_MAX are exact. Overflow -> inf.
template <class F> KILN_MATH_INLINE F exp(F x) {
  F xc = clamp<F>(x, -104.0f, 88.8f);
  xc = sel<F>(isnan<F>(x), splat<F>(0.0f), xc);
  F n = floor<F>(xc * 1.44269504088896341f + 0.5f);
  F r = xc - n * 0.693359375f;   // ln2 in two parts: the first exact in
  r = r - n * -2.12194440e-4f;   // float, so r is exact
  F p = splat<F>(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  F y = p * r * r + r + 1.0f;
  Int<F> ni = toInt<F>(n);
  Int<F> half = ni >> 1;
  y = y * pow2i<F>(half) * pow2i<F>(ni - half);
  y = sel<F>(gt<F>(x, splat<F>(88.72283935546875f)), splat<F>(Inf), y);
  y = sel<F>(lt<F>(x, splat<F>(-103.972077f)), splat<F>(0.0f), y);
  return sel<F>(isnan<F>(x), x, y);
}

/// Natural log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by Cephes'
/// logf polynomial in m - 1. log(0) = -inf, log(<0) = NaN, log(inf) = inf.
template <class F> KILN_MATH_INLINE F log(F x) {
  // Subnormals: scale into the normal range first.
  Int<F> sub = lt<F>(x, splat<F>(1.17549435e-38f));
  F xs = sel<F>(sub, x * 8388608.0f, x);
  Int<F> b = bits(xs);
  F e = toFloat<F>(((b >> 23) & 0xff) - 126);
  e = e - sel<F>(sub, splat<F>(23.0f), splat<F>(0.0f));
  F m = fromBits<F>((b & 0x007fffff) | 0x3f000000); // [0.5, 1)
  Int<F> lo = lt<F>(m, splat<F>(0.707106781186547524f));
  e = e - sel<F>(lo, splat<F>(1.0f), splat<F>(0.0f));
  m = sel<F>(lo, m + m, m) - 1.0f;
  F z = m * m;
  F y = splat<F>(7.0376836292e-2f);
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  F r = m + y + e * 0.693359375f;
  r = sel<F>(eq<F>(x, splat<F>(Inf)), x, r);
  r = sel<F>(eq<F>(x, splat<F>(0.0f)), splat<F>(-Inf), r);
  return sel<F>(lt<F>(x, splat<F>(0.0f)) | isnan<F>(x), splat<F>(NaN), r);
}

/// log(1 + u), accurate for small u: w = 1 + u rounds, and the rounding
/// error (w - 1) - u is corrected to first order.
template <class F> KILN_MATH_INLINE F log1p(F u) {
  F w = u + 1.0f;
  F lw = log<F>(w);
  F corrected = lw - ((w - 1.0f) - u) / w;
  Int<F> ok = gt<F>(w, splat<F>(0.0f)) & lt<F>(w, splat<F>(Inf));
  return sel<F>(ok & ~eq<F>(w, splat<F>(1.0f)), corrected,
                sel<F>(ok, u, lw)); // w == 1: log1p(u) = u
}

/// tanh: a rational minimax approximation of odd degree 13 / even degree 6
/// on [-7.9, 7.9] (beyond, tanh is +-1 in float), x itself for tiny |x|.
template <class F> KILN_MATH_INLINE F tanh(F x) {
  F c = clamp<F>(x, -7.90531110763549805f, 7.90531110763549805f);
  F x2 = c * c;
  F p = splat<F>(-2.76076847742355e-16f);
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * c;
  F q = splat<F>(1.19825839466702e-06f);
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return sel<F>(lt<F>(fabs(x), splat<F>(0.0004f)), x, p / q);
}

/// erf: a rational minimax approximation on [-4, 4] (erf is +-1 in float
/// beyond), odd degree 13 over even degree 8.
template <class F> KILN_MATH_INLINE F erf(F x) {
  F c = clamp<F>(x, -4.0f, 4.0f);
  F x2 = c * c;
  F p = splat<F>(-2.72614225801306e-10f);
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * c;
  F q = splat<F>(-1.45660718464996e-05f);
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return p / q;
}

/// sin and cos of x together: j = round(|x| / (pi/4)) to even, r = |x| - j
/// pi/4 in three parts (Cody-Waite), Cephes' sinf/cosf polynomials on r,
/// octant j picks which and the sign. Infinities and NaN give NaN.
template <class F> struct SinCos {
  F sin, cos;
};
template <class F> KILN_MATH_INLINE SinCos<F> sincos(F x) {
  F a = fabs(x);
  Int<F> finite = lt<F>(a, splat<F>(Inf));
  // Beyond 2^24 every float is a multiple of pi/4 to within the reduction's
  // precision anyway; clamp so the octant fits an int.
  a = sel<F>(finite, sel<F>(lt<F>(a, splat<F>(16777216.0f)), a, splat<F>(16777216.0f)),
             splat<F>(0.0f));
  Int<F> j = toInt<F>(a * 1.27323954473516f); // 4/pi
  j = (j + 1) & ~1;                             // even octant
  F y = toFloat<F>(j);
  F r = ((a - y * 0.78515625f) - y * 2.4187564849853515625e-4f) -
        y * 3.77489497744594108e-8f;
  F z = r * r;
  F s = splat<F>(-1.9515295891e-4f);
  s = s * z + 8.3321608736e-3f;
  s = s * z - 1.6666654611e-1f;
  s = s * z * r + r;
  F c = splat<F>(2.443315711809948e-5f);
  c = c * z - 1.388731625493765e-3f;
  c = c * z + 4.166664568298827e-2f;
  c = c * z * z - 0.5f * z + 1.0f;
  Int<F> swap = -((j >> 1) & 1); // octants 2, 6: sin and cos trade places
  F sv = sel<F>(swap, c, s);
  F cv = sel<F>(swap, s, c);
  // sin changes sign in octants 4..7 and with x; cos in octants 2..5.
  Int<F> sinNeg = ((j << 29) ^ bits(x)) & int32_t(0x80000000);
  Int<F> cosNeg = ((j + 2) << 29) & int32_t(0x80000000);
  sv = fromBits<F>(bits(sv) ^ sinNeg);
  cv = fromBits<F>(bits(cv) ^ cosNeg);
  Int<F> bad = ~finite | isnan<F>(x);
  return {sel<F>(bad, splat<F>(NaN), sv), sel<F>(bad, splat<F>(NaN), cv)};
}

/// atan: |x| reduced to [0, tan(pi/8)] with atan(x) = pi/2 + atan(-1/x) and
/// pi/4 + atan((x-1)/(x+1)), then Cephes' atanf polynomial.
template <class F> KILN_MATH_INLINE F atan(F x) {
  F a = fabs(x);
  Int<F> big = gt<F>(a, splat<F>(2.414213562373095f));
  Int<F> mid = gt<F>(a, splat<F>(0.4142135623730950f)) & ~big;
  F t = sel<F>(big, -1.0f / a, sel<F>(mid, (a - 1.0f) / (a + 1.0f), a));
  F base = sel<F>(big, splat<F>(1.5707963267948966f),
                  sel<F>(mid, splat<F>(0.7853981633974483f), splat<F>(0.0f)));
  F z = t * t;
  F p = splat<F>(8.05374449538e-2f);
  p = p * z - 1.38776856032e-1f;
  p = p * z + 1.99777106478e-1f;
  p = p * z - 3.33329491539e-1f;
  F y = base + (p * z * t + t);
  return copysign<F>(y, x); // atan(+-inf) = +-pi/2; NaN stays NaN
}

/// asin: Cephes' asinf, |x| > 1/2 through asin(x) = pi/2 - 2 asin(sqrt((1-x)/2)).
/// |x| > 1 gives NaN.
template <class F> KILN_MATH_INLINE F asin(F x) {
  F a = fabs(x);
  Int<F> hi = gt<F>(a, splat<F>(0.5f));
  F z = sel<F>(hi, 0.5f * (1.0f - a), a * a);
  F s = sel<F>(hi, sqrt<F>(z), a);
  F p = splat<F>(4.2163199048e-2f);
  p = p * z + 2.4181311049e-2f;
  p = p * z + 4.5470025998e-2f;
  p = p * z + 7.4953002686e-2f;
  p = p * z + 1.6666752422e-1f;
  F y = p * z * s + s;
  y = sel<F>(hi, 1.5707963267948966f - (y + y), y);
  y = copysign<F>(y, x);
  return sel<F>(gt<F>(a, splat<F>(1.0f)) | isnan<F>(x), splat<F>(NaN), y);
}

/// acos: Cephes' acosf: 2 asin(sqrt((1-x)/2)) for x > 1/2,
/// pi - 2 asin(sqrt((1+x)/2)) for x < -1/2, pi/2 - asin(x) between.
template <class F> KILN_MATH_INLINE F acos(F x) {
  Int<F> pos = gt<F>(x, splat<F>(0.5f)), neg = lt<F>(x, splat<F>(-0.5f));
  F h = sqrt<F>(0.5f * (1.0f - fabs(x)));
  F s = asin<F>(sel<F>(pos | neg, h, x));
  return sel<F>(pos, s + s,
                sel<F>(neg, 3.14159265358979f - (s + s), 1.5707963267948966f - s));
}

/// e^|x| / 2, finite up to |x| = 89.4 (sinh and cosh overflow there, not at
/// exp's 88.7).
template <class F> KILN_MATH_INLINE F halfExpAbs(F x) {
  return exp<F>(fabs(x) - 0.693147180559945f);
}

/// sinh: Cephes' sinhf polynomial for |x| <= 1 (no cancellation), else
/// (e^|x| - e^-|x|) / 2 with the sign of x.
template <class F> KILN_MATH_INLINE F sinh(F x) {
  F z = x * x;
  F p = splat<F>(2.03721912945e-4f);
  p = p * z + 8.33028376239e-3f;
  p = p * z + 1.66667160211e-1f;
  F small = p * z * x + x;
  F e = halfExpAbs<F>(x);
  F large = copysign<F>(e - 0.25f / e, x);
  return sel<F>(gt<F>(fabs(x), splat<F>(1.0f)), large, small);
}

/// cosh = (e^|x| + e^-|x|) / 2.
template <class F> KILN_MATH_INLINE F cosh(F x) {
  F e = halfExpAbs<F>(x);
  return e + 0.25f / e;
}

/// asinh = sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2))) (no cancellation
/// near 0), sign(x) (log|x| + ln2) once x^2 would overflow.
template <class F> KILN_MATH_INLINE F asinh(F x) {
  F a = fabs(x);
  F a2 = a * a;
  F y = log1p<F>(a + a2 / (1.0f + sqrt<F>(1.0f + a2)));
  y = sel<F>(gt<F>(a, splat<F>(1e18f)), log<F>(a) + 0.693147180559945f, y);
  return copysign<F>(y, x);
}

/// acosh = log(x + sqrt(x^2 - 1)) = log1p(t + sqrt(t (x + 1))), t = x - 1
/// (exact near 1); log x + ln2 for huge x; NaN below 1.
template <class F> KILN_MATH_INLINE F acosh(F x) {
  F t = x - 1.0f;
  F y = log1p<F>(t + sqrt<F>(t * (x + 1.0f)));
  y = sel<F>(gt<F>(x, splat<F>(1e18f)), log<F>(x) + 0.693147180559945f, y);
  return sel<F>(lt<F>(x, splat<F>(1.0f)) | isnan<F>(x), splat<F>(NaN), y);
}

/// atanh = log1p(2|x| / (1 - |x|)) / 2 with the sign of x: +-inf at +-1,
/// NaN beyond.
template <class F> KILN_MATH_INLINE F atanh(F x) {
  F a = fabs(x);
  F y = 0.5f * log1p<F>((a + a) / (1.0f - a));
  y = copysign<F>(y, x);
  return sel<F>(gt<F>(a, splat<F>(1.0f)), splat<F>(NaN), y);
}

} // namespace kiln::math

#endif // KILN_CODEGEN_KERNELS_MATH_H
