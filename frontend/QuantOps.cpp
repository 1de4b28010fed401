//===- QuantOps.cpp - Import of the quantization ops ----------------------===//
//
// QuantizeLinear and DequantizeLinear are imported as themselves, with every
// operand present (an absent zero point becomes a zero constant of the type
// the spec implies) and `axis` non-negative. The integer compute ops become
// the QDQ form kiln's other importers already produce for ONNX Runtime's
// quantizer, so one pattern serves both (docs/INT8.md):
//
//   QLinearConv(x, xs, xz, w, ws, wz, ys, yz, B?)
//     ==> Q(Conv(DQ(x, xs, xz), DQ(w, ws, wz; axis 0), DQ(B, xs*ws, 0; axis 0)), ys, yz)
//   ConvInteger(x, w, xz?, wz?)        ==> Cast<i32>(Conv(DQ(x, 1, xz), DQ(w, 1, wz; axis 0)))
//   QLinearMatMul(a, as, az, b, bs, bz, ys, yz)
//     ==> Q(MatMul(DQ(a, as, az; rows), DQ(b, bs, bz; columns)), ys, yz)
//   MatMulInteger(a, b, az?, bz?)      ==> Cast<i32>(MatMul(DQ(a, 1, az), DQ(b, 1, bz)))
//
// Constant weights dequantize at import (the Q/DQ of constants folds), so
// the f32 Conv and MatMul see f32 weights. ConvInteger and MatMulInteger are
// exact while partial sums stay below 2^24 in magnitude (f32 accumulation of
// exact integer products).
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportContext.h"
#include "frontend/OpImporters.h"

namespace kiln::frontend {

namespace {

/// A constant of `t` filled with `value` (zero points, unit scales).
Value *filledConstant(NodeContext &c, DType t, const Dims &dims, double value,
                      const std::string &suffix) {
  auto data = std::make_shared<ConstantData>();
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  if (t == DType::F32)
    data->f32.assign(size_t(n), float(value));
  else
    data->i64.assign(size_t(n), int64_t(value));
  return c.helperConstant(ConstantTensor{TensorType{t, dims}, data}, suffix);
}

/// The zero point operand `i`, or a zero of type `t` shaped as `scale`.
Value *zeroPointOr(NodeContext &c, size_t i, DType t, const Value *scale,
                   const std::string &suffix) {
  if (Value *zp = c.optionalInput(i))
    return zp;
  if (c.failed() || !scale)
    return nullptr;
  return filledConstant(c, t, scale->type.dims, 0, suffix);
}

/// `axis` of the node (opset 13+; per-tensor only before), non-negative.
/// Only a per-axis scale reads it: with a per-tensor one (one element) an
/// axis the input lacks (the default 1 on a vector) is not an error.
int64_t quantAxis(NodeContext &c, const Value *x, const Value *scale) {
  if (c.opset() < 13 || !x || !scale)
    return 1;
  int64_t axis = c.attrInt("axis", 1), rank = x->type.rank();
  if (c.failed())
    return 1;
  if (scale->type.numElements() == 1 && scale->type.rank() <= 1)
    return axis >= -rank && axis < rank ? (axis + rank) % rank : 0;
  return normalizeAxis(c, axis, rank, "axis");
}

/// Opset 21's blocked quantization is not supported.
bool refuseBlocks(NodeContext &c) {
  if (c.attrInt("block_size", 0) != 0) {
    c.unsupported("blocked quantization (block_size)");
    return true;
  }
  return false;
}

Attrs axisAttr(int64_t axis) {
  Attrs a;
  a.set("axis", axis);
  return a;
}

/// DequantizeLinear of a helper operand (not the node's output).
Value *dequantize(NodeContext &c, Value *x, Value *scale, Value *zp, int64_t axis,
                  const std::string &suffix) {
  if (!x || !scale || !zp)
    return nullptr;
  return c.emitHelper(OpKind::DequantizeLinear, {x, scale, zp}, axisAttr(axis), suffix);
}

/// The axis a 1-D parameter of a MatMul operand runs along: rows of A
/// (rank-2), columns of B (rank-1); 0 for a 1-D operand.
int64_t matmulParamAxis(const Value *x, bool isA) {
  int64_t r = x ? x->type.rank() : 0;
  return r < 2 ? 0 : isA ? r - 2 : r - 1;
}

} // namespace

// QuantizeLinear(x, y_scale, y_zero_point?) {axis=1 (13+), saturate=1 (19+,
// float8 only), block_size=0 (21+), output_dtype=0 (21+)}
// y_zero_point's type is the result's, uint8 when it is absent.
static void importQuantizeLinear(NodeContext &c) {
  Value *x = c.input(0), *scale = c.input(1);
  int64_t axis = quantAxis(c, x, scale);
  if (refuseBlocks(c))
    return;
  DType t = DType::U8;
  if (int64_t od = c.attrInt("output_dtype", 0); od != 0) {
    DType odt;
    if (!dtypeFromOnnx(int32_t(od), odt) || (odt != DType::U8 && odt != DType::I8))
      return c.unsupported(fmt::format("QuantizeLinear to {}", onnxTypeName(int32_t(od))));
    t = odt;
  }
  Value *zp = zeroPointOr(c, 2, t, scale, "zero_point");
  if (c.failed())
    return;
  c.emit(OpKind::QuantizeLinear, {x, scale, zp}, axisAttr(axis));
}

// DequantizeLinear(x, x_scale, x_zero_point?) {axis=1 (13+), block_size=0 (21+)}
static void importDequantizeLinear(NodeContext &c) {
  Value *x = c.input(0), *scale = c.input(1);
  int64_t axis = quantAxis(c, x, scale);
  if (refuseBlocks(c) || !x)
    return;
  Value *zp = zeroPointOr(c, 2, x->type.dtype, scale, "zero_point");
  if (c.failed())
    return;
  c.emit(OpKind::DequantizeLinear, {x, scale, zp}, axisAttr(axis));
}

// QLinearConv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
//   y_zero_point, B?) {Conv's attributes}. B is int32 with scale
//   x_scale * w_scale and zero point 0.
static void importQLinearConv(NodeContext &c) {
  Value *x = c.input(0), *xs = c.input(1), *xz = c.input(2);
  Value *w = c.input(3), *ws = c.input(4), *wz = c.input(5);
  Value *ys = c.input(6), *yz = c.input(7), *b = c.optionalInput(8);
  if (c.failed())
    return;
  Value *xf = dequantize(c, x, xs, xz, 1, "x");
  Value *wf = dequantize(c, w, ws, wz, 0, "w");
  Value *bf = nullptr;
  if (b) {
    Value *bs = c.emitHelper(OpKind::Mul, {xs, ws}, {}, "bias_scale");
    Value *bz = bs ? filledConstant(c, b->type.dtype, bs->type.dims, 0, "bias_zero_point")
                   : nullptr;
    bf = dequantize(c, b, bs, bz, 0, "bias");
  }
  Value *y = emitConv(c, xf, wf, bf, /*isOutput=*/false);
  if (!y)
    return;
  c.emit(OpKind::QuantizeLinear, {y, ys, yz}, axisAttr(1));
}

// ConvInteger(x, w, x_zero_point?, w_zero_point?) {Conv's attributes} -> int32
static void importConvInteger(NodeContext &c) {
  Value *x = c.input(0), *w = c.input(1);
  if (c.failed())
    return;
  Value *one = filledConstant(c, DType::F32, {}, 1.0, "unit_scale");
  Value *xz = zeroPointOr(c, 2, x->type.dtype, one, "x_zero_point");
  Value *wz = c.optionalInput(3);
  Value *ws = one;
  if (wz && wz->type.rank() == 1 && wz->type.dims[0] != 1)
    ws = filledConstant(c, DType::F32, wz->type.dims, 1.0, "w_unit_scale");
  if (!wz)
    wz = zeroPointOr(c, 3, w->type.dtype, one, "w_zero_point");
  Value *y = emitConv(c, dequantize(c, x, one, xz, 1, "x"),
                      dequantize(c, w, ws, wz, 0, "w"), nullptr, /*isOutput=*/false);
  if (!y)
    return;
  Attrs a;
  a.set("to", int64_t(DType::I32));
  c.emit(OpKind::Cast, {y}, a);
}

/// The f32 MatMul of the dequantized operands of QLinearMatMul or
/// MatMulInteger; 1-D parameters run along the rows of a, the columns of b.
static Value *dequantizedMatMul(NodeContext &c, Value *a, Value *as, Value *az, Value *b,
                                Value *bs, Value *bz) {
  Value *af = dequantize(c, a, as, az, matmulParamAxis(a, true), "a");
  Value *bf = dequantize(c, b, bs, bz, matmulParamAxis(b, false), "b");
  if (!af || !bf)
    return nullptr;
  return c.emitHelper(OpKind::MatMul, {af, bf}, {}, "matmul");
}

// QLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
//   y_zero_point): parameters per tensor, or per row of a / column of b.
static void importQLinearMatMul(NodeContext &c) {
  Value *a = c.input(0), *as = c.input(1), *az = c.input(2);
  Value *b = c.input(3), *bs = c.input(4), *bz = c.input(5);
  Value *ys = c.input(6), *yz = c.input(7);
  if (c.failed())
    return;
  Value *y = dequantizedMatMul(c, a, as, az, b, bs, bz);
  if (!y)
    return;
  c.emit(OpKind::QuantizeLinear, {y, ys, yz}, axisAttr(y->type.rank() > 1 ? 1 : 0));
}

// MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32; zero points per
// tensor, or per row of A / column of B.
static void importMatMulInteger(NodeContext &c) {
  Value *a = c.input(0), *b = c.input(1);
  if (c.failed())
    return;
  Value *one = filledConstant(c, DType::F32, {}, 1.0, "unit_scale");
  auto unitScaleFor = [&](Value *zp, const char *suffix) {
    if (zp && zp->type.numElements() != 1)
      return filledConstant(c, DType::F32, zp->type.dims, 1.0, suffix);
    return one;
  };
  Value *az = c.optionalInput(2), *bz = c.optionalInput(3);
  Value *as = unitScaleFor(az, "a_unit_scale"), *bs = unitScaleFor(bz, "b_unit_scale");
  if (!az)
    az = zeroPointOr(c, 2, a->type.dtype, one, "a_zero_point");
  if (!bz)
    bz = zeroPointOr(c, 3, b->type.dtype, one, "b_zero_point");
  Value *y = dequantizedMatMul(c, a, as, az, b, bs, bz);
  if (!y)
    return;
  Attrs attrs;
  attrs.set("to", int64_t(DType::I32));
  c.emit(OpKind::Cast, {y}, attrs);
}

std::span<const OpImporter> quantOpImporters() {
  static constexpr OpImporter Table[] = {
      {"QuantizeLinear", importQuantizeLinear},
      {"DequantizeLinear", importDequantizeLinear},
      {"QLinearConv", importQLinearConv},
      {"ConvInteger", importConvInteger},
      {"QLinearMatMul", importQLinearMatMul},
      {"MatMulInteger", importMatMulInteger},
  };
  return Table;
}

} // namespace kiln::frontend
