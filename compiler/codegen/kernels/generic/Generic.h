//===- Generic.h - Portable kernels for every op on any layout ---*- C++ -*-===//
//
// The generic kernels cover every op of docs/IR.md that the fast kernels
// (compiler/codegen/kernels/{Conv,Gemm,Pool,Reorder}.h) do not, and serve as
// their fallback. They are plain loops written for clang's loop vectorizer:
// contiguous innermost loops, restrict pointers where buffers cannot alias,
// trip counts that become constants once a layer's params are propagated.
//
// All generic kernels share one signature:
//
//   void kiln_gen_<op>(const Params *p, void *const *bufs, int64_t begin,
//                      int64_t end);
//
// bufs[0] is the output, bufs[1..] the inputs in the op's order, followed by
// the extra operands of epilogue Adds (KilnGenEpilogue::*_buf index into
// bufs). Work item counts are computed at compile time by the *_work_items
// functions below (inline, so kiln and the bitcode agree).
//
// A 4-D tensor's channel block (`*_block` fields) is 0 for plain NCHW and L
// for NCHW<L>c ([N][ceil(C/L)][H][W][L], padded channels zero).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_GENERIC_GENERIC_H
#define KILN_CODEGEN_KERNELS_GENERIC_GENERIC_H

#include "compiler/codegen/kernels/KernelABI.h"

#define KILN_GEN_MAX_EPI 4
#define KILN_GEN_MAX_RANK 8
#define KILN_GEN_MAX_NARY 8

/// An epilogue step's kind: a KilnActivation code (KernelABI.h; a, b are its
/// parameters), or a residual add.
#define KILN_EPI_ADD 256 ///< + bufs[buf][same index] (above every KilnActivation)

/// Node::fused as params: elementwise ops before an optional pooling (indexed
/// like the unpooled result), the pooling, elementwise ops after it (indexed
/// like the stored result). Only Conv supports pooling.
struct KilnGenEpilogue {
  int64_t pre_count;
  int64_t pre_kind[KILN_GEN_MAX_EPI];
  double pre_a[KILN_GEN_MAX_EPI], pre_b[KILN_GEN_MAX_EPI];
  int64_t pre_buf[KILN_GEN_MAX_EPI];
  int64_t pool_kind; ///< KilnPoolKind
  int64_t pool_kh, pool_kw, pool_sh, pool_sw, pool_pt, pool_pl, pool_pb,
      pool_pr, pool_dh, pool_dw, pool_count_pad, pool_oh, pool_ow;
  int64_t post_count;
  int64_t post_kind[KILN_GEN_MAX_EPI];
  double post_a[KILN_GEN_MAX_EPI], post_b[KILN_GEN_MAX_EPI];
  int64_t post_buf[KILN_GEN_MAX_EPI];
};

/// Conv: bufs = {out, x, w[M][C/G][KH][KW], bias[M] or null, adds...}.
/// Work items: (n, m, band of `rows` output rows; pooled rows when pooling).
struct KilnGenConvParams {
  int64_t N, C, H, W, M, OH, OW, KH, KW, SH, SW, PT, PL, DH, DW, G;
  int64_t in_block, out_block;
  int64_t has_bias;
  int64_t rows;
  KilnGenEpilogue epi;
};

/// ConvTranspose on plain NCHW: input (ih, iw) of channel c adds x *
/// w[c][m % (M/G)][kh][kw] to output (ih*SH - PT + kh*DH, iw*SW - PL +
/// kw*DW) of every m of c's group. Each work item gathers one output row
/// from the input rows that reach it, tap by tap, along contiguous input
/// rows. bufs = {out, x, w[C][M/G][KH][KW], bias[M] or null}.
/// Work items: (n, m, output row).
struct KilnGenConvTransposeParams {
  int64_t N, C, H, W, M, OH, OW, KH, KW, SH, SW, PT, PL, DH, DW, G;
  int64_t has_bias;
};

/// MaxPool / AveragePool: bufs = {out, x}. Work items: (n, c, output row).
struct KilnGenPoolParams {
  int64_t N, C, H, W, OH, OW, KH, KW, SH, SW, PT, PL, PB, PR, DH, DW;
  int64_t kind; ///< KilnPoolKind
  int64_t count_pad;
  int64_t in_block, out_block;
};

/// kiln.MaxPoolIndices (ONNX MaxPool's Indices): bufs = {out (int64,
/// plain NCHW), x}. `pool` as for MaxPool (kind, count_pad and out_block
/// unused); column_major is ONNX's storage_order. Each output is the index of
/// its window's first maximum in the flattened logical input, N and C
/// included. Work items: (n, c, output row).
struct KilnGenPoolIndicesParams {
  KilnGenPoolParams pool;
  int64_t column_major;
};

/// GlobalAveragePool / GlobalMaxPool: bufs = {out, x}. Work items: (n, c).
struct KilnGenGlobalPoolParams {
  int64_t N, C, HW;
  int64_t kind;
  int64_t in_block, out_block;
};

/// LRN across channels: bufs = {out, x}. Work items: (n, c).
struct KilnGenLrnParams {
  int64_t N, C, HW;
  int64_t size;
  double alpha, beta, bias;
  int64_t block;
};

/// ScaleShift (y = x * scale[c] + shift[c]): bufs = {out, x, scale, shift,
/// adds...}. BatchNormalization: bufs = {out, x, scale, B, mean, var, adds...}
/// with `epsilon`, `is_bn` = 1. Work items: (n, c) plain, (n, channel block)
/// blocked.
struct KilnGenScaleShiftParams {
  int64_t N, C, HW;
  int64_t block;
  int64_t is_bn;
  double epsilon;
  KilnGenEpilogue epi;
};

/// Gemm / MatMul: out[b][m][n] = alpha * sum_k A[b](m,k) B[b](k,n)
///   + beta * Cm[m*c_sm + n*c_sn], then the epilogue.
/// bufs = {out, A, B, C or null, adds...}. A[b](m,k) is at
/// a_off(b) + m*a_sm + k*a_sk, likewise B; batch offsets come from up to 6
/// batch dims with per-operand strides (0: broadcast).
/// Work items: (batch, m, block of `nb` columns).
struct KilnGenGemmParams {
  int64_t M, N, K;
  int64_t a_sm, a_sk, b_sk, b_sn;
  double alpha, beta;
  int64_t has_c, c_sm, c_sn;
  int64_t nb;
  int64_t batch_rank;
  int64_t batch_dims[6], a_bstride[6], b_bstride[6];
  KilnGenEpilogue epi;
};

/// The padded channels of a blocked output with a partial last block: the
/// flat kernels run over the whole storage, and an op that maps 0 to
/// something else (Sigmoid: 0.5, Cos: 1, Log: -inf, Reciprocal: inf, 0/0:
/// NaN) would leave it there, where a following conv multiplies it by its
/// zero weights (inf * 0 = NaN). Those lanes are stored as 0 instead.
/// block = 0: nothing to zero (plain output, or whole blocks).
struct KilnGenPadLanes {
  int64_t block;  ///< L of NCHW<L>c
  int64_t plane;  ///< H * W * L: elements of one channel block of one image
  int64_t blocks; ///< ceil(C / L)
  int64_t valid;  ///< channels in use in the last block, C - (blocks - 1) * L
};

/// Whether flat element i of blocked storage is a padded channel.
static inline __attribute__((always_inline)) bool
kiln_gen_is_padding(const KilnGenPadLanes *z, int64_t i) {
  return z->block != 0 && i % z->block >= z->valid &&
         i / z->plane % z->blocks == z->blocks - 1;
}

/// Elementwise over flat storage: out[i] = epilogue(x[i]). Every activation
/// (its first epilogue step), copies. bufs = {out, x, adds...}.
/// Work items: chunks of `chunk` elements.
struct KilnGenUnaryParams {
  int64_t total, chunk;
  KilnGenEpilogue epi;
  KilnGenPadLanes pad;
};

/// Element types of generic kernel operands. The values are kiln_dtype's
/// (<kiln/runtime.h>; the code generator checks that they agree).
enum KilnGenDtype : int64_t {
  KILN_DT_F32 = 0,
  KILN_DT_I64 = 1,
  KILN_DT_BOOL = 2, ///< one byte, 0 or 1
  KILN_DT_I32 = 3,
  KILN_DT_I8 = 4,
  KILN_DT_U8 = 5,
  KILN_DT_F16 = 6, ///< IEEE binary16 bits (Cast only)
};

/// The ops of the n-ary kernel: one code per row of the ElementwiseBinary
/// family (compiler/ir/Ops.def), in the order of the table KILN_BIN_OPS
/// below (lowering maps OpKind to code through it). Integer arithmetic wraps
/// (two's complement); integer Div and Mod by zero give 0, never a trap.
/// Comparisons give bool; And/Or/Xor/Not take and give bool; Where takes a
/// bool condition and two operands of `dtype`.
enum KilnGenBinaryOp : int64_t {
  KILN_BIN_ADD = 0,
  KILN_BIN_SUB = 1,
  KILN_BIN_MUL = 2,
  KILN_BIN_DIV = 3,
  KILN_BIN_POW = 4,
  KILN_BIN_MAX = 5,
  KILN_BIN_MIN = 6,
  KILN_BIN_MEAN = 7,     ///< sum of the n operands / n
  KILN_BIN_MOD = 8,      ///< sign of the divisor (integers, fmod=0)
  KILN_BIN_FMOD = 9,     ///< sign of the dividend (C fmod; fmod=1)
  KILN_BIN_EQUAL = 10,
  KILN_BIN_LESS = 11,
  KILN_BIN_GREATER = 12,
  KILN_BIN_LESS_EQUAL = 13,
  KILN_BIN_GREATER_EQUAL = 14,
  KILN_BIN_AND = 15,
  KILN_BIN_OR = 16,
  KILN_BIN_XOR = 17,
  KILN_BIN_NOT = 18,     ///< unary: n == 1
  KILN_BIN_WHERE = 19,   ///< n == 3: cond ? x : y
  KILN_BIN_SHIFT_LEFT = 20,  ///< unsigned; shifts >= the width give 0
  KILN_BIN_SHIFT_RIGHT = 21,
  KILN_BIN_PRELU = 22,   ///< x < 0 ? slope * x : x
};

static inline int kiln_gen_bin_is_compare(int64_t op) {
  return op >= KILN_BIN_EQUAL && op <= KILN_BIN_GREATER_EQUAL;
}

/// N-ary broadcast elementwise (the ElementwiseBinary family): out = x0 op
/// x1 op ... with numpy broadcasting expressed as per-input strides (0 where
/// the input is broadcast) over the output's (collapsed) dims. `dtype`
/// (KilnGenDtype) is the operands' element type (Where: of x and y); the
/// epilogue runs on f32 results only. bufs = {out, x0 .. x(n-1), adds...}.
/// Work items: (outer row, chunk of the innermost dim).
struct KilnGenNaryParams {
  int64_t op;
  int64_t dtype;
  int64_t n;
  int64_t rank;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t strides[KILN_GEN_MAX_NARY][KILN_GEN_MAX_RANK];
  int64_t chunk;
  KilnGenEpilogue epi;
  KilnGenPadLanes pad; ///< f32 on a blocked layout (rank 1, flat storage)
};

/// Cast between element types (KilnGenDtype `from` -> `to`) over flat
/// storage, as ONNX Runtime on x86-64 casts (compiler/reference's cast_ref):
/// float -> integer truncates, NaN and out-of-range give the "integer
/// indefinite"; integers wrap; f16 rounds to nearest even.
/// bufs = {out, x}. Work items: chunks of `chunk` elements.
struct KilnGenCastParams {
  int64_t total, chunk;
  int64_t from, to;
};

/// QuantizeLinear (f32 -> `qtype`, u8 or i8) and DequantizeLinear (`qtype`,
/// u8, i8 or i32 -> f32) over flat storage: element i uses scale
/// c = (i / inner) % channels and zero point `zp_per_channel ? c : 0`.
/// bufs = {out, x, scale (f32), zero point (qtype)}. Work items: chunks of
/// `chunk` elements.
struct KilnGenQuantizeParams {
  int64_t total, chunk;
  int64_t channels, inner;
  int64_t zp_per_channel;
  int64_t qtype;
};

/// What kiln_gen_softmax_f32 writes along the axis.
enum KilnSoftmaxMode {
  KILN_SOFTMAX_EXP = 0,  ///< Softmax: exp(x - max) / sum
  KILN_SOFTMAX_LOG = 1,  ///< LogSoftmax: x - max - log(sum)
  KILN_SOFTMAX_HARD = 2, ///< Hardmax: 1 at the first maximum, 0 elsewhere
};

/// Softmax (mode: KilnSoftmaxMode) along one axis of [outer][n][inner]:
/// bufs = {out, x}. Work items: outer.
struct KilnGenSoftmaxParams {
  int64_t outer, n, inner;
  int64_t mode;
};

/// LayerNormalization, InstanceNormalization, MeanVarianceNormalization and
/// LpNormalization (compiler/ir/Normalize.h) in a strided form: group o
/// (row-major over out_dims) holds the `count` elements x[base(o) + sum r_d *
/// red_strides[d]] over the red_dims index space (red_rank >= 1), whose
/// innermost axis is a run the kernel vectorizes. Scale and B are read at
/// each element's position through their own strides (*_sstrides,
/// *_bstrides). p = 0: y = (x - mean) * 1 / (sqrt(var + epsilon) +
/// std_epsilon); p = 1, 2: y = x / ||x||_p (0 where the norm is 0). result 1
/// and 2 write each group's mean or 1 / sqrt(var + epsilon) instead of y.
/// bufs = {out, x, scale or null, bias or null}.
/// Work items: chunks of `chunk` groups.
struct KilnGenNormalizeParams {
  int64_t total, count, chunk;
  int64_t p, result, has_scale, has_bias;
  double epsilon, std_epsilon;
  int64_t out_rank;
  int64_t out_dims[KILN_GEN_MAX_RANK];
  int64_t out_strides[KILN_GEN_MAX_RANK];
  int64_t out_sstrides[KILN_GEN_MAX_RANK];
  int64_t out_bstrides[KILN_GEN_MAX_RANK];
  int64_t red_rank;
  int64_t red_dims[KILN_GEN_MAX_RANK];
  int64_t red_strides[KILN_GEN_MAX_RANK];
  int64_t red_sstrides[KILN_GEN_MAX_RANK];
  int64_t red_bstrides[KILN_GEN_MAX_RANK];
};

/// NegativeLogLikelihoodLoss on x[N][C][D] with target[N][D] (int64, or
/// int32 when target_i32) and weight[C] (has_weight): loss = -x[n][t][d] *
/// weight[t], 0 where t == ignore_index (has_ignore). reduction 0 writes
/// out[N][D]; 1 the sum, 2 the sum over the weights of the targets kept. A
/// target outside [0, C) that is not ignored gives NaN.
/// bufs = {out, x, target, weight or null}. Work items: N (reduction 0), or 1.
struct KilnGenNllLossParams {
  int64_t N, C, D;
  int64_t reduction, has_weight, has_ignore, ignore_index, target_i32;
};

/// Reduce* (op: KilnReduction) in a strided form: output element o (row-major
/// over out_dims) reduces the elements x[base(o) + sum r_d * red_strides[d]]
/// over the red_dims index space, `count` of them; base(o) = sum o_d *
/// out_strides[d]. Adjacent axes are merged by the lowering, so [outer,
/// reduced, inner] is out_rank 2, red_rank 1. bufs = {out, x}.
/// Work items: chunks of `chunk` output elements.
struct KilnGenReduceParams {
  int64_t op;
  int64_t total, count, chunk;
  int64_t out_rank;
  int64_t out_dims[KILN_GEN_MAX_RANK];
  int64_t out_strides[KILN_GEN_MAX_RANK];
  int64_t red_rank;
  int64_t red_dims[KILN_GEN_MAX_RANK];
  int64_t red_strides[KILN_GEN_MAX_RANK];
};

/// Transpose: out[i0..ir] = x[sum i_d * in_stride[d]]. bufs = {out, x}.
/// Work items: rows of the output's innermost dim.
struct KilnGenTransposeParams {
  int64_t elem_bytes; ///< 1, 2, 4 or 8: elements are moved, not computed
  int64_t rank;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t in_strides[KILN_GEN_MAX_RANK];
};

/// Slice (any element type of 1, 4 or 8 bytes): out[i0..ir] = x[offset +
/// sum i_d * in_strides[d]], strides in elements and negative for negative
/// steps. bufs = {out, x}. Work items: rows of the output's innermost dim.
struct KilnGenSliceParams {
  int64_t elem_bytes;
  int64_t rank;
  int64_t offset;
  int64_t dims[KILN_GEN_MAX_RANK];
  int64_t in_strides[KILN_GEN_MAX_RANK];
};

enum KilnGenPadMode : int64_t {
  KILN_PAD_CONSTANT = 0,
  KILN_PAD_REFLECT = 1,
  KILN_PAD_EDGE = 2,
};

/// Pad: bufs = {out, x}; `value` converted to `dtype` (KilnGenDtype, not
/// f16). Work items: rows of the output's innermost dim.
struct KilnGenPadParams {
  int64_t dtype;
  int64_t rank;
  int64_t out_dims[KILN_GEN_MAX_RANK];
  int64_t in_dims[KILN_GEN_MAX_RANK];
  int64_t begin[KILN_GEN_MAX_RANK];
  int64_t mode;
  double value;
};

/// Resize, separable: out[o] = sum over one tap per axis of the product of
/// the taps' weights times x at the sum of the taps' offsets. Tables, per
/// axis d from element table[d] on, taps[d] entries per output coordinate:
/// bufs[2] int64 offsets into x (coordinate * stride of d; -1 in the first
/// tap: outside the crop, the element is `extrapolation`), bufs[3] f32
/// weights. bufs = {out, x, offsets, weights}. Work items: rows of the
/// output's innermost dim.
struct KilnGenResizeParams {
  int64_t rank;
  int64_t out_dims[KILN_GEN_MAX_RANK];
  int64_t taps[KILN_GEN_MAX_RANK];
  int64_t table[KILN_GEN_MAX_RANK];
  double extrapolation;
};

/// Strided 2-D copy (one input of a Concat, Flatten/Reshape copies):
/// out[dst_off + r*dst_stride + j] = x[src_off + r*src_stride + j], in
/// floats (kiln_gen_copy_f32) or bytes (kiln_gen_copy_u8: bool outputs).
/// bufs = {out, x}. Work items: (row, chunk of `chunk` columns).
struct KilnGenCopyParams {
  int64_t rows, cols, src_stride, dst_stride, src_off, dst_off, chunk;
};

/// Gather along an axis, elements of any type (`elem_bytes` each):
/// bufs = {out, data, indices (`idx_bytes` 4: int32, 8: int64)}. Indices
/// come from a constant or at run time: negative ones count from the end
/// (ONNX); one outside [-axis_dim, axis_dim) yields zeros (ONNX leaves it
/// undefined; compiled code must not read outside `data`).
/// Work items: outer * K.
struct KilnGenGatherParams {
  int64_t outer, K, axis_dim, inner;
  int64_t elem_bytes, idx_bytes;
};

/// Any 4-D layout to any other (plain <-> NCHW<L>c, L1 <-> L2); padded
/// channels of a blocked output are zeroed. bufs = {out, x}.
/// Work items: (n, c) over the output's padded channel count.
struct KilnGenReorderParams {
  int64_t N, C, HW;
  int64_t in_block, out_block;
};

static inline int64_t kiln_gen_ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
static inline int64_t kiln_gen_conv_work_items(const KilnGenConvParams *p) {
  int64_t rows = p->epi.pool_kind ? p->epi.pool_oh : p->OH;
  return p->N * p->M * kiln_gen_ceil_div(rows, p->rows);
}
static inline int64_t kiln_gen_pool_work_items(const KilnGenPoolParams *p) {
  return p->N * p->C * p->OH;
}
static inline int64_t
kiln_gen_pool_indices_work_items(const KilnGenPoolIndicesParams *p) {
  return kiln_gen_pool_work_items(&p->pool);
}
static inline int64_t
kiln_gen_global_pool_work_items(const KilnGenGlobalPoolParams *p) {
  return p->N * p->C;
}
static inline int64_t
kiln_gen_conv_transpose_work_items(const KilnGenConvTransposeParams *p) {
  return p->N * p->M * p->OH;
}
static inline int64_t kiln_gen_lrn_work_items(const KilnGenLrnParams *p) {
  return p->N * p->C;
}
static inline int64_t
kiln_gen_scale_shift_work_items(const KilnGenScaleShiftParams *p) {
  return p->N * (p->block ? kiln_gen_ceil_div(p->C, p->block) : p->C);
}
static inline int64_t kiln_gen_gemm_work_items(const KilnGenGemmParams *p) {
  int64_t batch = 1;
  for (int64_t i = 0; i < p->batch_rank; ++i)
    batch *= p->batch_dims[i];
  return batch * p->M * kiln_gen_ceil_div(p->N, p->nb);
}
static inline int64_t kiln_gen_unary_work_items(const KilnGenUnaryParams *p) {
  return kiln_gen_ceil_div(p->total, p->chunk);
}
static inline int64_t kiln_gen_nary_work_items(const KilnGenNaryParams *p) {
  int64_t rows = 1;
  for (int64_t i = 0; i + 1 < p->rank; ++i)
    rows *= p->dims[i];
  return rows * kiln_gen_ceil_div(p->dims[p->rank - 1], p->chunk);
}
static inline int64_t kiln_gen_cast_work_items(const KilnGenCastParams *p) {
  return kiln_gen_ceil_div(p->total, p->chunk);
}
static inline int64_t
kiln_gen_quantize_work_items(const KilnGenQuantizeParams *p) {
  return kiln_gen_ceil_div(p->total, p->chunk);
}
static inline int64_t
kiln_gen_softmax_work_items(const KilnGenSoftmaxParams *p) {
  return p->outer;
}
static inline int64_t kiln_gen_rows_of(int64_t rank, const int64_t *dims) {
  int64_t rows = 1;
  for (int64_t i = 0; i + 1 < rank; ++i)
    rows *= dims[i];
  return rows;
}
static inline int64_t
kiln_gen_transpose_work_items(const KilnGenTransposeParams *p) {
  return kiln_gen_rows_of(p->rank, p->dims);
}
static inline int64_t kiln_gen_reduce_work_items(const KilnGenReduceParams *p) {
  return kiln_gen_ceil_div(p->total, p->chunk);
}
static inline int64_t
kiln_gen_normalize_work_items(const KilnGenNormalizeParams *p) {
  return kiln_gen_ceil_div(p->total, p->chunk);
}
static inline int64_t kiln_gen_nll_loss_work_items(const KilnGenNllLossParams *p) {
  return p->reduction == 0 ? p->N : 1;
}
static inline int64_t kiln_gen_slice_work_items(const KilnGenSliceParams *p) {
  return kiln_gen_rows_of(p->rank, p->dims);
}
static inline int64_t kiln_gen_pad_work_items(const KilnGenPadParams *p) {
  return kiln_gen_rows_of(p->rank, p->out_dims);
}
static inline int64_t kiln_gen_resize_work_items(const KilnGenResizeParams *p) {
  return kiln_gen_rows_of(p->rank, p->out_dims);
}
static inline int64_t kiln_gen_copy_work_items(const KilnGenCopyParams *p) {
  return p->rows * kiln_gen_ceil_div(p->cols, p->chunk);
}
static inline int64_t kiln_gen_gather_work_items(const KilnGenGatherParams *p) {
  return p->outer * p->K;
}
static inline int64_t
kiln_gen_reorder_work_items(const KilnGenReorderParams *p) {
  int64_t c = p->out_block ? kiln_gen_ceil_div(p->C, p->out_block) * p->out_block
                           : p->C;
  return p->N * c;
}

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_GEN_KERNEL(name, P)                                               \
  KILN_KERNEL void name(const P *p, void *const *bufs, int64_t begin,          \
                        int64_t end)

KILN_GEN_KERNEL(kiln_gen_conv2d_f32, KilnGenConvParams);
KILN_GEN_KERNEL(kiln_gen_conv_transpose2d_f32, KilnGenConvTransposeParams);
KILN_GEN_KERNEL(kiln_gen_pool2d_f32, KilnGenPoolParams);
KILN_GEN_KERNEL(kiln_gen_maxpool2d_indices_f32, KilnGenPoolIndicesParams);
KILN_GEN_KERNEL(kiln_gen_global_pool_f32, KilnGenGlobalPoolParams);
KILN_GEN_KERNEL(kiln_gen_lrn_f32, KilnGenLrnParams);
KILN_GEN_KERNEL(kiln_gen_scale_shift_f32, KilnGenScaleShiftParams);
KILN_GEN_KERNEL(kiln_gen_gemm_f32, KilnGenGemmParams);
KILN_GEN_KERNEL(kiln_gen_unary_f32, KilnGenUnaryParams);
KILN_GEN_KERNEL(kiln_gen_nary, KilnGenNaryParams);
KILN_GEN_KERNEL(kiln_gen_cast, KilnGenCastParams);
KILN_GEN_KERNEL(kiln_gen_quantize_f32, KilnGenQuantizeParams);
KILN_GEN_KERNEL(kiln_gen_dequantize_f32, KilnGenQuantizeParams);
KILN_GEN_KERNEL(kiln_gen_softmax_f32, KilnGenSoftmaxParams);
KILN_GEN_KERNEL(kiln_gen_transpose, KilnGenTransposeParams);
KILN_GEN_KERNEL(kiln_gen_reduce_f32, KilnGenReduceParams);
KILN_GEN_KERNEL(kiln_gen_normalize_f32, KilnGenNormalizeParams);
KILN_GEN_KERNEL(kiln_gen_nll_loss_f32, KilnGenNllLossParams);
KILN_GEN_KERNEL(kiln_gen_slice, KilnGenSliceParams);
KILN_GEN_KERNEL(kiln_gen_pad, KilnGenPadParams);
KILN_GEN_KERNEL(kiln_gen_resize_f32, KilnGenResizeParams);
KILN_GEN_KERNEL(kiln_gen_copy_f32, KilnGenCopyParams);
KILN_GEN_KERNEL(kiln_gen_copy_u8, KilnGenCopyParams);
KILN_GEN_KERNEL(kiln_gen_gather, KilnGenGatherParams);
KILN_GEN_KERNEL(kiln_gen_reorder_f32, KilnGenReorderParams);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_GENERIC_GENERIC_H
