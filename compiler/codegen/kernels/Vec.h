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
#include "compiler/codegen/kernels/Math.h"

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

/// Fused activation (KilnActivation) on a vector, the lanes' form of
/// kiln_activate (Activation.h), with Math.h's functions on L lanes, for
/// every row of Activations.def that fuses (UNFUSED_ACTIVATION rows never
/// reach an epilogue). `act` and the constants are compile-time once the
/// params are constant-folded. The shared conv tiles (KILN_TILE_FN), where
/// the switch runs, call activateInTile / activateOutOfTile instead.
/// The activation's parameter a arrives as both `alpha` and `lo` (the params'
/// act_alpha and act_lo), b as `hi`.
template <int L>
KILN_INLINE Vec<L> activate(Vec<L> v, int64_t act, float alpha, float lo,
                            float hi) {
  using F = Vec<L>;
  namespace m = kiln::math;
  const F zero = splat<L>(0.0f), one = splat<L>(1.0f);
  switch (act) {
  case KILN_ACT_RELU:
    return vmax<L>(v, zero);
  case KILN_ACT_LEAKY_RELU:
    return m::sel<F>(v < 0.0f, v * alpha, v);
  case KILN_ACT_CLIP:
    return vmin<L>(vmax<L>(v, splat<L>(lo)), splat<L>(hi));
  case KILN_ACT_SIGMOID:
    return one / (one + m::exp<F>(-v));
  case KILN_ACT_HARD_SIGMOID:
    return vmax<L>(vmin<L>(v * alpha + hi, one), zero);
  case KILN_ACT_HARD_SWISH:
    return v * vmax<L>(vmin<L>(v * (1.0f / 6.0f) + 0.5f, one), zero);
  case KILN_ACT_TANH:
    return m::tanh<F>(v);
  case KILN_ACT_ELU:
    return m::sel<F>(v < 0.0f, alpha * (m::exp<F>(v) - 1.0f), v);
  case KILN_ACT_GELU:
    return 0.5f * v * (1.0f + m::erf<F>(v * 0.70710678118654752f));
  case KILN_ACT_GELU_TANH:
    return 0.5f * v *
           (1.0f + m::tanh<F>(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  case KILN_ACT_SILU:
    return v / (one + m::exp<F>(-v));
  default:
    return v;
  }
}

/// The activations the shared conv and gemm tiles run in registers: the
/// ones of a few instructions. A tile's epilogue is unrolled OCB x NW times
/// and its activation code is not specialised per layer (KILN_TILE_FN), so
/// every case here is copied that often into every tile; the others (Sigmoid,
/// SiLU, Tanh, Elu, Gelu: an exp, tanh or erf each) run through
/// activateOutOfTile, whose code exists once.
KILN_INLINE bool activatesInTile(int64_t act) {
  return act == KILN_ACT_NONE || act == KILN_ACT_RELU || act == KILN_ACT_LEAKY_RELU ||
         act == KILN_ACT_CLIP || act == KILN_ACT_HARD_SIGMOID || act == KILN_ACT_HARD_SWISH;
}

/// activate<L> restricted to activatesInTile's cases (the rest: v unchanged).
template <int L>
KILN_INLINE Vec<L> activateInTile(Vec<L> v, int64_t act, float alpha, float lo,
                                  float hi) {
  switch (act) {
  case KILN_ACT_RELU:
  case KILN_ACT_LEAKY_RELU:
  case KILN_ACT_CLIP:
  case KILN_ACT_HARD_SIGMOID:
  case KILN_ACT_HARD_SWISH:
    return activate<L>(v, act, alpha, lo, hi);
  default:
    return v;
  }
}

/// activate<L> on n vectors in memory: the tiles' path for the activations
/// activatesInTile leaves out, one copy of their code per vector width.
template <int L>
__attribute__((noinline)) void activateOutOfTile(Vec<L> *v, int n, int64_t act,
                                                 float alpha, float lo, float hi) {
  for (int i = 0; i < n; ++i)
    v[i] = activate<L>(v[i], act, alpha, lo, hi);
}

inline constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline constexpr int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline constexpr int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_VEC_H
