//===- DataMovement.cpp - Reference reshapes, transposes, pads, gathers ---===//
//
// Each op is written as "which input element does output element i read":
// a source offset per output element (or -1 for Pad's constant), then one
// copy that works for any dtype.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/OpAttrs.h"
#include "compiler/ir/Resize.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include "compiler/codegen/kernels/Half.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln::ref {

namespace {

int64_t product(const Dims &d, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i)
    p *= d[i];
  return p;
}

/// y[i] = x[src[i]], or `fill` where src[i] < 0.
Tensor gatherOffsets(const Tensor &x, Dims outDims, const std::vector<int64_t> &src,
                     double fill = 0.0) {
  Tensor y = Tensor::zeros({x.dtype(), std::move(outDims)});
  assert(int64_t(src.size()) == y.numElements());
  for (size_t i = 0; i < src.size(); ++i) {
    if (y.holdsFloat())
      y.f32[i] = src[i] < 0 ? float(fill) : x.f32[size_t(src[i])];
    else
      y.i64[i] = src[i] < 0 ? int64_t(fill) : x.i64[size_t(src[i])];
  }
  return y;
}

/// The same elements in the same order under new dims.
Tensor withDims(const Tensor &x, Dims dims) {
  Tensor y = x;
  y.type.dims = std::move(dims);
  assert(y.numElements() == x.numElements() && "element count changes");
  return y;
}

/// Calls f(index, i) for every multi-index of `dims` in row-major order.
/// Not inlined: inlined into pad_ref, GCC 12 reports a false
/// -Wfree-nonheap-object on `index`'s storage.
template <typename F> [[gnu::noinline]] void forEachIndex(const Dims &dims, F f) {
  int64_t total = product(dims, 0, dims.size());
  Dims index(dims.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    f(index, i);
    for (size_t d = dims.size(); d-- > 0;) {
      if (++index[d] < dims[d])
        break;
      index[d] = 0;
    }
  }
}

} // namespace

Tensor identity_ref(const Tensor &x) { return x; }

Tensor flatten_ref(const Tensor &x, const Attrs &a) {
  const size_t axis = size_t(a.getInt("axis"));
  assert(axis <= x.dims().size());
  return withDims(x, {product(x.dims(), 0, axis), product(x.dims(), axis, x.dims().size())});
}

Tensor reshape_ref(const Tensor &x, const Attrs &a) {
  return withDims(x, a.getInts("shape"));
}

Tensor transpose_ref(const Tensor &x, const Attrs &a) {
  const auto &perm = a.getInts("perm");
  assert(perm.size() == x.dims().size());
  Dims out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    out[i] = x.dims()[size_t(perm[i])];
  // y[i0, i1, ...] = x[j] with j[perm[k]] = i[k].
  Dims xStrides = contiguousStrides(x.dims());
  std::vector<int64_t> src(size_t(product(out, 0, out.size())));
  forEachIndex(out, [&](const Dims &idx, int64_t i) {
    int64_t off = 0;
    for (size_t k = 0; k < perm.size(); ++k)
      off += idx[k] * xStrides[size_t(perm[k])];
    src[size_t(i)] = off;
  });
  return gatherOffsets(x, out, src);
}

llvm::Expected<Tensor> slice_ref(const Tensor &x, const Attrs &a) {
  const auto &begin = a.getInts("begin"), &end = a.getInts("end"), &step = a.getInts("step");
  const size_t rank = x.dims().size();
  if (begin.size() != rank || end.size() != rank || step.size() != rank)
    return inputError("Slice bounds do not match the operand's rank");
  Dims out(rank);
  for (size_t d = 0; d < rank; ++d) {
    std::optional<int64_t> n = sliceExtent(x.dims()[d], begin[d], end[d], step[d]);
    if (!n)
      return inputError(fmt::format("Slice bounds of axis {} are not clamped", d));
    out[d] = *n;
  }
  // y[i0, i1, ...] = x[begin + i * step] along every axis.
  Dims xStrides = contiguousStrides(x.dims());
  std::vector<int64_t> src(size_t(product(out, 0, out.size())));
  forEachIndex(out, [&](const Dims &idx, int64_t i) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d)
      off += (begin[d] + idx[d] * step[d]) * xStrides[d];
    src[size_t(i)] = off;
  });
  return gatherOffsets(x, out, src);
}

Tensor concat_ref(const std::vector<const Tensor *> &xs, const Attrs &a) {
  assert(!xs.empty());
  const size_t axis = size_t(a.getInt("axis"));
  Dims out = xs[0]->dims();
  assert(axis < out.size());
  out[axis] = 0;
  for (const Tensor *x : xs)
    out[axis] += x->dims()[axis];
  // Rows of the result along `axis` are the inputs' rows, one after another.
  const int64_t outer = product(out, 0, axis), inner = product(out, axis + 1, out.size());
  Tensor y = Tensor::zeros({xs[0]->dtype(), out});
  int64_t offsetOnAxis = 0;
  for (const Tensor *x : xs) {
    assert(x->dtype() == y.dtype() && x->rank() == y.rank());
    const int64_t n = x->dims()[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < n * inner; ++j) {
        size_t to = size_t((o * out[axis] + offsetOnAxis) * inner + j);
        size_t from = size_t(o * n * inner + j);
        if (y.holdsFloat())
          y.f32[to] = x->f32[from];
        else
          y.i64[to] = x->i64[from];
      }
    offsetOnAxis += n;
  }
  return y;
}

Tensor pad_ref(const Tensor &x, const Attrs &a) {
  const auto &pads = a.getInts("pads");
  const std::string &mode = a.getString("mode");
  const double value = a.getFloat("value");
  const size_t rank = x.dims().size();
  assert(pads.size() == 2 * rank);
  Dims out(rank);
  for (size_t d = 0; d < rank; ++d)
    out[d] = x.dims()[d] + pads[d] + pads[rank + d];
  Dims xStrides = contiguousStrides(x.dims());
  std::vector<int64_t> src(size_t(product(out, 0, rank)));
  forEachIndex(out, [&](const Dims &idx, int64_t i) {
    int64_t off = 0;
    for (size_t d = 0; d < rank && off >= 0; ++d) {
      const int64_t n = x.dims()[d];
      int64_t j = idx[d] - pads[d]; // position in x, maybe outside it
      if (j < 0 || j >= n) {
        if (mode == "constant") {
          off = -1;
          break;
        }
        if (mode == "edge") {
          j = std::clamp<int64_t>(j, 0, n - 1);
        } else { // reflect: mirror about the first and last element
          assert(mode == "reflect" && "pad mode");
          const int64_t period = 2 * (n - 1);
          j = period == 0 ? 0 : std::abs(j) % period;
          if (j >= n)
            j = period - j;
        }
      }
      off += j * xStrides[d];
    }
    src[size_t(i)] = off;
  });
  return gatherOffsets(x, out, src, value);
}

Tensor shape_ref(const Tensor &x, const Attrs &a) {
  const int64_t start = a.getInt("start"), end = a.getInt("end");
  assert(0 <= start && start <= end && end <= x.rank());
  return Tensor::fromI64({end - start},
                         Dims(x.dims().begin() + start, x.dims().begin() + end));
}

llvm::Expected<Tensor> gather_ref(const Tensor &data, const Tensor &indices,
                                  const Attrs &a) {
  assert(!indices.isF32() && "integer indices");
  const size_t axis = size_t(a.getInt("axis"));
  const Dims &dd = data.dims();
  assert(axis < dd.size());
  // out = data[:axis] + indices + data[axis+1:]
  Dims out(dd.begin(), dd.begin() + axis);
  out.insert(out.end(), indices.dims().begin(), indices.dims().end());
  out.insert(out.end(), dd.begin() + axis + 1, dd.end());
  const int64_t outer = product(dd, 0, axis), n = dd[axis],
                inner = product(dd, axis + 1, dd.size());
  const int64_t count = indices.numElements();
  std::vector<int64_t> src;
  src.reserve(size_t(outer * count * inner));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < count; ++k) {
      int64_t j = indices.i64[size_t(k)];
      if (j < -n || j >= n)
        return inputError(fmt::format("Gather index {} is out of range for axis "
                                      "{} of size {}", j, axis, n));
      if (j < 0)
        j += n;
      for (int64_t in = 0; in < inner; ++in)
        src.push_back((o * n + j) * inner + in);
    }
  }
  return gatherOffsets(data, out, src);
}

Tensor unsqueeze_ref(const Tensor &x, const Attrs &a) {
  const auto &axes = a.getInts("axes"); // positions in the output, sorted
  Dims out;
  size_t next = 0;
  for (int64_t d = 0; d < x.rank() + int64_t(axes.size()); ++d) {
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      out.push_back(1);
    else
      out.push_back(x.dims()[next++]);
  }
  return withDims(x, out);
}

Tensor squeeze_ref(const Tensor &x, const Attrs &a) {
  const auto &axes = a.getInts("axes"); // positions in the input
  Dims out;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      assert(x.dims()[size_t(d)] == 1 && "squeezing a non-1 axis");
    else
      out.push_back(x.dims()[size_t(d)]);
  }
  return withDims(x, out);
}

namespace {

/// An integer as `to` holds it: narrower types keep the low bits (two's
/// complement, as ONNX Runtime's static_cast does: 300 -> i8 44, -1 -> u8 255);
/// bool is "non-zero".
int64_t wrapInteger(int64_t v, DType to) {
  switch (to) {
  case DType::I8: return int8_t(v); // modular since C++20
  case DType::U8: return uint8_t(v);
  case DType::I32: return int32_t(v);
  case DType::Bool: return v != 0;
  default: return v;
  }
}

/// Float to integer truncates toward zero (ONNX). NaN, infinities and values
/// outside the target's range are undefined in ONNX; kiln gives what ONNX
/// Runtime gives on x86-64, where the conversion is cvttss2si: the "integer
/// indefinite" INT64_MIN or INT32_MIN, and i8/u8 the low bits of the i32
/// conversion (300.5 -> i8 44, -1.5 -> u8 255, 1e10 -> 0). To bool: non-zero,
/// NaN included, is true.
int64_t floatToInteger(float f, DType to) {
  if (to == DType::Bool)
    return f != 0.0f;
  if (to == DType::I64)
    return std::isnan(f) || f >= 0x1p63f || f < -0x1p63f ? INT64_MIN : int64_t(f);
  int32_t i = std::isnan(f) || f >= 0x1p31f || f < -0x1p31f ? INT32_MIN : int32_t(f);
  return wrapInteger(i, to);
}

} // namespace

llvm::Expected<Tensor> cast_ref(const Tensor &x, const Attrs &a) {
  const int64_t toAttr = a.getInt("to");
  if (toAttr < 0 || toAttr > int64_t(DType::Bool))
    return inputError(fmt::format("Cast to element type {} is not supported", toAttr));
  const DType to = DType(toAttr);
  if (!tensorHolds(to))
    return inputError(fmt::format("Cast to {} is not supported", dtypeName(to)));
  Tensor y = Tensor::zeros({to, x.dims()});
  for (size_t k = 0; k < size_t(x.numElements()); ++k) {
    if (y.holdsFloat()) { // integers round to nearest; bool is 0 or 1
      float f = x.holdsFloat() ? x.f32[k] : float(x.i64[k]);
      // f16: rounded to nearest even (i64 -> f16 through f32, as ORT does).
      y.f32[k] = to == DType::F16 ? kiln_f16_to_f32(kiln_f32_to_f16(f)) : f;
    } else {
      y.i64[k] = x.holdsFloat() ? floatToInteger(x.f32[k], to)
                                : wrapInteger(x.i64[k], to);
    }
  }
  return y;
}

llvm::Expected<Tensor> resize_ref(const Tensor &x, const Attrs &a) {
  auto r = resizeAttrs(a, x.dims().size());
  if (!r)
    return r.takeError();
  assert(x.isF32());
  const size_t rank = x.dims().size();
  Dims xStrides = contiguousStrides(x.dims());
  Tensor y = Tensor::zeros({DType::F32, r->sizes});
  std::vector<ResizeTaps> taps(rank);
  forEachIndex(r->sizes, [&](const Dims &idx, int64_t i) {
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      taps[d] = resizeTaps(*r, d, x.dims()[d], idx[d]);
      outside = outside || taps[d].outside;
    }
    if (outside) {
      y.f32[size_t(i)] = float(r->extrapolation);
      return;
    }
    // Sum over every combination of one tap per axis.
    double sum = 0.0;
    std::vector<int> k(rank, 0);
    for (;;) {
      double w = 1.0;
      int64_t off = 0;
      for (size_t d = 0; d < rank; ++d) {
        w *= taps[d].weight[k[d]];
        off += taps[d].index[k[d]] * xStrides[d];
      }
      sum += w * double(x.f32[size_t(off)]);
      size_t d = rank;
      while (d-- > 0 && ++k[d] == taps[d].n)
        k[d] = 0;
      if (d == size_t(-1))
        break;
    }
    y.f32[size_t(i)] = float(sum);
  });
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> dataMovementEvaluators() {
  using A = const EvalArgs &;
  constexpr EvalFn Copy = [](A e) -> llvm::Expected<Tensor> { return identity_ref(e.operand(0)); };
  static constexpr OpEvaluator Table[] = {
      {OpKind::Flatten, [](A e) -> llvm::Expected<Tensor> { return flatten_ref(e.operand(0), e.attrs); }},
      {OpKind::Reshape, [](A e) -> llvm::Expected<Tensor> { return reshape_ref(e.operand(0), e.attrs); }},
      {OpKind::Transpose, [](A e) -> llvm::Expected<Tensor> { return transpose_ref(e.operand(0), e.attrs); }},
      {OpKind::Concat, [](A e) -> llvm::Expected<Tensor> { return concat_ref(e.in, e.attrs); }},
      {OpKind::Pad, [](A e) -> llvm::Expected<Tensor> { return pad_ref(e.operand(0), e.attrs); }},
      {OpKind::Slice, [](A e) { return slice_ref(e.operand(0), e.attrs); }},
      {OpKind::Resize, [](A e) -> llvm::Expected<Tensor> { return resize_ref(e.operand(0), e.attrs); }},
      {OpKind::Identity, Copy},
      {OpKind::Dropout, Copy},
      {OpKind::Reorder, Copy}, // layouts are invisible here
      {OpKind::Shape, [](A e) -> llvm::Expected<Tensor> { return shape_ref(e.operand(0), e.attrs); }},
      {OpKind::Gather,
       [](A e) -> llvm::Expected<Tensor> {
         DType t = e.operand(1).dtype();
         if (t != DType::I64 && t != DType::I32)
           return inputError("Gather indices must be i64 or i32");
         return gather_ref(e.operand(0), e.operand(1), e.attrs);
       }},
      {OpKind::Unsqueeze, [](A e) -> llvm::Expected<Tensor> { return unsqueeze_ref(e.operand(0), e.attrs); }},
      {OpKind::Squeeze, [](A e) -> llvm::Expected<Tensor> { return squeeze_ref(e.operand(0), e.attrs); }},
      {OpKind::Cast, [](A e) -> llvm::Expected<Tensor> { return cast_ref(e.operand(0), e.attrs); }},
  };
  return Table;
}

} // namespace kiln::ref
