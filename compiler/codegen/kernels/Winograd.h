//===- Winograd.h - Winograd F(4x4,3x3) convolution on NCHW<L>c -*- C++ -*-===//
//
// kiln_conv2d_winograd_f32_nchwc: the same convolution as
// kiln_conv2d_f32_nchwc (Conv.h: same params struct, same input, bias,
// residual and output layouts, same fused bias/residual/activation epilogue)
// computed with Winograd's minimal filtering F(4x4,3x3) (Lavin & Gray 2015):
// every 4x4 output tile costs 36 multiplies per channel pair instead of 144.
//
// Applies when kiln_conv2d_winograd_supported(p): 3x3 kernel, stride 1,
// dilation 1, one group, blocked input, no fused pool, pads <= 2. Whether a
// layer takes it is decided by the select-conv-algorithm pass
// (compiler/passes/SelectConvAlgorithm.cpp: supported and >= 36 output tiles).
//
// Per work item: T output tiles (T = convTileWidth(L, OCB), 7 with AVX-512)
// times OCB output-channel blocks. For each chunk of input-channel blocks the
// input tiles are transformed (V = B^T d B, vectorized over the L channels of
// a block) into a stack scratch, then 36 small GEMMs (one per position of the
// 6x6 transformed tile) accumulate M += V * U with the same register-blocked
// micro-kernel shape as the direct conv (OCB weight vectors x T broadcasts);
// finally the output transform (Y = A^T M A) runs the fused epilogue in
// registers.
//
// Packed weights: U = G g G^T computed in double at compile time, laid out
//   [Mb/OCB][36][Cb*L][OCB*L]   (zero-padded channels)
// i.e. for one work item's output blocks and one position, one contiguous
// stream of OCB*L floats per input channel. 4x the floats of the direct
// conv's packing (36 vs 9 per channel pair).
//
// Work items: (n, output block group, tile group), tile group fastest, so
// consecutive items of one thread reuse the same transformed weights.
//
// Accuracy: the transforms multiply values by up to ~10 (A^T's 8, B^T's 5)
// before they cancel, so the fp32 error is larger than the direct conv's:
// measured ~1e-6..3e-6 relative to max|y| on VGG/ResNet layer shapes with
// He-initialized weights and ReLU inputs (tests/kernels/WinogradTest.cpp,
// kiln-kernel-bench --winograd-error).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_WINOGRAD_H
#define KILN_CODEGEN_KERNELS_WINOGRAD_H

#include "compiler/codegen/kernels/Conv.h"

/// Stack scratch a Winograd work item may use (bytes).
#define KILN_WINOGRAD_SCRATCH_BYTES (192 * 1024)

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when kiln_conv2d_winograd_f32_nchwc can compute `p` (see above).
int kiln_conv2d_winograd_supported(const KilnConvParams *p);

/// Runs work items [begin, end). Buffers as for kiln_conv2d_f32_nchwc; the
/// bias is packed by kiln_conv2d_pack_bias; weights by
/// kiln_conv2d_winograd_pack_weights.
void kiln_conv2d_winograd_f32_nchwc(const KilnConvParams *p, const float *in,
                                    const float *packed_w, const float *bias,
                                    const float *residual, float *out,
                                    int64_t begin, int64_t end);

/// Number of work items (any split of [0, n) is valid).
int64_t kiln_conv2d_winograd_work_items(const KilnConvParams *p);

/// Floats needed for the transformed weights.
int64_t kiln_conv2d_winograd_packed_size(const KilnConvParams *p);

/// Transforms and packs ONNX weights [M][C][3][3] (layout above).
void kiln_conv2d_winograd_pack_weights(const KilnConvParams *p,
                                       const float *oihw, float *packed);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_WINOGRAD_H
