//===- Vec.h - Portable fixed-width vectors for the kernels -----*- C++ -*-===//
//
// Kernels are written once with GCC/Clang generic vector extensions and
// templated on L, the number of float lanes (16 AVX-512, 8 AVX2, 4 NEON/SSE).
// No intrinsics headers, no libc: loads/stores go through __builtin_memcpy
// (one unaligned vector move), broadcasts are `vector * scalar`.
//
// KILN_LANES is the lanes the entry points (extern "C") are built for: set by
// the bitcode build per target; natively derived from the host ISA.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_VEC_H
#define KILN_CODEGEN_KERNELS_VEC_H

#include "compiler/codegen/kernels/KernelABI.h"

#ifndef KILN_LANES
#if defined(__AVX512F__)
#define KILN_LANES 16
#elif defined(__AVX__)
#define KILN_LANES 8
#else
#define KILN_LANES 4
#endif
#endif

#define KILN_INLINE inline __attribute__((always_inline))
// Micro-kernel tiles: functions of their own, shared by every layer with the
// same tile shape, natively and in a model alike. (Inlined into each layer so
// its constants fold in, ResNet-50 ran 2-3% faster and compiled in 8.5 s
// instead of 4.6; a mix, interior tiles inlined and border tiles shared, ran
// 12% slower.)
#define KILN_TILE_FN __attribute__((noinline))
#define KILN_STR(x) #x
#if defined(__clang__)
#define KILN_UNROLL(n) _Pragma(KILN_STR(clang loop unroll_count(n)))
#define KILN_UNROLL_FULL _Pragma("clang loop unroll(full)")
#else
#define KILN_UNROLL(n) _Pragma(KILN_STR(GCC unroll n))
#define KILN_UNROLL_FULL _Pragma("GCC unroll 64")
#endif

namespace kiln::kernels {

template <int L> struct VecTypes {
  typedef float F __attribute__((vector_size(4 * L)));
  typedef int32_t I __attribute__((vector_size(4 * L)));
};
/// L float lanes.
template <int L> using Vec = typename VecTypes<L>::F;
/// L int32 lanes (comparison results, masks).
template <int L> using VecI = typename VecTypes<L>::I;

template <int L> KILN_INLINE Vec<L> load(const float *p) {
  Vec<L> v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
template <int L> KILN_INLINE void store(float *p, Vec<L> v) {
  __builtin_memcpy(p, &v, sizeof(v));
}
template <int L> KILN_INLINE Vec<L> splat(float x) {
  Vec<L> v = {};
  return v + x;
}
template <int L> KILN_INLINE Vec<L> vmax(Vec<L> a, Vec<L> b) {
#if defined(__clang__)
  return __builtin_elementwise_max(a, b);
#else
  return a > b ? a : b;
#endif
}
template <int L> KILN_INLINE Vec<L> vmin(Vec<L> a, Vec<L> b) {
#if defined(__clang__)
  return __builtin_elementwise_min(a, b);
#else
  return a < b ? a : b;
#endif
}
/// Lanes >= n cleared (n in [0, L]).
template <int L> KILN_INLINE Vec<L> keepFirst(Vec<L> v, int64_t n) {
  VecI<L> lane;
  for (int i = 0; i < L; ++i)
    lane[i] = i;
  VecI<L> m = lane < (int32_t)n;
  return (Vec<L>)((VecI<L>)v & m);
}

/// e^x, |relative error| < 2e-7 on the clamped range (Cephes expf scheme:
/// x = n ln2 + r, degree-5 polynomial for e^r, 2^n through the exponent bits).
template <int L> KILN_INLINE Vec<L> vexp(Vec<L> x) {
  x = vmin<L>(vmax<L>(x, splat<L>(-87.3f)), splat<L>(88.3f));
  Vec<L> fx = x * 1.44269504088896341f + 0.5f;
  // floor(fx) without libm: truncate, then fix negatives.
  VecI<L> ti = __builtin_convertvector(fx, VecI<L>);
  Vec<L> t = __builtin_convertvector(ti, Vec<L>);
  VecI<L> gt = t > fx;
  t = t - (Vec<L>)((VecI<L>)splat<L>(1.0f) & gt);
  Vec<L> r = x - t * 0.693359375f + t * 2.12194440e-4f;
  Vec<L> r2 = r * r;
  Vec<L> y = splat<L>(1.9875691500e-4f);
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r2 + r + 1.0f;
  VecI<L> n = __builtin_convertvector(t, VecI<L>);
  VecI<L> pow2 = (n + 127) << 23;
  return y * (Vec<L>)pow2;
}

/// Fused activation (KilnActivation) on a vector, the lanes' form of
/// kiln_activate (Activation.h); `act` and the constants are compile-time
/// after the params are constant-folded. The activation's parameter a arrives
/// as both `alpha` and `lo` (the params' act_alpha and act_lo), b as `hi`.
template <int L>
KILN_INLINE Vec<L> activate(Vec<L> v, int64_t act, float alpha, float lo,
                            float hi) {
  switch (act) {
  case KILN_ACT_RELU:
    return vmax<L>(v, splat<L>(0.0f));
  case KILN_ACT_LEAKY_RELU: {
    VecI<L> neg = v < 0.0f;
    Vec<L> s = v * alpha;
    return (Vec<L>)(((VecI<L>)s & neg) | ((VecI<L>)v & ~neg));
  }
  case KILN_ACT_CLIP:
    return vmin<L>(vmax<L>(v, splat<L>(lo)), splat<L>(hi));
  case KILN_ACT_SIGMOID:
    return splat<L>(1.0f) / (splat<L>(1.0f) + vexp<L>(-v));
  case KILN_ACT_HARD_SIGMOID:
    return vmax<L>(vmin<L>(v * alpha + hi, splat<L>(1.0f)), splat<L>(0.0f));
  default:
    return v;
  }
}

inline constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline constexpr int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline constexpr int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_VEC_H
