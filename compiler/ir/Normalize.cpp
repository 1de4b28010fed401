//===- Normalize.cpp - One strided form for the row normalizations --------===//

#include "compiler/ir/Normalize.h"

#include <cassert>

namespace kiln {

/// Strides of an operand broadcast (numpy, right-aligned) over the axes
/// [from, rank) of x; 0 elsewhere and on its size-1 axes.
static Dims broadcastStrides(const Dims &x, size_t from, const Dims &operand) {
  Dims strides(x.size(), 0);
  int64_t stride = 1;
  size_t k = operand.size();
  for (size_t d = x.size(); d-- > from && k-- > 0;) {
    if (operand[k] != 1)
      strides[d] = stride;
    stride *= operand[k];
  }
  return strides;
}

NormalizeForm normalizeForm(OpKind op, const Dims &x, const Dims *scale,
                            const Dims *bias, const Attrs &a) {
  NormalizeForm f;
  const size_t rank = x.size();
  f.reduced.assign(rank, false);
  f.scaleStrides.assign(rank, 0);
  f.biasStrides.assign(rank, 0);
  f.hasScale = scale != nullptr;
  f.hasBias = bias != nullptr;
  switch (op) {
  case OpKind::LayerNormalization: {
    size_t axis = size_t(a.getInt("axis"));
    for (size_t d = axis; d < rank; ++d)
      f.reduced[d] = true;
    if (scale)
      f.scaleStrides = broadcastStrides(x, axis, *scale);
    if (bias)
      f.biasStrides = broadcastStrides(x, axis, *bias);
    f.epsilon = a.getFloat("epsilon");
    f.result = a.getInt("result");
    break;
  }
  case OpKind::InstanceNormalization:
    // Scale[C] and B[C] along axis 1; each (n, c) is a group.
    for (size_t d = 2; d < rank; ++d)
      f.reduced[d] = true;
    f.scaleStrides[1] = f.biasStrides[1] = 1;
    f.epsilon = a.getFloat("epsilon");
    break;
  case OpKind::MeanVarianceNormalization:
    // ONNX's function body: (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9).
    for (int64_t axis : a.getInts("axes"))
      f.reduced[size_t(axis)] = true;
    f.stdEpsilon = 1e-9;
    break;
  case OpKind::LpNormalization:
    f.reduced[size_t(a.getInt("axis"))] = true;
    f.p = a.getInt("p");
    break;
  default:
    assert(false && "not a row normalization");
  }
  return f;
}

Dims normalizeGroupDims(const Dims &x, const std::vector<bool> &reduced) {
  Dims out = x;
  for (size_t d = 0; d < out.size(); ++d)
    if (reduced[d])
      out[d] = 1;
  return out;
}

} // namespace kiln
