//===- Indexing.cpp - ArgMax, TopK, CumSum, Trilu, gathers, scatters ------===//
//
// One kernel per op for every element type: the type is a parameter
// (KilnGenDtype, or an element size where elements are only moved) that is
// a constant once a layer's params are propagated, so one instantiation of
// the loop survives in each layer.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/generic/Common.h"
#include "compiler/codegen/kernels/generic/Indexing.h"

using namespace kiln_gen;

namespace {

/// Calls f with a value of the C type of `dtype` (the numeric types).
template <typename F> KILN_INLINE void withDtype(int64_t dtype, F f) {
  switch (dtype) {
  case KILN_DT_I64: return f(int64_t(0));
  case KILN_DT_I32: return f(int32_t(0));
  case KILN_DT_I8: return f(int8_t(0));
  case KILN_DT_U8:
  case KILN_DT_BOOL: return f(uint8_t(0));
  default: return f(0.0f);
  }
}

/// Calls f with an unsigned integer of `bytes` bytes (elements moved, not
/// computed).
template <typename F> KILN_INLINE void withWord(int64_t bytes, F f) {
  switch (bytes) {
  case 1: return f(uint8_t(0));
  case 2: return f(uint16_t(0));
  case 8: return f(uint64_t(0));
  default: return f(uint32_t(0));
  }
}

/// Index k of an int32 or int64 index buffer, made non-negative against n;
/// -1 when it is outside [-n, n).
KILN_INLINE int64_t indexAt(const void *idx, int64_t idxBytes, int64_t k, int64_t n) {
  int64_t i = idxBytes == 4 ? int64_t(static_cast<const int32_t *>(idx)[k])
                            : static_cast<const int64_t *>(idx)[k];
  i = i < 0 ? i + n : i;
  return i >= 0 && i < n ? i : -1;
}

/// v wrapped into T's range: integer sums and products in two's complement
/// (through unsigned arithmetic, never signed overflow).
template <typename T> KILN_INLINE T addT(T a, T b) {
  if constexpr (T(0.5) != T(0))
    return a + b;
  else
    return T(uint64_t(a) + uint64_t(b));
}
template <typename T> KILN_INLINE T mulT(T a, T b) {
  if constexpr (T(0.5) != T(0))
    return a * b;
  else
    return T(uint64_t(a) * uint64_t(b));
}

template <typename T> KILN_INLINE T combine(int64_t reduction, T old, T upd) {
  return reduction == KILN_SCATTER_ADD ? addT(old, upd)
         : reduction == KILN_SCATTER_MUL ? mulT(old, upd)
                                          : upd;
}

/// Row-major multi-index of `flat` over dims[0..rank), dotted with strides,
/// skipping axis `skip` (-1: none); idx_skip receives that axis' coordinate.
KILN_INLINE int64_t dotIndex(int64_t rank, const int64_t *dims, const int64_t *strides,
                             int64_t flat, int64_t skip, int64_t &coordSkip) {
  int64_t off = 0;
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t c = flat % dims[d];
    flat /= dims[d];
    if (d == skip)
      coordSkip = c;
    else
      off += c * strides[d];
  }
  return off;
}

} // namespace

KILN_GEN_KERNEL(kiln_gen_arg, KilnGenArgParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    int64_t *KILN_RESTRICT out = static_cast<int64_t *>(bufs[0]);
    const int64_t n = p->n, inner = p->inner;
    for (int64_t o = begin; o < end; ++o) {
      const T *xo = x + o * n * inner;
      int64_t *best = out + o * inner;
      for (int64_t i = 0; i < inner; ++i)
        best[i] = 0;
      for (int64_t j = 1; j < n; ++j)
        for (int64_t i = 0; i < inner; ++i) {
          T v = xo[j * inner + i], b = xo[best[i] * inner + i];
          bool better = p->is_min ? v < b : v > b;
          best[i] = better || (p->last && v == b) ? j : best[i];
        }
    }
  });
}

KILN_GEN_KERNEL(kiln_gen_topk, KilnGenTopKParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    const int64_t n = p->n, inner = p->inner, k = p->k;
    for (int64_t item = begin; item < end; ++item) {
      const int64_t o = item / inner, i = item % inner;
      const T *xr = x + o * n * inner + i;
      // The row's k best so far, best first, kept in the output row (stride
      // inner): values, or indices whose values are read back from x.
      T *vals = static_cast<T *>(bufs[0]) + o * k * inner + i;
      int64_t *idxs = static_cast<int64_t *>(bufs[0]) + o * k * inner + i;
      auto key = [&](int64_t s) { return p->indices ? xr[idxs[s * inner] * inner] : vals[s * inner]; };
      // Strictly better: an equal value stays behind, so ties keep the lower
      // index first.
      auto better = [&](T a, T b) { return p->largest ? a > b : a < b; };
      int64_t count = 0;
      for (int64_t j = 0; j < n; ++j) {
        T v = xr[j * inner];
        if (count == k && (k == 0 || !better(v, key(k - 1))))
          continue;
        int64_t s = count < k ? count++ : k - 1;
        for (; s > 0 && better(v, key(s - 1)); --s) {
          if (p->indices)
            idxs[s * inner] = idxs[(s - 1) * inner];
          else
            vals[s * inner] = vals[(s - 1) * inner];
        }
        if (p->indices)
          idxs[s * inner] = j;
        else
          vals[s * inner] = v;
      }
    }
  });
}

KILN_GEN_KERNEL(kiln_gen_cumsum, KilnGenCumSumParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    const int64_t n = p->n, inner = p->inner;
    for (int64_t o = begin; o < end; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        T acc = T(0);
        for (int64_t step = 0; step < n; ++step) {
          int64_t at = (o * n + (p->reverse ? n - 1 - step : step)) * inner + i;
          T v = x[at];
          if (!p->exclusive)
            acc = addT(acc, v);
          out[at] = acc;
          if (p->exclusive)
            acc = addT(acc, v);
        }
      }
  });
}

KILN_GEN_KERNEL(kiln_gen_trilu, KilnGenTriluParams) {
  withWord(p->elem_bytes, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    for (int64_t row = begin; row < end; ++row) {
      const int64_t r = row % p->rows;
      const T *xr = x + row * p->cols;
      T *orow = out + row * p->cols;
      for (int64_t c = 0; c < p->cols; ++c) {
        bool keep = p->upper ? c - r >= p->k : c - r <= p->k;
        orow[c] = keep ? xr[c] : T(0);
      }
    }
  });
}

KILN_GEN_KERNEL(kiln_gen_gather_elements, KilnGenGatherElementsParams) {
  withWord(p->elem_bytes, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    const int64_t inner = p->dims[p->rank - 1];
    for (int64_t row = begin; row < end; ++row)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t e = row * inner + j;
        int64_t unused = 0;
        int64_t off = dotIndex(p->rank, p->dims, p->data_strides, e, p->axis, unused);
        int64_t i = indexAt(bufs[2], p->idx_bytes, e, p->axis_dim);
        out[e] = i < 0 ? T(0) : x[off + i * p->data_strides[p->axis]];
      }
  });
}

KILN_GEN_KERNEL(kiln_gen_scatter_elements, KilnGenScatterElementsParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    const T *KILN_RESTRICT upd = static_cast<const T *>(bufs[3]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    if (begin != 0)
      return;
    for (int64_t e = 0; e < p->total; ++e)
      out[e] = x[e];
    int64_t count = 1;
    for (int64_t d = 0; d < p->rank; ++d)
      count *= p->dims[d];
    for (int64_t e = 0; e < count; ++e) {
      int64_t unused = 0;
      int64_t off = dotIndex(p->rank, p->dims, p->data_strides, e, p->axis, unused);
      int64_t i = indexAt(bufs[2], p->idx_bytes, e, p->axis_dim);
      if (i < 0)
        continue;
      T &dst = out[off + i * p->data_strides[p->axis]];
      dst = combine(p->reduction, dst, upd[e]);
    }
  });
}

namespace {
/// Offset of tuple t's slice in data; -1 when an index is out of range.
KILN_INLINE int64_t tupleOffset(const void *idx, int64_t idxBytes, int64_t t, int64_t q,
                                const int64_t *dims, const int64_t *strides) {
  int64_t off = 0;
  for (int64_t m = 0; m < q; ++m) {
    int64_t i = indexAt(idx, idxBytes, t * q + m, dims[m]);
    if (i < 0)
      return -1;
    off += i * strides[m];
  }
  return off;
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_gather_nd, KilnGenGatherNDParams) {
  withWord(p->elem_bytes, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    for (int64_t t = begin; t < end; ++t) {
      int64_t off = tupleOffset(bufs[2], p->idx_bytes, t, p->q, p->dims, p->strides);
      T *dst = out + t * p->slice;
      const T *src = x + (t / p->per_batch) * p->batch_stride + off;
      for (int64_t s = 0; s < p->slice; ++s)
        dst[s] = off < 0 ? T(0) : src[s];
    }
  });
}

KILN_GEN_KERNEL(kiln_gen_scatter_nd, KilnGenScatterNDParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
    const T *KILN_RESTRICT upd = static_cast<const T *>(bufs[3]);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    if (begin != 0)
      return;
    for (int64_t e = 0; e < p->total; ++e)
      out[e] = x[e];
    for (int64_t t = 0; t < p->tuples; ++t) {
      int64_t off = tupleOffset(bufs[2], p->idx_bytes, t, p->q, p->dims, p->strides);
      if (off < 0)
        continue;
      for (int64_t s = 0; s < p->slice; ++s)
        out[off + s] = combine(p->reduction, out[off + s], upd[t * p->slice + s]);
    }
  });
}

KILN_GEN_KERNEL(kiln_gen_one_hot, KilnGenOneHotParams) {
  withDtype(p->idx_dtype, [&](auto izero) {
    using I = decltype(izero);
    withWord(p->elem_bytes, [&](auto zero) {
      using T = decltype(zero);
      const I *KILN_RESTRICT idx = static_cast<const I *>(bufs[1]);
      const T *KILN_RESTRICT values = static_cast<const T *>(bufs[2]);
      T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
      const T off = values[0], on = values[1];
      for (int64_t item = begin; item < end; ++item) {
        const int64_t o = item / p->depth, d = item % p->depth;
        const I *ir = idx + o * p->inner;
        T *orow = out + item * p->inner;
        for (int64_t i = 0; i < p->inner; ++i) {
          // Floats truncate; huge and NaN ones match no position.
          int64_t j = p->depth;
          if constexpr (I(0.5) != I(0)) {
            if (ir[i] > -0x1p62f && ir[i] < 0x1p62f)
              j = int64_t(ir[i]);
          } else {
            j = int64_t(ir[i]);
          }
          j = j < 0 ? j + p->depth : j;
          orow[i] = j == d ? on : off;
        }
      }
    });
  });
}

KILN_GEN_KERNEL(kiln_gen_range, KilnGenRangeParams) {
  withDtype(p->dtype, [&](auto zero) {
    using T = decltype(zero);
    T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
    for (int64_t i = 0; i < p->count; ++i) {
      if constexpr (T(0.5) != T(0))
        out[i] = T(p->start_f) + T(i) * T(p->delta_f);
      else
        out[i] = T(uint64_t(p->start_i) + uint64_t(i) * uint64_t(p->delta_i));
    }
  });
}
