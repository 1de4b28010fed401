//===- Elementwise.cpp - Generic unary, broadcast n-ary and softmax -------===//
//
// Unary ops are a copy with an epilogue (Relu is the epilogue [relu]), so one
// kernel serves activations, copies and their fusions. The n-ary kernel walks
// the output's outer dims and runs the innermost one as a loop whose input
// strides (0 or 1 after dim collapsing) are constants after specialization;
// its element type and op are constants too, so each layer keeps one
// instantiation of one op (kernels/Binary.h). Cast converts between every
// pair of element types.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/Binary.h"
#include "compiler/codegen/kernels/Half.h"
#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;
using namespace kiln_bin;

KILN_GEN_KERNEL(kiln_gen_unary_f32, KilnGenUnaryParams) {
  const float *x = static_cast<const float *>(bufs[1]);
  float *out = static_cast<float *>(bufs[0]);
  for (int64_t item = begin; item < end; ++item) {
    int64_t i0 = item * p->chunk;
    int64_t i1 = i0 + p->chunk < p->total ? i0 + p->chunk : p->total;
    for (int64_t i = i0; i < i1; ++i) {
      float v = applyPre(p->epi, bufs, i, x[i]);
      out[i] = kiln_gen_is_padding(&p->pad, i) ? 0.0f : v;
    }
  }
}

namespace {

/// Element i of an operand of type T.
template <typename T> KILN_INLINE T load(void *const *bufs, int64_t b, int64_t i) {
  return static_cast<const T *>(bufs[b])[i];
}

/// The n-ary kernel for operands of type T.
template <typename T>
KILN_INLINE void nary(const KilnGenNaryParams *p, void *const *bufs, int64_t begin,
                      int64_t end) {
  int64_t last = p->rank - 1;
  int64_t inner = p->dims[last];
  int64_t chunks = kiln_gen_ceil_div(inner, p->chunk);
  const int64_t op = p->op;
  for (int64_t item = begin; item < end; ++item) {
    int64_t row = item / chunks;
    int64_t j0 = item % chunks * p->chunk;
    int64_t jn = inner - j0 < p->chunk ? inner - j0 : p->chunk;
    int64_t off[KILN_GEN_MAX_NARY];
    for (int64_t k = 0; k < p->n; ++k)
      off[k] = j0 * p->strides[k][last];
    for (int64_t d = last - 1, rem = row; d >= 0; --d) {
      int64_t i = rem % p->dims[d];
      rem /= p->dims[d];
      for (int64_t k = 0; k < p->n; ++k)
        off[k] += i * p->strides[k][d];
    }
    int64_t base = row * inner + j0;
    for (int64_t j = 0; j < jn; ++j) {
      int64_t at[KILN_GEN_MAX_NARY];
      for (int64_t k = 0; k < p->n; ++k)
        at[k] = off[k] + j * p->strides[k][last];
      if (op == KILN_BIN_WHERE) {
        bool c = load<unsigned char>(bufs, 1, at[0]) != 0;
        static_cast<T *>(bufs[0])[base + j] =
            c ? load<T>(bufs, 2, at[1]) : load<T>(bufs, 3, at[2]);
        continue;
      }
      if (op == KILN_BIN_NOT) {
        static_cast<unsigned char *>(bufs[0])[base + j] =
            load<unsigned char>(bufs, 1, at[0]) == 0;
        continue;
      }
      T v = load<T>(bufs, 1, at[0]);
      if (kiln_gen_bin_is_compare(op)) {
        static_cast<unsigned char *>(bufs[0])[base + j] =
            compare(op, v, load<T>(bufs, 2, at[1]));
        continue;
      }
      for (int64_t k = 1; k < p->n; ++k)
        v = arith(op, v, load<T>(bufs, 1 + k, at[k]));
      if constexpr (IsFloat<T>) {
        if (op == KILN_BIN_MEAN)
          v = v / float(p->n);
        v = applyPre(p->epi, bufs, base + j, v);
        static_cast<float *>(bufs[0])[base + j] =
            kiln_gen_is_padding(&p->pad, base + j) ? 0.0f : v;
      } else {
        static_cast<T *>(bufs[0])[base + j] = v;
      }
    }
  }
}

} // namespace

KILN_GEN_KERNEL(kiln_gen_nary, KilnGenNaryParams) {
  switch (p->dtype) {
  case KILN_DT_F32: return nary<float>(p, bufs, begin, end);
  case KILN_DT_I64: return nary<int64_t>(p, bufs, begin, end);
  case KILN_DT_I32: return nary<int32_t>(p, bufs, begin, end);
  case KILN_DT_I8: return nary<int8_t>(p, bufs, begin, end);
  case KILN_DT_U8: case KILN_DT_BOOL: return nary<uint8_t>(p, bufs, begin, end);
  default: return;
  }
}

namespace {

/// x as `to` holds it, from an integer (cast_ref's wrapInteger).
KILN_INLINE int64_t wrapTo(int64_t v, int64_t to) {
  switch (to) {
  case KILN_DT_I8: return int8_t(v);
  case KILN_DT_U8: return uint8_t(v);
  case KILN_DT_I32: return int32_t(v);
  case KILN_DT_BOOL: return v != 0;
  default: return v;
  }
}

/// Float to integer as cvttss2si does (cast_ref's floatToInteger).
KILN_INLINE int64_t floatTo(float f, int64_t to) {
  if (to == KILN_DT_BOOL)
    return f != 0.0f;
  if (to == KILN_DT_I64)
    return f != f || f >= 0x1p63f || f < -0x1p63f ? INT64_MIN : int64_t(f);
  int32_t i = f != f || f >= 0x1p31f || f < -0x1p31f ? INT32_MIN : int32_t(f);
  return wrapTo(i, to);
}

KILN_INLINE bool isFloatType(int64_t t) { return t == KILN_DT_F32 || t == KILN_DT_F16; }

KILN_INLINE float loadFloat(const void *x, int64_t t, int64_t i) {
  return t == KILN_DT_F16 ? kiln_f16_to_f32(static_cast<const uint16_t *>(x)[i])
                          : static_cast<const float *>(x)[i];
}

KILN_INLINE int64_t loadInt(const void *x, int64_t t, int64_t i) {
  switch (t) {
  case KILN_DT_I64: return static_cast<const int64_t *>(x)[i];
  case KILN_DT_I32: return static_cast<const int32_t *>(x)[i];
  case KILN_DT_I8: return static_cast<const int8_t *>(x)[i];
  case KILN_DT_BOOL: return static_cast<const uint8_t *>(x)[i] != 0;
  default: return static_cast<const uint8_t *>(x)[i];
  }
}

KILN_INLINE void storeInt(void *y, int64_t t, int64_t i, int64_t v) {
  switch (t) {
  case KILN_DT_I64: static_cast<int64_t *>(y)[i] = v; break;
  case KILN_DT_I32: static_cast<int32_t *>(y)[i] = int32_t(v); break;
  case KILN_DT_I8: static_cast<int8_t *>(y)[i] = int8_t(v); break;
  default: static_cast<uint8_t *>(y)[i] = uint8_t(v); break; // u8, bool
  }
}

} // namespace

KILN_GEN_KERNEL(kiln_gen_cast, KilnGenCastParams) {
  const void *x = bufs[1];
  void *y = bufs[0];
  const int64_t from = p->from, to = p->to;
  for (int64_t item = begin; item < end; ++item) {
    int64_t i0 = item * p->chunk;
    int64_t i1 = i0 + p->chunk < p->total ? i0 + p->chunk : p->total;
    for (int64_t i = i0; i < i1; ++i) {
      if (isFloatType(to)) {
        // Integers round to nearest (an i64 -> f16 through f32, as ORT).
        float f = isFloatType(from) ? loadFloat(x, from, i) : float(loadInt(x, from, i));
        if (to == KILN_DT_F16)
          static_cast<uint16_t *>(y)[i] = kiln_f32_to_f16(f);
        else
          static_cast<float *>(y)[i] = f;
      } else {
        int64_t v = isFloatType(from) ? floatTo(loadFloat(x, from, i), to)
                                      : wrapTo(loadInt(x, from, i), to);
        storeInt(y, to, i, v);
      }
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_softmax_f32, KilnGenSoftmaxParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  const int64_t mode = p->mode;
  // Inner positions reduced at once when softmax's axis is not the last:
  // their running max and sum (2 KB) stay on the stack.
  constexpr int64_t Tile = 256;
  for (int64_t o = begin; o < end; ++o) {
    const float *xo = x + o * p->n * p->inner;
    float *yo = out + o * p->n * p->inner;
    if (p->inner == 1) {
      float mx = maxStrided(xo, p->n, 1);
      if (mode == KILN_SOFTMAX_HARD) {
        int64_t first = 0; // all -inf or NaN: the first element, as ORT
        while (first < p->n && !(xo[first] == mx))
          ++first;
        for (int64_t k = 0; k < p->n; ++k)
          yo[k] = 0.0f;
        yo[first < p->n ? first : 0] = 1.0f;
        continue;
      }
      for (int64_t k = 0; k < p->n; ++k)
        yo[k] = expf(xo[k] - mx);
      float sum = sumStrided(yo, p->n, 1);
      if (mode == KILN_SOFTMAX_LOG) {
        float shift = mx + logf(sum);
        for (int64_t k = 0; k < p->n; ++k)
          yo[k] = xo[k] - shift;
        continue;
      }
      float inv = 1.0f / sum;
      for (int64_t k = 0; k < p->n; ++k)
        yo[k] *= inv;
      continue;
    }
    // Strided axis: vectorize across a tile of the inner positions.
    for (int64_t t0 = 0; t0 < p->inner; t0 += Tile) {
      int64_t tn = p->inner - t0 < Tile ? p->inner - t0 : Tile;
      const float *xt = xo + t0;
      float *yt = yo + t0;
      float mx[Tile], sum[Tile];
      for (int64_t i = 0; i < tn; ++i) {
        mx[i] = -__builtin_inff();
        sum[i] = 0.0f;
      }
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i)
          mx[i] = fmaxf(mx[i], xt[k * p->inner + i]);
      if (mode == KILN_SOFTMAX_HARD) {
        // sum[i] = 1 until row i's first maximum is written.
        for (int64_t i = 0; i < tn; ++i)
          sum[i] = 1.0f;
        for (int64_t k = 0; k < p->n; ++k)
          for (int64_t i = 0; i < tn; ++i) {
            float hit = xt[k * p->inner + i] == mx[i] ? sum[i] : 0.0f;
            yt[k * p->inner + i] = hit;
            sum[i] -= hit;
          }
        // Rows of NaN or -inf only: their first element, as ORT.
        for (int64_t i = 0; i < tn; ++i)
          if (sum[i] != 0.0f)
            yt[i] = 1.0f;
        continue;
      }
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i) {
          float e = expf(xt[k * p->inner + i] - mx[i]);
          if (mode != KILN_SOFTMAX_LOG)
            yt[k * p->inner + i] = e;
          sum[i] += e;
        }
      if (mode == KILN_SOFTMAX_LOG) {
        for (int64_t i = 0; i < tn; ++i)
          sum[i] = mx[i] + logf(sum[i]);
        for (int64_t k = 0; k < p->n; ++k)
          for (int64_t i = 0; i < tn; ++i)
            yt[k * p->inner + i] = xt[k * p->inner + i] - sum[i];
        continue;
      }
      for (int64_t i = 0; i < tn; ++i)
        sum[i] = 1.0f / sum[i];
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i)
          yt[k * p->inner + i] *= sum[i];
    }
  }
}
