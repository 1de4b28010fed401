//===- Conv.h - Direct convolution on the blocked channel layout -*- C++ -*-===//
//
// kiln_conv2d_f32_nchwc: 2-D convolution with a fused epilogue (bias, residual
// add, activation, max/avg pool), output in NCHW<L>c.
//
// Layouts (L = the target's vector lanes: 16 AVX-512, 8 AVX2, 4 NEON/SSE; it is
// the `L` field of the params and must equal the lanes the kernel bitcode was
// built for):
//   blocked tensor  [N][ceil(C/L)][H][W][L]. Channels >= C are zero: kernels
//                   write zeros there and may rely on them in their inputs.
//   plain input     [N][C][H][W] (input_blocked == 0; e.g. the first layer).
//   packed weights  per group g, per output block ob, per input block ib:
//                   [G][Mgb][Cgb][KH][KW][L(in)][L(out)], zero-padded, where
//                   Mg = M/G, Cg = C/G, Mgb = ceil(Mg/L), Cgb = ceil(Cg/L).
//                   (oneDNN's gOIhw<L>i<L>o.) With a plain input the
//                   channels are not padded: [G][Mgb][KH][KW][Cg][L(out)]
//                   (RGB's 3 channels padded to 16 put every kernel column
//                   1 KB apart, and L1's sets then thrash). Produced by
//                   kiln_conv2d_pack_weights from ONNX's [M][C/G][KH][KW].
//   bias            [G*Mgb*L] floats: bias of output channel (g, m) at
//                   g*Mgb*L + m, zero-padded. Produced by kiln_conv2d_pack_bias.
//   residual        blocked, same shape as the conv output before pooling.
//   output          blocked [N][G*Mgb][OH'][OW'][L] (OH'/OW' = POH/POW when a
//                   pool is fused, OH/OW otherwise). With G == 1 that is the
//                   ordinary [N][ceil(M/L)][..][..][L].
//
// Groups: G > 1 requires Cg % L == 0 and Mg % L == 0 when the input is blocked
// (the layout pass guarantees it), and Mg % L == 0 when it is plain.
//
// Fused pooling (pool_kind != NONE): max or average pooling with dilation 1 of
// the post-activation conv output, computed from a per-work-item scratch on the
// kernel's stack that holds ceil(pool_kh/pool_sh)+1 horizontally pooled rows
// and one conv row per output-channel block of the tile: see
// kiln_conv2d_can_fuse_pool for the bound (KILN_CONV_POOL_SCRATCH_BYTES). The
// average divisor with pool_count_pad counts the window clipped to the padded
// extent [-pool_pt, OH + pool_pb) (PyTorch/ONNX Runtime semantics), without it
// the window clipped to [0, OH).
//
// Work items: (n, output-channel block group, output row band), row band
// fastest, so consecutive items of one thread reuse the same weights (or, when
// the input outgrows L2 and the weights do not, (n, band, group): consecutive
// items reuse the same input rows). When an
// item's weights outgrow L1, its band spans several rows and it accumulates
// over the input channels in chunks, partial sums in the output: the output
// must not alias the input or the residual (memory planning guarantees it).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_CONV_H
#define KILN_CODEGEN_KERNELS_CONV_H

#include "compiler/codegen/kernels/KernelABI.h"

/// Stack scratch a fused-pool conv work item may use (bytes).
#define KILN_CONV_POOL_SCRATCH_BYTES (192 * 1024)

/// Parameters of one convolution layer (all int64_t/double, see KernelABI.h).
struct KilnConvParams {
  int64_t L;                   ///< vector lanes == channel block size
  int64_t N, C, H, W;          ///< input
  int64_t M, OH, OW;           ///< conv output, before pooling
  int64_t KH, KW, SH, SW;      ///< kernel, strides
  int64_t PT, PL;              ///< pads top/left (bottom/right implied)
  int64_t DH, DW;              ///< dilations
  int64_t G;                   ///< groups
  int64_t input_blocked;       ///< 0: plain NCHW input, 1: NCHW<L>c
  int64_t has_bias;            ///< bias pointer valid
  int64_t has_residual;        ///< residual pointer valid (added before act)
  int64_t activation;          ///< KilnActivation
  double act_alpha;            ///< parameter a (compiler/ir/Activations.def)
  double act_lo, act_hi;       ///< a again, and b
  int64_t pool_kind;           ///< KilnPoolKind
  int64_t pool_kh, pool_kw, pool_sh, pool_sw;
  int64_t pool_pt, pool_pl;    ///< pool pads top/left
  int64_t pool_pb, pool_pr;    ///< pool pads bottom/right (avg divisor only)
  int64_t pool_oh, pool_ow;    ///< pooled output dims (POH, POW)
  int64_t pool_count_pad;      ///< AveragePool count_include_pad
  int64_t l1d_bytes, l2_bytes; ///< the target's per-core caches (ConvPlan.h)
};

#ifdef __cplusplus
extern "C" {
#endif

/// Runs work items [begin, end) of the convolution. (Declared without
/// KILN_KERNEL so native callers link to it; the definition is always_inline
/// so that in bitcode it inlines into each layer.)
void kiln_conv2d_f32_nchwc(const KilnConvParams *p, const float *in,
                                       const float *packed_w,
                                       const float *bias,
                                       const float *residual, float *out,
                                       int64_t begin, int64_t end);

/// Number of work items of the convolution (any split of [0, n) is valid).
int64_t kiln_conv2d_work_items(const KilnConvParams *p);

/// Floats needed for the packed weights.
int64_t kiln_conv2d_packed_size(const KilnConvParams *p);

/// Packs ONNX weights [M][C/G][KH][KW] into the blocked layout above.
void kiln_conv2d_pack_weights(const KilnConvParams *p, const float *oihw,
                              float *packed);

/// Floats needed for the packed bias (G * ceil((M/G)/L) * L).
int64_t kiln_conv2d_packed_bias_size(const KilnConvParams *p);

/// Pads the bias [M] (nullptr: zeros) to the blocked layout above.
void kiln_conv2d_pack_bias(const KilnConvParams *p, const float *bias,
                           float *packed);

/// 1 when the pool in `p` can be fused into the conv (stack scratch within
/// KILN_CONV_POOL_SCRATCH_BYTES; pool dilation must be 1, which the params
/// cannot express: the pass checks that). 0: run the pool separately.
int kiln_conv2d_can_fuse_pool(const KilnConvParams *p);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_CONV_H
