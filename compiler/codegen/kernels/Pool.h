//===- Pool.h - Max/average pooling on the blocked layout -------*- C++ -*-===//
//
// kiln_pool2d_f32_nchwc: MaxPool/AveragePool on NCHW<L>c, blocked output.
// Windows are clipped to the input; a max window with no valid element yields
// -inf (cannot happen for ONNX-valid pads). The average divisor with
// count_pad counts the window clipped to [-PT, H + PB) x [-PL, W + PR), without
// it the window clipped to the input (ONNX Runtime semantics).
// kiln_global_pool_f32_nchwc: GlobalAveragePool / GlobalMaxPool, blocked
// [N][Cb][H][W][L] -> blocked [N][Cb][1][1][L] (which is also the plain
// [N][C] layout when C % L == 0).
//
// Work items: pool2d (n, channel block, output row); global pool (n, block).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_POOL_H
#define KILN_CODEGEN_KERNELS_POOL_H

#include "compiler/codegen/kernels/KernelABI.h"

/// Parameters of a pooling layer (all int64_t, see KernelABI.h).
struct KilnPoolParams {
  int64_t L;              ///< vector lanes == channel block size
  int64_t N, C, H, W;     ///< input
  int64_t OH, OW;         ///< output
  int64_t KH, KW, SH, SW; ///< window, strides
  int64_t PT, PL, PB, PR; ///< pads
  int64_t DH, DW;         ///< dilations (MaxPool)
  int64_t kind;           ///< KilnPoolKind (MAX or AVG)
  int64_t count_pad;      ///< AveragePool count_include_pad
};

/// Parameters of a global pool (all int64_t, see KernelABI.h).
struct KilnGlobalPoolParams {
  int64_t L;          ///< vector lanes == channel block size
  int64_t N, C, H, W; ///< input
  int64_t kind;       ///< KilnPoolKind (MAX or AVG)
};

#ifdef __cplusplus
extern "C" {
#endif

/// Runs work items [begin, end) of the pool.
void kiln_pool2d_f32_nchwc(const KilnPoolParams *p,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end);

/// Number of work items: N * ceil(C/L) * OH.
int64_t kiln_pool2d_work_items(const KilnPoolParams *p);

/// Runs work items [begin, end) of the global pool.
void kiln_global_pool_f32_nchwc(const KilnGlobalPoolParams *p,
                                            const float *in, float *out,
                                            int64_t begin, int64_t end);

/// Number of work items: N * ceil(C/L).
int64_t kiln_global_pool_work_items(const KilnGlobalPoolParams *p);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_POOL_H
