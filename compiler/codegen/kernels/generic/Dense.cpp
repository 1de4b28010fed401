//===- Dense.cpp - Generic Gemm and batched MatMul ------------------------===//
//
// One work item computes `nb` columns of one output row: a stack accumulator
// updated by rank-1 steps acc[j] += A(m,k) * B(k, j), whose inner loop is
// contiguous when B is row-major (the code generator transposes constant
// B^T at compile time so that it is).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/generic/Common.h"

using namespace kiln_gen;

KILN_GEN_KERNEL(kiln_gen_gemm_f32, KilnGenGemmParams) {
  const float *KILN_RESTRICT A = static_cast<const float *>(bufs[1]);
  const float *KILN_RESTRICT B = static_cast<const float *>(bufs[2]);
  const float *KILN_RESTRICT Cm = static_cast<const float *>(bufs[3]);
  float *out = static_cast<float *>(bufs[0]);
  // Columns per work item lowering may ask for (p->nb, LowerDense's
  // GemmColumnBlock): their accumulators live on the stack.
  constexpr int64_t MaxNb = 512;
  int64_t blocks = kiln_gen_ceil_div(p->N, p->nb);
  for (int64_t item = begin; item < end; ++item) {
    int64_t jb = item % blocks;
    int64_t m = item / blocks % p->M;
    int64_t b = item / blocks / p->M;
    // Batch offsets of A and B (row-major batch index, broadcast strides).
    int64_t aOff = 0, bOff = 0, rem = b;
    for (int64_t d = p->batch_rank - 1; d >= 0; --d) {
      int64_t i = rem % p->batch_dims[d];
      rem /= p->batch_dims[d];
      aOff += i * p->a_bstride[d];
      bOff += i * p->b_bstride[d];
    }
    int64_t j0 = jb * p->nb;
    int64_t jn = p->N - j0 < p->nb ? p->N - j0 : p->nb;
    float acc[MaxNb];
    for (int64_t j = 0; j < jn; ++j)
      acc[j] = 0.0f;
    const float *arow = A + aOff + m * p->a_sm;
    const float *bcol = B + bOff + j0 * p->b_sn;
    for (int64_t k = 0; k < p->K; ++k) {
      float av = arow[k * p->a_sk];
      const float *brow = bcol + k * p->b_sk;
      for (int64_t j = 0; j < jn; ++j)
        acc[j] += av * brow[j * p->b_sn];
    }
    int64_t base = (b * p->M + m) * p->N + j0;
    float alpha = float(p->alpha), beta = float(p->beta);
    for (int64_t j = 0; j < jn; ++j) {
      float v = alpha * acc[j];
      if (p->has_c)
        v += beta * Cm[m * p->c_sm + (j0 + j) * p->c_sn];
      out[base + j] = applyPre(p->epi, bufs, base + j, v);
    }
  }
}
