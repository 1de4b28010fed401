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

#include <optional>

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

/// Elements one axis of a canonical Slice keeps (begin, begin+step, ...
/// before end), or nullopt when the bounds are not clamped to `dim`: step
/// > 0 needs 0 <= begin, end <= dim; step < 0 needs 0 <= begin <= dim-1 and
/// -1 <= end <= dim-1 (-1: through index 0).
inline std::optional<int64_t> sliceExtent(int64_t dim, int64_t begin, int64_t end,
                                          int64_t step) {
  if (step > 0 && begin >= 0 && begin <= dim && end >= 0 && end <= dim)
    return end > begin ? (end - begin + step - 1) / step : 0;
  if (step < 0 && step != INT64_MIN && dim > 0 && begin >= 0 && begin < dim &&
      end >= -1 && end < dim)
    return begin > end ? (begin - end - step - 1) / -step : 0;
  return std::nullopt;
}

/// The KilnReduction code of a Reduce* op (its row of Reductions.def), 0 for
/// other ops.
inline int64_t reductionCode(OpKind op) {
  switch (op) {
#define REDUCTION(Name, ABI, Code, AxesInput)                                  \
  case OpKind::Name:                                                           \
    return Code;
#include "compiler/ir/Reductions.def"
  default:
    return 0;
  }
}

} // namespace kiln

#endif // KILN_IR_OPATTRS_H
