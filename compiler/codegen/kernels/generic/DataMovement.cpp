//===- DataMovement.cpp - Transpose, Slice, Pad, Resize, copy, Gather -----===//

#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

namespace {
/// An element of `bytes` bytes, moved as an unsigned integer of that width.
template <int64_t Bytes> struct Word;
template <> struct Word<1> { using T = uint8_t; };
template <> struct Word<2> { using T = uint16_t; };
template <> struct Word<4> { using T = uint32_t; };
template <> struct Word<8> { using T = uint64_t; };

template <typename T>
KILN_INLINE void transpose(const KilnGenTransposeParams *p, void *const *bufs,
                           int64_t begin, int64_t end) {
  const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
  T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
  int64_t last = p->rank - 1;
  int64_t inner = p->dims[last];
  int64_t s = p->in_strides[last];
  for (int64_t row = begin; row < end; ++row) {
    int64_t off = 0;
    for (int64_t d = last - 1, rem = row; d >= 0; --d) {
      off += rem % p->dims[d] * p->in_strides[d];
      rem /= p->dims[d];
    }
    T *orow = out + row * inner;
    for (int64_t j = 0; j < inner; ++j)
      orow[j] = x[off + j * s];
  }
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_transpose, KilnGenTransposeParams) {
  switch (p->elem_bytes) {
  case 1: return transpose<Word<1>::T>(p, bufs, begin, end);
  case 2: return transpose<Word<2>::T>(p, bufs, begin, end);
  case 8: return transpose<Word<8>::T>(p, bufs, begin, end);
  default: return transpose<Word<4>::T>(p, bufs, begin, end);
  }
}

namespace {
/// Rows [begin, end) of a Slice, elements of type T.
template <typename T>
KILN_INLINE void sliceRows(const KilnGenSliceParams *p, const T *KILN_RESTRICT x,
                           T *KILN_RESTRICT out, int64_t begin, int64_t end) {
  int64_t last = p->rank - 1;
  int64_t inner = p->dims[last];
  int64_t s = p->in_strides[last];
  for (int64_t row = begin; row < end; ++row) {
    int64_t off = p->offset;
    for (int64_t d = last - 1, rem = row; d >= 0; --d) {
      off += rem % p->dims[d] * p->in_strides[d];
      rem /= p->dims[d];
    }
    T *orow = out + row * inner;
    const T *xrow = x + off;
    if (s == 1) {
      for (int64_t j = 0; j < inner; ++j)
        orow[j] = xrow[j];
    } else {
      for (int64_t j = 0; j < inner; ++j)
        orow[j] = xrow[j * s];
    }
  }
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_slice, KilnGenSliceParams) {
  // elem_bytes is a constant once the params are propagated: one loop stays.
  if (p->elem_bytes == 8)
    sliceRows(p, static_cast<const int64_t *>(bufs[1]), static_cast<int64_t *>(bufs[0]),
              begin, end);
  else if (p->elem_bytes == 4)
    sliceRows(p, static_cast<const int32_t *>(bufs[1]), static_cast<int32_t *>(bufs[0]),
              begin, end);
  else
    sliceRows(p, static_cast<const unsigned char *>(bufs[1]),
              static_cast<unsigned char *>(bufs[0]), begin, end);
}

namespace {
/// Source coordinate of output coordinate `o` along one dim, or -1 when it
/// falls in constant padding.
KILN_INLINE int64_t padSource(int64_t mode, int64_t o, int64_t begin,
                              int64_t n) {
  int64_t i = o - begin;
  if (i >= 0 && i < n)
    return i;
  if (mode == KILN_PAD_CONSTANT)
    return -1;
  if (mode == KILN_PAD_EDGE)
    return i < 0 ? 0 : n - 1;
  // Reflect (edge not repeated); n == 1 reflects onto itself.
  if (n == 1)
    return 0;
  int64_t period = 2 * (n - 1);
  i = i % period;
  i = i < 0 ? i + period : i;
  return i < n ? i : period - i;
}
} // namespace

namespace {
/// Pad's constant as T: floats round, integers truncate; NaN and values
/// outside int64 give 0 (the attribute is untrusted; never UB).
template <typename T> KILN_INLINE T padValue(double v) {
  if (T(0.5) != T(0))
    return T(v);
  if (!(v >= -0x1p63 && v < 0x1p63))
    return T(0);
  return T(int64_t(v));
}
} // namespace

namespace {
template <typename T>
KILN_INLINE void pad(const KilnGenPadParams *p, void *const *bufs, int64_t begin,
                     int64_t end) {
  const T *KILN_RESTRICT x = static_cast<const T *>(bufs[1]);
  T *KILN_RESTRICT out = static_cast<T *>(bufs[0]);
  int64_t last = p->rank - 1;
  int64_t inner = p->out_dims[last], nin = p->in_dims[last];
  const T value = padValue<T>(p->value);
  for (int64_t row = begin; row < end; ++row) {
    T *orow = out + row * inner;
    // Input row offset; -1 when the whole row is constant padding.
    int64_t off = 0, stride = nin;
    for (int64_t d = last - 1, rem = row; d >= 0; --d) {
      int64_t i = padSource(p->mode, rem % p->out_dims[d], p->begin[d],
                            p->in_dims[d]);
      rem /= p->out_dims[d];
      if (i < 0 || off < 0) {
        off = -1;
      } else {
        off += i * stride;
      }
      stride *= p->in_dims[d];
    }
    if (off < 0) {
      for (int64_t j = 0; j < inner; ++j)
        orow[j] = value;
      continue;
    }
    const T *xrow = x + off;
    // Interior as a contiguous copy; borders through padSource.
    int64_t lo = p->begin[last] < 0 ? 0 : p->begin[last];
    int64_t hi = p->begin[last] + nin < inner ? p->begin[last] + nin : inner;
    for (int64_t j = 0; j < lo && j < inner; ++j) {
      int64_t i = padSource(p->mode, j, p->begin[last], nin);
      orow[j] = i < 0 ? value : xrow[i];
    }
    for (int64_t j = lo; j < hi; ++j)
      orow[j] = xrow[j - p->begin[last]];
    for (int64_t j = hi > lo ? hi : lo; j < inner; ++j) {
      int64_t i = padSource(p->mode, j, p->begin[last], nin);
      orow[j] = i < 0 ? value : xrow[i];
    }
  }
}
} // namespace

KILN_GEN_KERNEL(kiln_gen_pad, KilnGenPadParams) {
  switch (p->dtype) {
  case KILN_DT_F32: return pad<float>(p, bufs, begin, end);
  case KILN_DT_I64: return pad<int64_t>(p, bufs, begin, end);
  case KILN_DT_I32: return pad<int32_t>(p, bufs, begin, end);
  case KILN_DT_I8: return pad<int8_t>(p, bufs, begin, end);
  case KILN_DT_BOOL: case KILN_DT_U8: return pad<uint8_t>(p, bufs, begin, end);
  default: return;
  }
}

KILN_GEN_KERNEL(kiln_gen_resize_f32, KilnGenResizeParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  const int64_t *KILN_RESTRICT offs = static_cast<const int64_t *>(bufs[2]);
  const float *KILN_RESTRICT wts = static_cast<const float *>(bufs[3]);
  const int64_t last = p->rank - 1;
  const int64_t inner = p->out_dims[last], K = p->taps[last];
  const int64_t *KILN_RESTRICT loff = offs + p->table[last];
  const float *KILN_RESTRICT lw = wts + p->table[last];
  const float extrapolation = float(p->extrapolation);
  for (int64_t row = begin; row < end; ++row) {
    float *orow = out + row * inner;
    // First table entry of this row's coordinate along each outer axis.
    int64_t first[KILN_GEN_MAX_RANK];
    int64_t tap[KILN_GEN_MAX_RANK];
    int outside = 0;
    for (int64_t d = last - 1, rem = row; d >= 0; --d) {
      first[d] = p->table[d] + rem % p->out_dims[d] * p->taps[d];
      rem /= p->out_dims[d];
      tap[d] = 0;
      outside |= offs[first[d]] < 0;
    }
    if (outside) {
      for (int64_t j = 0; j < inner; ++j)
        orow[j] = extrapolation;
      continue;
    }
    for (int64_t j = 0; j < inner; ++j)
      orow[j] = 0.0f;
    // Every combination of one tap per outer axis.
    for (;;) {
      int64_t off = 0;
      float w = 1.0f;
      for (int64_t d = 0; d < last; ++d) {
        off += offs[first[d] + tap[d]];
        w *= wts[first[d] + tap[d]];
      }
      if (w != 0.0f) {
        const float *xs = x + off;
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t *o = loff + j * K;
          const float *lwj = lw + j * K;
          if (o[0] < 0)
            continue;
          float acc = 0.0f;
          for (int64_t k = 0; k < K; ++k)
            acc += lwj[k] * xs[o[k]];
          orow[j] += w * acc;
        }
      }
      int64_t d = last - 1;
      for (; d >= 0; --d) {
        if (++tap[d] < p->taps[d])
          break;
        tap[d] = 0;
      }
      if (d < 0)
        break;
    }
    for (int64_t j = 0; j < inner; ++j)
      if (loff[j * K] < 0)
        orow[j] = extrapolation;
  }
}

KILN_GEN_KERNEL(kiln_gen_copy_f32, KilnGenCopyParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  int64_t chunks = kiln_gen_ceil_div(p->cols, p->chunk);
  for (int64_t item = begin; item < end; ++item) {
    int64_t r = item / chunks;
    int64_t j0 = item % chunks * p->chunk;
    int64_t jn = p->cols - j0 < p->chunk ? p->cols - j0 : p->chunk;
    const float *src = x + p->src_off + r * p->src_stride + j0;
    float *dst = out + p->dst_off + r * p->dst_stride + j0;
    for (int64_t j = 0; j < jn; ++j)
      dst[j] = src[j];
  }
}

KILN_GEN_KERNEL(kiln_gen_copy_u8, KilnGenCopyParams) {
  const unsigned char *KILN_RESTRICT x = static_cast<const unsigned char *>(bufs[1]);
  unsigned char *KILN_RESTRICT out = static_cast<unsigned char *>(bufs[0]);
  int64_t chunks = kiln_gen_ceil_div(p->cols, p->chunk);
  for (int64_t item = begin; item < end; ++item) {
    int64_t r = item / chunks;
    int64_t j0 = item % chunks * p->chunk;
    int64_t jn = p->cols - j0 < p->chunk ? p->cols - j0 : p->chunk;
    const unsigned char *src = x + p->src_off + r * p->src_stride + j0;
    unsigned char *dst = out + p->dst_off + r * p->dst_stride + j0;
    for (int64_t j = 0; j < jn; ++j)
      dst[j] = src[j];
  }
}

KILN_GEN_KERNEL(kiln_gen_gather, KilnGenGatherParams) {
  const unsigned char *KILN_RESTRICT x = static_cast<const unsigned char *>(bufs[1]);
  const void *idx = bufs[2];
  unsigned char *KILN_RESTRICT out = static_cast<unsigned char *>(bufs[0]);
  const int64_t row = p->inner * p->elem_bytes; // bytes per gathered slice
  for (int64_t item = begin; item < end; ++item) {
    int64_t k = item % p->K, o = item / p->K;
    int64_t i = p->idx_bytes == 4 ? int64_t(static_cast<const int32_t *>(idx)[k])
                                  : static_cast<const int64_t *>(idx)[k];
    i = i < 0 ? i + p->axis_dim : i;
    unsigned char *dst = out + item * row;
    if (i < 0 || i >= p->axis_dim) {
      for (int64_t j = 0; j < row; ++j)
        dst[j] = 0;
      continue;
    }
    const unsigned char *src = x + (o * p->axis_dim + i) * row;
    for (int64_t j = 0; j < row; ++j)
      dst[j] = src[j];
  }
}

KILN_GEN_KERNEL(kiln_gen_reorder_f32, KilnGenReorderParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  int64_t cpad = p->out_block
                     ? kiln_gen_ceil_div(p->C, p->out_block) * p->out_block
                     : p->C;
  int64_t xs = wstride(p->in_block), os = wstride(p->out_block);
  for (int64_t item = begin; item < end; ++item) {
    int64_t c = item % cpad, n = item / cpad;
    // index4 of a padded channel is still inside the blocked storage.
    float *dst = out + index4(p->out_block, p->C, 1, p->HW, n, c, 0, 0);
    if (c >= p->C) {
      for (int64_t j = 0; j < p->HW; ++j)
        dst[j * os] = 0.0f;
      continue;
    }
    const float *src = x + index4(p->in_block, p->C, 1, p->HW, n, c, 0, 0);
    for (int64_t j = 0; j < p->HW; ++j)
      dst[j * os] = src[j * xs];
  }
}
