//===- OpAttrs.h - Typed readers of canonical attributes ---------*- C++ -*-===//
//
// The attributes of docs/IR.md's canonical forms, read once into a struct, so
// passes, the interpreter and the code generator do not each spell out
// "kernel", "strides", "pads" and their index conventions. They assert what
// the importer and shape inference guarantee (canonical, checked attributes);
// shape inference itself reads with error checks, since it guards the
// importer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPATTRS_H
#define KILN_IR_OPATTRS_H

#include "compiler/ir/IR.h"

namespace kiln {

/// The ElementwiseBinary family's kernel op code (KilnGenBinaryOp,
/// compiler/codegen/kernels/generic/Generic.h) of a node: the one table from
/// op to what compiler/codegen/kernels/Binary.h computes, read by the
/// reference and the lowering alike. Mod reads `fmod`, BitShift `direction`.
int64_t elementwiseCode(OpKind op, const Attrs &a);

/// Whether an ElementwiseBinary op computes on operands of type `t` (Where:
/// its x and y; the condition is bool).
bool elementwiseAccepts(OpKind op, DType t);

/// The family's result type for operands of type `t`: bool for comparisons,
/// And, Or, Xor and Not, else `t`.
DType elementwiseResult(OpKind op, DType t);

/// A 2-D window (Conv, MaxPool, AveragePool, kiln.MaxPoolIndices, and a
/// pool fused into a Conv).
struct Window2d {
  int64_t kh, kw;         ///< kernel
  int64_t sh, sw;         ///< strides
  int64_t pt, pl, pb, pr; ///< pads: top, left, bottom, right
  int64_t dh = 1, dw = 1; ///< dilations (AveragePool has none: 1)

  bool unitStride() const { return sh == 1 && sw == 1; }
  bool unitDilation() const { return dh == 1 && dw == 1; }
  bool zeroPads() const { return pt == 0 && pl == 0 && pb == 0 && pr == 0; }
};

/// Conv {kernel strides pads dilations group}.
struct ConvAttrs {
  Window2d window;
  int64_t group;
};
ConvAttrs convAttrs(const Attrs &a);
inline ConvAttrs convAttrs(const Node &n) { return convAttrs(n.attrs); }

/// MaxPool, AveragePool, kiln.MaxPoolIndices, or such a pool's Fusion
/// {kernel strides pads dilations? ceil_mode? count_include_pad?}; absent
/// optional attributes read as 1, 0 and 0.
struct PoolAttrs {
  Window2d window;
  bool ceilMode;
  bool countIncludePad;
};
PoolAttrs poolAttrs(const Attrs &a);
inline PoolAttrs poolAttrs(const Node &n) { return poolAttrs(n.attrs); }

} // namespace kiln

#endif // KILN_IR_OPATTRS_H
