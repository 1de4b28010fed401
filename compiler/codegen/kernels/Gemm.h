//===- Gemm.h - GEMM/GEMV with packed B for fully connected layers -*- C++ -*-===//
//
// kiln_gemm_f32_packed: Y[M,N] = act(A[M,K] * B'[K,N] + bias[N]) where B' is
// ONNX Gemm's alpha * op(B) packed at compile time.
//
// Layouts (L = the target's vector lanes, the `L` field of the params):
//   A        plain row-major [M][K] (trans_a == 0) or [K][M] (trans_a == 1).
//   packed B [ceil(N/L)][K][L], zero-padded columns, already multiplied by
//            alpha: each N-block is one contiguous stream of K full vectors, so
//            a batch-1 GEMV reads every weight exactly once.
//   bias     [ceil(N/L) * L] floats, already multiplied by beta (the packer,
//            kiln_gemm_pack_bias, scales; the kernel never sees alpha/beta).
//            ONNX C of shape [], [1], [N] or [1,N] is supported; other C shapes
//            ([M,N], [M,1]) are not fused: the pass emits a separate Add.
//   Y        plain row-major [M][N].
//
// Work items: (block of output rows, group of N-blocks); N-blocks fastest so
// both cores stream disjoint halves of the weights.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_GEMM_H
#define KILN_CODEGEN_KERNELS_GEMM_H

#include "compiler/codegen/kernels/KernelABI.h"

/// Parameters of one GEMM (all int64_t/double, see KernelABI.h).
struct KilnGemmParams {
  int64_t L;            ///< vector lanes == N block size
  int64_t M, N, K;      ///< Y[M,N] = A[M,K] * B[K,N]
  int64_t trans_a;      ///< A stored [K][M]
  int64_t has_bias;     ///< bias pointer valid
  int64_t activation;   ///< KilnActivation
  double act_alpha;     ///< parameter a (compiler/ir/Activations.def)
  double act_lo, act_hi;///< a again, and b
};

#ifdef __cplusplus
extern "C" {
#endif

/// Runs work items [begin, end) of the GEMM.
void kiln_gemm_f32_packed(const KilnGemmParams *p, const float *a,
                                      const float *packed_b, const float *bias,
                                      float *y, int64_t begin, int64_t end);

/// Number of work items of the GEMM.
int64_t kiln_gemm_work_items(const KilnGemmParams *p);

/// Floats needed for the packed B (ceil(N/L) * K * L).
int64_t kiln_gemm_packed_size(const KilnGemmParams *p);

/// Packs alpha * op(B) (ONNX B: [K][N], or [N][K] when trans_b) into
/// [ceil(N/L)][K][L].
void kiln_gemm_pack_b(const KilnGemmParams *p, const float *b, int64_t trans_b,
                      double alpha, float *packed);

/// Floats needed for the packed bias (ceil(N/L) * L).
int64_t kiln_gemm_packed_bias_size(const KilnGemmParams *p);

/// Writes beta * C broadcast to [N] and zero-padded; `c_len` is 1 (scalar C)
/// or N. nullptr C: zeros.
void kiln_gemm_pack_bias(const KilnGemmParams *p, const float *c,
                         int64_t c_len, double beta, float *packed);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_GEMM_H
