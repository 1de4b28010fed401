//===- Reduction.cpp - Reference Reduce* ops ------------------------------===//
//
// Every op of compiler/ir/Reductions.def: for each output element, the
// reduced elements in row-major order through the scalar math the generic
// kernel runs too (codegen/kernels/Reduction.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/Reduction.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/OpAttrs.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include <cmath>

namespace kiln::ref {

llvm::Expected<Tensor> reduction_ref(OpKind op, const Tensor &x, const Attrs &a) {
  const auto &axes = a.getInts("axes");
  const bool keepDims = a.getInt("keepdims") != 0;
  if (!x.isF32())
    return inputError(fmt::format("{} of {} is not supported", opName(op),
                                  dtypeName(x.dtype())));
  const Dims &xd = x.dims();
  // kept: the output's index space at full rank (reduced dims are 1);
  // reduced: the reduced index space (kept dims are 1).
  Dims kept = xd, reduced(xd.size(), 1), out;
  std::vector<bool> isReduced(xd.size());
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= int64_t(xd.size()))
      return inputError(fmt::format("{} axis {} is out of range", opName(op), axis));
    kept[size_t(axis)] = 1;
    reduced[size_t(axis)] = xd[size_t(axis)];
    isReduced[size_t(axis)] = true;
  }
  for (size_t d = 0; d < xd.size(); ++d)
    if (!isReduced[d])
      out.push_back(xd[d]);
    else if (keepDims)
      out.push_back(1);
  Tensor y = Tensor::zeros({DType::F32, out});
  const Dims strides = contiguousStrides(xd);
  auto offsetOf = [&](const Dims &space, int64_t flat) {
    int64_t off = 0;
    for (size_t d = space.size(); d-- > 0;) {
      off += flat % space[d] * strides[d];
      flat /= space[d];
    }
    return off;
  };
  int64_t count = 1;
  for (int64_t r : reduced)
    count *= r;
  const int64_t code = reductionCode(op);
  for (int64_t o = 0; o < y.numElements(); ++o) {
    const int64_t base = offsetOf(kept, o);
    y.f32[size_t(o)] = kiln_reduce(
        code, count, [&](int64_t i) { return x.f32[size_t(base + offsetOf(reduced, i))]; },
        [](float v) { return std::exp(v); }, [](float v) { return std::log(v); });
  }
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> reductionEvaluators() {
  using A = const EvalArgs &;
  constexpr EvalFn Reduction = [](A e) { return reduction_ref(e.op, e.operand(0), e.attrs); };
  static constexpr OpEvaluator Table[] = {
#define REDUCTION(Name, ...) {OpKind::Name, Reduction},
#include "compiler/ir/Reductions.def"
  };
  return Table;
}

} // namespace kiln::ref
