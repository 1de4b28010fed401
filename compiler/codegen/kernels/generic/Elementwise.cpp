//===- Elementwise.cpp - Generic unary, broadcast n-ary and softmax -------===//
//
// Unary ops are a copy with an epilogue (Relu is the epilogue [relu]), so one
// kernel serves activations, copies and their fusions. The n-ary kernel walks
// the output's outer dims and runs the innermost one as a loop whose input
// strides (0 or 1 after dim collapsing) are constants after specialization.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

KILN_GEN_KERNEL(kiln_gen_unary_f32, KilnGenUnaryParams) {
  const float *x = static_cast<const float *>(bufs[1]);
  float *out = static_cast<float *>(bufs[0]);
  for (int64_t item = begin; item < end; ++item) {
    int64_t i0 = item * p->chunk;
    int64_t i1 = i0 + p->chunk < p->total ? i0 + p->chunk : p->total;
    for (int64_t i = i0; i < i1; ++i)
      out[i] = applyPre(p->epi, bufs, i, x[i]);
  }
}

KILN_GEN_KERNEL(kiln_gen_nary_f32, KilnGenNaryParams) {
  float *out = static_cast<float *>(bufs[0]);
  int64_t last = p->rank - 1;
  int64_t inner = p->dims[last];
  int64_t chunks = kiln_gen_ceil_div(inner, p->chunk);
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
    const float *x0 = static_cast<const float *>(bufs[1]) + off[0];
    int64_t s0 = p->strides[0][last];
    for (int64_t j = 0; j < jn; ++j) {
      float v = x0[j * s0];
      for (int64_t k = 1; k < p->n; ++k) {
        float y = static_cast<const float *>(bufs[1 + k])[off[k] +
                                                          j * p->strides[k][last]];
        switch (p->op) {
        case KILN_BIN_ADD:
          v = v + y;
          break;
        case KILN_BIN_SUB:
          v = v - y;
          break;
        case KILN_BIN_MUL:
          v = v * y;
          break;
        default:
          v = v / y;
          break;
        }
      }
      out[base + j] = applyPre(p->epi, bufs, base + j, v);
    }
  }
}

KILN_GEN_KERNEL(kiln_gen_softmax_f32, KilnGenSoftmaxParams) {
  const float *KILN_RESTRICT x = static_cast<const float *>(bufs[1]);
  float *KILN_RESTRICT out = static_cast<float *>(bufs[0]);
  // Inner positions reduced at once when softmax's axis is not the last:
  // their running max and sum (2 KB) stay on the stack.
  constexpr int64_t Tile = 256;
  for (int64_t o = begin; o < end; ++o) {
    const float *xo = x + o * p->n * p->inner;
    float *yo = out + o * p->n * p->inner;
    if (p->inner == 1) {
      float mx = maxStrided(xo, p->n, 1);
      for (int64_t k = 0; k < p->n; ++k)
        yo[k] = expf(xo[k] - mx);
      float inv = 1.0f / sumStrided(yo, p->n, 1);
      for (int64_t k = 0; k < p->n; ++k)
        yo[k] *= inv;
      continue;
    }
    // Strided axis: vectorize across a tile of the inner positions.
    for (int64_t t0 = 0; t0 < p->inner; t0 += Tile) {
      int64_t tn = p->inner - t0 < Tile ? p->inner - t0 : Tile;
      float mx[Tile], sum[Tile];
      for (int64_t i = 0; i < tn; ++i) {
        mx[i] = -__builtin_inff();
        sum[i] = 0.0f;
      }
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i)
          mx[i] = fmaxf(mx[i], xo[k * p->inner + t0 + i]);
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i) {
          float e = expf(xo[k * p->inner + t0 + i] - mx[i]);
          yo[k * p->inner + t0 + i] = e;
          sum[i] += e;
        }
      for (int64_t i = 0; i < tn; ++i)
        sum[i] = 1.0f / sum[i];
      for (int64_t k = 0; k < p->n; ++k)
        for (int64_t i = 0; i < tn; ++i)
          yo[k * p->inner + t0 + i] *= sum[i];
    }
  }
}
