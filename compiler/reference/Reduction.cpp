//===- Reduction.cpp - Reference Reduce* ops ------------------------------===//
//
// Every op of compiler/ir/Reductions.def: for each output element, the
// reduced elements in row-major order through the scalar math the generic
// kernel runs too (codegen/kernels/Reduction.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/Reduction.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/Normalize.h"
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

Tensor normalize_ref(OpKind op, const Tensor &x, const Tensor *scale, const Tensor *bias,
                     const Attrs &a) {
  const Dims &xd = x.dims();
  NormalizeForm f = normalizeForm(op, xd, scale ? &scale->dims() : nullptr,
                                  bias ? &bias->dims() : nullptr, a);
  const Dims groupDims = normalizeGroupDims(xd, f.reduced);
  const int64_t groups = TensorType{DType::F32, groupDims}.numElements();
  // Each element's group (row-major over groupDims) and Scale/B offsets.
  const size_t count = size_t(x.type.numElements());
  std::vector<int64_t> group(count), sIdx(count), bIdx(count);
  Dims idx(xd.size(), 0);
  for (size_t i = 0; i < count; ++i) {
    int64_t g = 0, si = 0, bi = 0;
    for (size_t d = 0; d < xd.size(); ++d) {
      g = g * groupDims[d] + (f.reduced[d] ? 0 : idx[d]);
      si += idx[d] * f.scaleStrides[d];
      bi += idx[d] * f.biasStrides[d];
    }
    group[i] = g, sIdx[i] = si, bIdx[i] = bi;
    for (size_t d = xd.size(); d-- > 0;)
      if (++idx[d] < xd[d])
        break;
      else
        idx[d] = 0;
  }
  const size_t ng = size_t(groups);
  std::vector<double> sum(ng, 0.0), dev(ng, 0.0), n(ng, 0.0);
  for (size_t i = 0; i < count; ++i) {
    double v = x.f32[i];
    sum[size_t(group[i])] += f.p == 1 ? std::fabs(v) : f.p == 2 ? v * v : v;
    n[size_t(group[i])] += 1;
  }
  std::vector<double> mean(ng, 0.0), mul(ng, 0.0);
  if (f.p == 0) {
    for (int64_t g = 0; g < groups; ++g)
      mean[size_t(g)] = sum[size_t(g)] / n[size_t(g)];
    for (size_t i = 0; i < count; ++i) {
      double d = x.f32[i] - mean[size_t(group[i])];
      dev[size_t(group[i])] += d * d;
    }
  }
  for (int64_t g = 0; g < groups; ++g) {
    size_t k = size_t(g);
    if (f.p == 0)
      mul[k] = 1.0 / (std::sqrt(dev[k] / n[k] + f.epsilon) + f.stdEpsilon);
    else {
      double norm = f.p == 1 ? sum[k] : std::sqrt(sum[k]);
      mul[k] = norm == 0.0 ? 0.0 : 1.0 / norm;
    }
  }
  if (f.result != 0) {
    Tensor r = Tensor::zeros(TensorType{DType::F32, groupDims});
    for (int64_t g = 0; g < groups; ++g)
      r.f32[size_t(g)] = float(f.result == 1 ? mean[size_t(g)] : mul[size_t(g)]);
    return r;
  }
  Tensor y = Tensor::zeros(x.type);
  for (size_t i = 0; i < count; ++i) {
    size_t g = size_t(group[i]);
    double v = (x.f32[i] - mean[g]) * mul[g];
    if (scale)
      v *= scale->f32[size_t(sIdx[i])];
    if (bias)
      v += bias->f32[size_t(bIdx[i])];
    y.f32[i] = float(v);
  }
  return y;
}

llvm::Expected<Tensor> nll_loss_ref(const Tensor &x, const Tensor &target,
                                    const Tensor *weight, const Attrs &a) {
  const int64_t reduction = a.getInt("reduction");
  const bool hasIgnore = a.getInt("has_ignore_index") != 0;
  const int64_t ignore = a.getInt("ignore_index");
  const int64_t N = x.dims()[0], C = x.dims()[1];
  const int64_t D = N == 0 ? 0 : target.type.numElements() / N;
  Tensor loss = Tensor::zeros(TensorType{DType::F32, target.dims()});
  double sum = 0.0, weights = 0.0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) {
      int64_t t = target.i64[size_t(n * D + d)];
      if (hasIgnore && t == ignore)
        continue;
      if (t < 0 || t >= C)
        return inputError(fmt::format("target {} is outside [0, {})", t, C));
      double w = weight ? weight->f32[size_t(t)] : 1.0;
      double l = -double(x.f32[size_t((n * C + t) * D + d)]) * w;
      loss.f32[size_t(n * D + d)] = float(l);
      sum += l;
      weights += w;
    }
  if (reduction == 0)
    return loss;
  Tensor r = Tensor::zeros(TensorType{DType::F32, {}});
  r.f32[0] = float(reduction == 1 ? sum : sum / weights);
  return r;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> reductionEvaluators() {
  using A = const EvalArgs &;
  constexpr EvalFn Reduction = [](A e) { return reduction_ref(e.op, e.operand(0), e.attrs); };
  constexpr EvalFn Normalize = [](A e) -> llvm::Expected<Tensor> {
    return normalize_ref(e.op, e.operand(0), e.optional(1), e.optional(2), e.attrs);
  };
  static constexpr OpEvaluator Table[] = {
#define REDUCTION(Name, ...) {OpKind::Name, Reduction},
#include "compiler/ir/Reductions.def"
      {OpKind::LayerNormalization, Normalize},
      {OpKind::InstanceNormalization, Normalize},
      {OpKind::MeanVarianceNormalization, Normalize},
      {OpKind::LpNormalization, Normalize},
      {OpKind::NegativeLogLikelihoodLoss,
       [](A e) { return nll_loss_ref(e.operand(0), e.operand(1), e.optional(2), e.attrs); }},
  };
  return Table;
}

} // namespace kiln::ref
