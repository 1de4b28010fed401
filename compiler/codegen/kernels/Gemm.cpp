//===- Gemm.cpp - kiln_gemm_* entry points and B packing ------------------===//

#include "compiler/codegen/kernels/Gemm.h"
#include "compiler/codegen/kernels/GemmImpl.h"

using namespace kiln::kernels;

KILN_KERNEL void kiln_gemm_f32_packed(const KilnGemmParams *p, const float *a,
                                      const float *packed_b, const float *bias,
                                      float *y, int64_t begin, int64_t end) {
  gemm<KILN_LANES>(p, a, packed_b, bias, y, begin, end);
}

extern "C" int64_t kiln_gemm_work_items(const KilnGemmParams *p) {
  return gemmPlan(p).items;
}

extern "C" int64_t kiln_gemm_packed_size(const KilnGemmParams *p) {
  return ceilDiv(p->N, p->L) * p->K * p->L;
}

extern "C" void kiln_gemm_pack_b(const KilnGemmParams *p, const float *b,
                                 int64_t trans_b, double alpha,
                                 float *packed) {
  const int64_t L = p->L, K = p->K, N = p->N, Nb = ceilDiv(N, L);
  const float s = (float)alpha;
  for (int64_t nb = 0; nb < Nb; ++nb)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = 0; i < L; ++i) {
        const int64_t n = nb * L + i;
        float v = 0.0f;
        if (n < N)
          v = s * (trans_b ? b[n * K + k] : b[k * N + n]);
        packed[(nb * K + k) * L + i] = v;
      }
}

extern "C" int64_t kiln_gemm_packed_bias_size(const KilnGemmParams *p) {
  return ceilDiv(p->N, p->L) * p->L;
}

extern "C" void kiln_gemm_pack_bias(const KilnGemmParams *p, const float *c,
                                    int64_t c_len, double beta,
                                    float *packed) {
  const int64_t padded = ceilDiv(p->N, p->L) * p->L;
  for (int64_t n = 0; n < padded; ++n) {
    float v = 0.0f;
    if (c && n < p->N)
      v = (float)beta * (c_len == 1 ? c[0] : c[n]);
    packed[n] = v;
  }
}
