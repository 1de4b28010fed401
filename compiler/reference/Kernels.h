//===- Kernels.h - One reference kernel per op -------------------*- C++ -*-===//
//
// Plain loops over logical, row-major tensors, written to be checked by eye
// against the ONNX operator spec. Each kernel reads the op's canonical
// attributes (docs/IR.md) from an Attrs, so the same kernel serves the op and
// the fused epilogue of the same name, and computes its own result shape: the
// interpreter compares it with the type shape inference declared.
//
// Preconditions are those of a verified graph (ranks, channel counts,
// broadcast-compatible shapes) and are asserted; failures that depend on the
// data (an index out of range) are returned as errors.
//
// Names follow the house rule for kernels (what, then how): conv2d_ref is the
// reference 2-D convolution; the fast ones live in compiler/codegen/.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_KERNELS_H
#define KILN_REFERENCE_KERNELS_H

#include "compiler/ir/IR.h"
#include "compiler/reference/Tensor.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace kiln::ref {

//===--- Convolution, pooling, normalization (ConvPool.cpp) ---------------===//

/// Conv: x[N,C,H,W], w[M,C/group,kH,kW], bias[M] or null. Attributes
/// kernel strides pads dilations group. `threads` splits the output channels.
/// ConvTranspose {kernel strides pads dilations group}: each output element
/// gathers the inputs whose scatter reaches it (the kernel scatters).
Tensor conv_transpose2d_ref(const Tensor &x, const Tensor &w, const Tensor *bias,
                            const Attrs &a);
Tensor conv2d_ref(const Tensor &x, const Tensor &w, const Tensor *bias,
                  const Attrs &a, unsigned threads = 1);
/// MaxPool: kernel strides pads dilations ceil_mode. Padding never wins.
Tensor maxpool2d_ref(const Tensor &x, const Attrs &a);
/// kiln.MaxPoolIndices (ONNX MaxPool's Indices): as MaxPool, plus
/// storage_order; i64 index of each window's first maximum in the flattened
/// input (N and C included), row-major (0) or column-major over H,W (1).
Tensor maxpool2d_indices_ref(const Tensor &x, const Attrs &a);
/// AveragePool: kernel strides pads ceil_mode count_include_pad. With
/// count_include_pad the divisor counts the window clipped to the padded
/// input (what ceil_mode adds past the end padding is not counted), as in
/// ONNX Runtime.
Tensor avgpool2d_ref(const Tensor &x, const Attrs &a);
/// GlobalAveragePool / GlobalMaxPool over all axes after the channel axis.
Tensor globalavgpool_ref(const Tensor &x);
Tensor globalmaxpool_ref(const Tensor &x);
/// LRN across channels: y = x / (bias + alpha/size * sum(x^2))^beta over
/// channels [c - floor((size-1)/2), c + ceil((size-1)/2)].
Tensor lrn_ref(const Tensor &x, const Attrs &a);
/// BatchNormalization, inference: (x - mean) / sqrt(var + epsilon) * scale + b.
Tensor batchnorm_ref(const Tensor &x, const Tensor &scale, const Tensor &b,
                     const Tensor &mean, const Tensor &var, const Attrs &a);
/// kiln.ScaleShift: x * scale[c] + shift[c] along axis 1.
Tensor scaleshift_ref(const Tensor &x, const Tensor &scale, const Tensor &shift);

/// Spatial output size of a window along one axis (the ONNX/PyTorch rule:
/// in ceil mode, a window may not start in the end padding). -1 when even
/// one window does not fit.
int64_t windowOutputSize(int64_t in, int64_t k, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode);

//===--- Dense algebra (Dense.cpp) ----------------------------------------===//

/// Gemm: alpha * op(A) * op(B) + beta * C, C broadcast to [M,N] (or absent).
Tensor gemm_ref(const Tensor &a, const Tensor &b, const Tensor *c, const Attrs &attrs);
/// MatMul with numpy semantics: 1-D operands are promoted and the added axis
/// removed again, batch axes broadcast.
Tensor matmul_ref(const Tensor &a, const Tensor &b);

//===--- Elementwise (Elementwise.cpp) ------------------------------------===//

/// Add, Sub, Mul, Div with numpy broadcasting; f32 or i64 (integer division
/// truncates; division by zero is an error).
llvm::Expected<Tensor> binary_ref(OpKind op, const Tensor &a, const Tensor &b);
/// Sum of one or more tensors with numpy broadcasting.
Tensor sum_ref(const std::vector<const Tensor *> &xs);
/// Any op of the ElementwiseBinary family on any element type it accepts,
/// with numpy broadcasting: the scalar math of
/// compiler/codegen/kernels/Binary.h, which the compiled kernel runs too,
/// in the operands' own width (i8 wraps at 8 bits).
Tensor elementwise_ref(OpKind op, const Attrs &a, const std::vector<const Tensor *> &xs);
/// Any activation of compiler/ir/Activations.def, its attributes A and B in
/// `a` (the math: compiler/codegen/kernels/Activation.h, shared with the
/// compiled kernels).
Tensor activation_ref(OpKind op, const Tensor &x, const Attrs &a);
/// Softmax: axis legacy. legacy=1 (opset < 13): the input is seen as 2-D
/// [prod(dims[:axis]), prod(dims[axis:])] and rows are normalized;
/// legacy=0: normalized along `axis` only.
/// LogSoftmax, Hardmax: the same rows (Hardmax: 1 at the first maximum).
Tensor softmax_ref(const Tensor &x, const Attrs &a, OpKind op = OpKind::Softmax);

/// LayerNormalization, InstanceNormalization, MeanVarianceNormalization,
/// LpNormalization (Reduction.cpp): compiler/ir/Normalize.h's form, in
/// double, two passes. scale and bias are null when absent.
Tensor normalize_ref(OpKind op, const Tensor &x, const Tensor *scale, const Tensor *bias,
                     const Attrs &a);

/// NegativeLogLikelihoodLoss {reduction has_ignore_index ignore_index}
/// (Reduction.cpp): -input[n, target, d] * weight[target], summed or
/// averaged over the weights of the targets not ignored. A target outside
/// [0, C) that is not ignored is an error.
llvm::Expected<Tensor> nll_loss_ref(const Tensor &x, const Tensor &target,
                                    const Tensor *weight, const Attrs &a);

//===--- Data movement (DataMovement.cpp); any dtype ----------------------===//

Tensor flatten_ref(const Tensor &x, const Attrs &a);
Tensor reshape_ref(const Tensor &x, const Attrs &a);
Tensor transpose_ref(const Tensor &x, const Attrs &a);
Tensor concat_ref(const std::vector<const Tensor *> &xs, const Attrs &a);
/// Pad: pads (begins, then ends; negative crops) mode value.
Tensor pad_ref(const Tensor &x, const Attrs &a);
/// Any Reduce* op of compiler/ir/Reductions.def: axes keepdims; f32.
llvm::Expected<Tensor> reduction_ref(OpKind op, const Tensor &x, const Attrs &a);
/// Slice: begin end step per axis (canonical, clamped; docs/IR.md).
llvm::Expected<Tensor> slice_ref(const Tensor &x, const Attrs &a);
/// Resize (f32): sizes scales roi mode coordinate_transformation_mode
/// nearest_mode cubic_coeff_a exclude_outside extrapolation_value (docs/IR.md),
/// per output element through the spec's formulas (compiler/ir/Resize.h).
llvm::Expected<Tensor> resize_ref(const Tensor &x, const Attrs &a);
/// Shape: i64 dims[start:end].
Tensor shape_ref(const Tensor &x, const Attrs &a);
/// Gather along axis; negative indices (i64 or i32) count from the end.
llvm::Expected<Tensor> gather_ref(const Tensor &data, const Tensor &indices,
                                  const Attrs &a);
Tensor unsqueeze_ref(const Tensor &x, const Attrs &a);
Tensor squeeze_ref(const Tensor &x, const Attrs &a);
/// Cast: to. Between f32 and every integer type and bool, as ONNX states it
/// (float -> integer truncates toward zero; -> bool is "non-zero"; bool ->
/// 0 or 1), and where ONNX leaves it undefined (NaN, out of range) as ONNX
/// Runtime computes it on x86-64. Casts to f16 and f64 are errors: a Tensor
/// cannot hold them.
llvm::Expected<Tensor> cast_ref(const Tensor &x, const Attrs &a);
/// Identity, Dropout (inference): a copy.
Tensor identity_ref(const Tensor &x);

//===--- Indexing, selection, generated tensors (Movement.cpp) ------------===//

/// ArgMax / ArgMin: axis keepdims select_last_index; i64 (ties: the first
/// index, or the last with select_last_index).
llvm::Expected<Tensor> argextreme_ref(OpKind op, const Tensor &x, const Attrs &a);
/// TopK (values) or kiln.TopKIndices (`indices`): axis k largest sorted; always
/// sorted, ties by the lower index.
Tensor topk_ref(const Tensor &x, const Attrs &a, bool indices);
/// CumSum: axis exclusive reverse; integers wrap to their type.
Tensor cumsum_ref(const Tensor &x, const Attrs &a);
/// Trilu over the last two axes: upper k.
Tensor trilu_ref(const Tensor &x, const Attrs &a);
/// Expand to `shape` (numpy broadcasting, resolved); Tile by `repeats`.
Tensor expand_ref(const Tensor &x, const Attrs &a);
Tensor tile_ref(const Tensor &x, const Attrs &a);
/// GatherElements / ScatterElements along axis (reduction none, add, mul);
/// negative indices count from the end, out of range ones are errors.
llvm::Expected<Tensor> gatherelements_ref(const Tensor &data, const Tensor &idx,
                                          const Attrs &a);
llvm::Expected<Tensor> scatterelements_ref(const Tensor &data, const Tensor &idx,
                                           const Tensor &upd, const Attrs &a);
/// GatherND (batch_dims) / ScatterND (reduction none, add, mul).
llvm::Expected<Tensor> gathernd_ref(const Tensor &data, const Tensor &idx, const Attrs &a);
llvm::Expected<Tensor> scatternd_ref(const Tensor &data, const Tensor &idx,
                                     const Tensor &upd, const Attrs &a);
/// OneHot(indices, values = [off, on]): axis depth.
Tensor onehot_ref(const Tensor &idx, const Tensor &values, const Attrs &a);
/// Size: the element count, an i64 scalar.
Tensor size_ref(const Tensor &x);
/// Range: start + i * delta for i < max(ceil((limit - start) / delta), 0).
Tensor range_ref(const Tensor &start, const Tensor &limit, const Tensor &delta);
//===--- Quantization (Quantize.cpp) ---------------------------------------===//

/// QuantizeLinear: saturate(round_half_even(x / scale) + zero_point) into
/// zero_point's type (u8 or i8); parameters per tensor or along `axis`.
Tensor quantize_ref(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                    const Attrs &a);
/// DequantizeLinear: (x - zero_point) * scale in f32; x u8, i8 or i32.
Tensor dequantize_ref(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                      const Attrs &a);

} // namespace kiln::ref

#endif // KILN_REFERENCE_KERNELS_H
