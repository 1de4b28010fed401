//===- Movement.cpp - Reference indexing, selection and generated tensors -===//
//
// ArgMax, ArgMin, TopK, CumSum, Trilu, Expand, Tile, GatherElements,
// GatherND, ScatterElements, ScatterND, OneHot, Size and Range, each written
// as the ONNX spec states it, over row-major multi-indices. Elements are read
// as the Tensor holds them (f32, or integers widened to i64), so one loop
// serves every element type; integer sums wrap to the element type.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Diagnostics.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln::ref {

namespace {

int64_t product(const Dims &d, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < d.size(); ++i)
    p *= d[i];
  return p;
}

/// The row-major multi-index of flat index i.
Dims unflatten(const Dims &dims, int64_t i) {
  Dims idx(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    idx[d] = dims[d] ? i % dims[d] : 0;
    i = dims[d] ? i / dims[d] : 0;
  }
  return idx;
}

int64_t flatten(const Dims &dims, const Dims &idx) {
  int64_t off = 0;
  for (size_t d = 0; d < dims.size(); ++d)
    off = off * dims[d] + idx[d];
  return off;
}

/// v as `t` holds it: integers wrap to their width (two's complement).
int64_t wrapTo(DType t, int64_t v) {
  switch (t) {
  case DType::I8: return int8_t(v);
  case DType::U8: return uint8_t(v);
  case DType::I32: return int32_t(v);
  default: return v;
  }
}

/// a + b and a * b in two's complement (unsigned: no signed overflow), then
/// wrapped to t.
int64_t addWrap(DType t, int64_t a, int64_t b) { return wrapTo(t, int64_t(uint64_t(a) + uint64_t(b))); }
int64_t mulWrap(DType t, int64_t a, int64_t b) { return wrapTo(t, int64_t(uint64_t(a) * uint64_t(b))); }

/// x[i] < x[j] and x[i] == x[j] in the element type (not through double,
/// which merges large int64 values).
bool lessAt(const Tensor &x, int64_t i, int64_t j) {
  return x.holdsFloat() ? x.f32[size_t(i)] < x.f32[size_t(j)] : x.i64[size_t(i)] < x.i64[size_t(j)];
}
bool equalAt(const Tensor &x, int64_t i, int64_t j) {
  return x.holdsFloat() ? x.f32[size_t(i)] == x.f32[size_t(j)] : x.i64[size_t(i)] == x.i64[size_t(j)];
}

/// y[i] = x[src[i]] for tensors of one dtype.
void copyElement(Tensor &y, int64_t to, const Tensor &x, int64_t from) {
  if (y.holdsFloat())
    y.f32[size_t(to)] = x.f32[size_t(from)];
  else
    y.i64[size_t(to)] = x.i64[size_t(from)];
}

/// An index operand's element k (i32 or i64, held as i64), negative ones
/// counting from the end of an axis of `n`; an error outside [-n, n).
llvm::Expected<int64_t> indexAt(const Tensor &idx, int64_t k, int64_t n, const char *op) {
  int64_t j = idx.holdsFloat() ? int64_t(idx.f32[size_t(k)]) : idx.i64[size_t(k)];
  if (j < -n || j >= n)
    return inputError(fmt::format("{} index {} is out of range for an axis of {}", op, j, n));
  return j < 0 ? j + n : j;
}

} // namespace

llvm::Expected<Tensor> argextreme_ref(OpKind op, const Tensor &x, const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  const bool keep = a.getInt("keepdims") != 0, last = a.getInt("select_last_index") != 0;
  const Dims &xd = x.dims();
  assert(axis < xd.size());
  const int64_t outer = product(xd, 0, axis), n = xd[axis], inner = product(xd, axis + 1, xd.size());
  if (n == 0)
    return inputError("ArgMax/ArgMin of an empty axis");
  Dims out = xd;
  if (keep)
    out[axis] = 1;
  else
    out.erase(out.begin() + int64_t(axis));
  std::vector<int64_t> y(size_t(outer * inner));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < n; ++j) {
        const int64_t v = (o * n + j) * inner + i, b = (o * n + best) * inner + i;
        bool better = op == OpKind::ArgMax ? lessAt(x, b, v) : lessAt(x, v, b);
        if (better || (last && equalAt(x, v, b)))
          best = j;
      }
      y[size_t(o * inner + i)] = best;
    }
  return Tensor::fromI64(out, std::move(y));
}

Tensor topk_ref(const Tensor &x, const Attrs &a, bool indices) {
  const size_t axis = size_t(a.getInt("axis"));
  const int64_t k = a.getInt("k");
  const bool largest = a.getInt("largest") != 0;
  const Dims &xd = x.dims();
  const int64_t outer = product(xd, 0, axis), n = xd[axis], inner = product(xd, axis + 1, xd.size());
  Dims out = xd;
  out[axis] = k;
  Tensor y = Tensor::zeros({indices ? DType::I64 : x.dtype(), out});
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * n + j) * inner + i; };
      std::iota(order.begin(), order.end(), 0);
      // Sorted by value, ties by the lower index (ONNX).
      std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
        return largest ? lessAt(x, at(q), at(p)) : lessAt(x, at(p), at(q));
      });
      for (int64_t j = 0; j < k; ++j) {
        int64_t to = (o * k + j) * inner + i, from = (o * n + order[size_t(j)]) * inner + i;
        if (indices)
          y.i64[size_t(to)] = order[size_t(j)];
        else
          copyElement(y, to, x, from);
      }
    }
  return y;
}

Tensor cumsum_ref(const Tensor &x, const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  const bool exclusive = a.getInt("exclusive") != 0, reverse = a.getInt("reverse") != 0;
  const Dims &xd = x.dims();
  const int64_t outer = product(xd, 0, axis), n = xd[axis], inner = product(xd, axis + 1, xd.size());
  Tensor y = Tensor::zeros(x.type);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float sf = 0.0f;
      int64_t si = 0;
      for (int64_t step = 0; step < n; ++step) {
        int64_t j = reverse ? n - 1 - step : step;
        size_t at = size_t((o * n + j) * inner + i);
        if (y.holdsFloat()) {
          if (!exclusive)
            sf += x.f32[at];
          y.f32[at] = sf;
          if (exclusive)
            sf += x.f32[at];
        } else {
          if (!exclusive)
            si = addWrap(x.dtype(), si, x.i64[at]);
          y.i64[at] = si;
          if (exclusive)
            si = addWrap(x.dtype(), si, x.i64[at]);
        }
      }
    }
  return y;
}

Tensor trilu_ref(const Tensor &x, const Attrs &a) {
  const bool upper = a.getInt("upper") != 0;
  const int64_t k = a.getInt("k");
  const Dims &xd = x.dims();
  const int64_t rows = xd[xd.size() - 2], cols = xd.back();
  Tensor y = Tensor::zeros(x.type);
  for (int64_t e = 0; e < x.numElements(); ++e) {
    int64_t c = e % cols, r = (e / cols) % rows;
    // Upper keeps j - i >= k, lower keeps j - i <= k.
    if (upper ? c - r >= k : c - r <= k)
      copyElement(y, e, x, e);
  }
  return y;
}

/// Expand and Tile: output element at index o reads x at src(o).
template <typename Src> Tensor gatherBy(const Tensor &x, const Dims &out, Src src) {
  Tensor y = Tensor::zeros({x.dtype(), out});
  for (int64_t e = 0; e < y.numElements(); ++e)
    copyElement(y, e, x, src(unflatten(out, e)));
  return y;
}

Tensor expand_ref(const Tensor &x, const Attrs &a) {
  const Dims &out = a.getInts("shape");
  const Dims &xd = x.dims();
  const size_t lead = out.size() - xd.size();
  return gatherBy(x, out, [&](const Dims &o) {
    Dims i(xd.size());
    for (size_t d = 0; d < xd.size(); ++d)
      i[d] = xd[d] == 1 ? 0 : o[lead + d];
    return flatten(xd, i);
  });
}

Tensor tile_ref(const Tensor &x, const Attrs &a) {
  const auto &repeats = a.getInts("repeats");
  const Dims &xd = x.dims();
  Dims out = xd;
  for (size_t d = 0; d < out.size(); ++d)
    out[d] *= repeats[d];
  return gatherBy(x, out, [&](const Dims &o) {
    Dims i(xd.size());
    for (size_t d = 0; d < xd.size(); ++d)
      i[d] = o[d] % xd[d];
    return flatten(xd, i);
  });
}

llvm::Expected<Tensor> gatherelements_ref(const Tensor &data, const Tensor &idx,
                                          const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  Tensor y = Tensor::zeros({data.dtype(), idx.dims()});
  for (int64_t e = 0; e < y.numElements(); ++e) {
    Dims i = unflatten(idx.dims(), e);
    auto j = indexAt(idx, e, data.dims()[axis], "GatherElements");
    if (!j)
      return j.takeError();
    i[axis] = *j;
    copyElement(y, e, data, flatten(data.dims(), i));
  }
  return y;
}

namespace {

/// data[at] = update, or combined with it by `reduction` ("add", "mul").
void scatterInto(Tensor &y, int64_t at, const Tensor &upd, int64_t from,
                 const std::string &reduction) {
  if (reduction == "none")
    return copyElement(y, at, upd, from);
  const bool add = reduction == "add";
  if (y.holdsFloat()) {
    float &v = y.f32[size_t(at)];
    v = add ? v + upd.f32[size_t(from)] : v * upd.f32[size_t(from)];
  } else {
    int64_t &v = y.i64[size_t(at)];
    v = add ? addWrap(y.dtype(), v, upd.i64[size_t(from)])
            : mulWrap(y.dtype(), v, upd.i64[size_t(from)]);
  }
}

} // namespace

llvm::Expected<Tensor> scatterelements_ref(const Tensor &data, const Tensor &idx,
                                           const Tensor &upd, const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  const std::string &reduction = a.getString("reduction");
  Tensor y = data;
  // In the order of the updates: later ones win (none) or accumulate.
  for (int64_t e = 0; e < idx.numElements(); ++e) {
    Dims i = unflatten(idx.dims(), e);
    auto j = indexAt(idx, e, data.dims()[axis], "ScatterElements");
    if (!j)
      return j.takeError();
    i[axis] = *j;
    scatterInto(y, flatten(data.dims(), i), upd, e, reduction);
  }
  return y;
}

namespace {

/// The element offset in data (of dims `dd`, batch b of `batch`) that index
/// tuple t (q values from idx) addresses, its slice `slice` elements long.
llvm::Expected<int64_t> tupleOffset(const Tensor &idx, int64_t t, int64_t q, const Dims &dd,
                                    size_t batchDims, int64_t b, const char *op) {
  int64_t off = b;
  for (int64_t m = 0; m < q; ++m) {
    auto j = indexAt(idx, t * q + m, dd[batchDims + size_t(m)], op);
    if (!j)
      return j.takeError();
    off = off * dd[batchDims + size_t(m)] + *j;
  }
  return off * product(dd, batchDims + size_t(q), dd.size());
}

} // namespace

llvm::Expected<Tensor> gathernd_ref(const Tensor &data, const Tensor &idx, const Attrs &a) {
  const size_t batchDims = size_t(a.getInt("batch_dims"));
  const Dims &dd = data.dims(), &id = idx.dims();
  const int64_t q = id.back();
  Dims out(id.begin(), id.end() - 1);
  out.insert(out.end(), dd.begin() + int64_t(batchDims) + q, dd.end());
  const int64_t slice = product(dd, batchDims + size_t(q), dd.size());
  const int64_t batches = product(dd, 0, batchDims);
  const int64_t tuples = product(id, 0, id.size() - 1);
  const int64_t perBatch = batches ? tuples / batches : 0;
  Tensor y = Tensor::zeros({data.dtype(), out});
  for (int64_t t = 0; t < tuples; ++t) {
    auto off = tupleOffset(idx, t, q, dd, batchDims, perBatch ? t / perBatch : 0, "GatherND");
    if (!off)
      return off.takeError();
    for (int64_t s = 0; s < slice; ++s)
      copyElement(y, t * slice + s, data, *off + s);
  }
  return y;
}

llvm::Expected<Tensor> scatternd_ref(const Tensor &data, const Tensor &idx, const Tensor &upd,
                                     const Attrs &a) {
  const std::string &reduction = a.getString("reduction");
  const Dims &dd = data.dims(), &id = idx.dims();
  const int64_t q = id.back();
  const int64_t slice = product(dd, size_t(q), dd.size());
  const int64_t tuples = product(id, 0, id.size() - 1);
  Tensor y = data;
  for (int64_t t = 0; t < tuples; ++t) {
    auto off = tupleOffset(idx, t, q, dd, 0, 0, "ScatterND");
    if (!off)
      return off.takeError();
    for (int64_t s = 0; s < slice; ++s)
      scatterInto(y, *off + s, upd, t * slice + s, reduction);
  }
  return y;
}

Tensor onehot_ref(const Tensor &idx, const Tensor &values, const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  const int64_t depth = a.getInt("depth");
  Dims out = idx.dims();
  out.insert(out.begin() + int64_t(axis), depth);
  const int64_t outer = product(idx.dims(), 0, axis),
                inner = product(idx.dims(), axis, idx.dims().size());
  Tensor y = Tensor::zeros({values.dtype(), out});
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t i = 0; i < inner; ++i) {
        // Indices (any numeric type) truncate; negative ones count from the
        // end; out of range ones match no position.
        double v = idx.at(o * inner + i);
        int64_t j = std::isfinite(v) && std::fabs(v) < 0x1p62 ? int64_t(v) : depth;
        j = j < 0 ? j + depth : j;
        copyElement(y, (o * depth + d) * inner + i, values, j == d ? 1 : 0);
      }
  return y;
}

Tensor size_ref(const Tensor &x) { return Tensor::fromI64({}, {x.numElements()}); }

Tensor range_ref(const Tensor &start, const Tensor &limit, const Tensor &delta) {
  if (start.holdsFloat()) {
    const float s = start.f32[0], l = limit.f32[0], d = delta.f32[0];
    const int64_t n = std::max<int64_t>(int64_t(std::ceil((double(l) - s) / d)), 0);
    std::vector<float> y(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      y[size_t(i)] = s + float(i) * d;
    return Tensor::fromF32({n}, std::move(y));
  }
  const int64_t s = start.i64[0], l = limit.i64[0], d = delta.i64[0];
  const int64_t n = std::max<int64_t>(int64_t(std::ceil((double(l) - double(s)) / double(d))), 0);
  Tensor y = Tensor::zeros({start.dtype(), {n}});
  for (int64_t i = 0; i < n; ++i)
    y.i64[size_t(i)] = addWrap(start.dtype(), s, mulWrap(DType::I64, i, d));
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> movementEvaluators() {
  using A = const EvalArgs &;
  using R = llvm::Expected<Tensor>;
  static constexpr OpEvaluator Table[] = {
      {OpKind::ArgMax, [](A e) { return argextreme_ref(e.op, e.operand(0), e.attrs); }},
      {OpKind::ArgMin, [](A e) { return argextreme_ref(e.op, e.operand(0), e.attrs); }},
      {OpKind::TopK, [](A e) -> R { return topk_ref(e.operand(0), e.attrs, false); }},
      {OpKind::TopKIndices, [](A e) -> R { return topk_ref(e.operand(0), e.attrs, true); }},
      {OpKind::CumSum, [](A e) -> R { return cumsum_ref(e.operand(0), e.attrs); }},
      {OpKind::Trilu, [](A e) -> R { return trilu_ref(e.operand(0), e.attrs); }},
      {OpKind::Expand, [](A e) -> R { return expand_ref(e.operand(0), e.attrs); }},
      {OpKind::Tile, [](A e) -> R { return tile_ref(e.operand(0), e.attrs); }},
      {OpKind::GatherElements,
       [](A e) { return gatherelements_ref(e.operand(0), e.operand(1), e.attrs); }},
      {OpKind::GatherND, [](A e) { return gathernd_ref(e.operand(0), e.operand(1), e.attrs); }},
      {OpKind::ScatterElements,
       [](A e) { return scatterelements_ref(e.operand(0), e.operand(1), e.operand(2), e.attrs); }},
      {OpKind::ScatterND,
       [](A e) { return scatternd_ref(e.operand(0), e.operand(1), e.operand(2), e.attrs); }},
      {OpKind::OneHot, [](A e) -> R { return onehot_ref(e.operand(0), e.operand(1), e.attrs); }},
      {OpKind::Size, [](A e) -> R { return size_ref(e.operand(0)); }},
      {OpKind::Range,
       [](A e) -> R { return range_ref(e.operand(0), e.operand(1), e.operand(2)); }},
  };
  return Table;
}

} // namespace kiln::ref
