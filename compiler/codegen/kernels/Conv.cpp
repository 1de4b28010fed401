//===- Conv.cpp - kiln_conv2d_* entry points and weight packing -----------===//

#include "compiler/codegen/kernels/Conv.h"
#include "compiler/codegen/kernels/ConvImpl.h"

using namespace kiln::kernels;

KILN_KERNEL void kiln_conv2d_f32_nchwc(const KilnConvParams *p, const float *in,
                                       const float *packed_w,
                                       const float *bias,
                                       const float *residual, float *out,
                                       int64_t begin, int64_t end) {
  conv2d<KILN_LANES>(p, in, packed_w, bias, residual, out, begin, end);
}

extern "C" int64_t kiln_conv2d_work_items(const KilnConvParams *p) {
  return convPlan(p).items;
}

extern "C" int64_t kiln_conv2d_packed_size(const KilnConvParams *p) {
  const ConvPlan s = convPlan(p);
  const int64_t inChannels = p->input_blocked ? s.Cgb * p->L : s.Cg;
  return p->G * s.Mgb * inChannels * p->KH * p->KW * p->L;
}

extern "C" void kiln_conv2d_pack_weights(const KilnConvParams *p,
                                         const float *oihw, float *packed) {
  const ConvPlan s = convPlan(p);
  const int64_t L = p->L, KH = p->KH, KW = p->KW;
  // Blocked input: packed[g][ob][ib][kh][kw][i][o] = oihw[g*Mg + ob*L + o][ib*L + i][kh][kw];
  // plain input:   packed[g][ob][kh][kw][c][o], the Cg channels unpadded.
  const int64_t inBlocks = p->input_blocked ? s.Cgb : 1;
  const int64_t blockChannels = p->input_blocked ? L : s.Cg;
  int64_t k = 0;
  for (int64_t g = 0; g < p->G; ++g)
    for (int64_t ob = 0; ob < s.Mgb; ++ob)
      for (int64_t ib = 0; ib < inBlocks; ++ib)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw)
            for (int64_t i = 0; i < blockChannels; ++i)
              for (int64_t o = 0; o < L; ++o, ++k) {
                const int64_t m = ob * L + o, c = ib * blockChannels + i;
                packed[k] =
                    m < s.Mg && c < s.Cg
                        ? oihw[(((g * s.Mg + m) * s.Cg + c) * KH + kh) * KW + kw]
                        : 0.0f;
              }
}

extern "C" int64_t kiln_conv2d_packed_bias_size(const KilnConvParams *p) {
  return convPlan(p).Mb * p->L;
}

extern "C" void kiln_conv2d_pack_bias(const KilnConvParams *p, const float *bias,
                                      float *packed) {
  const ConvPlan s = convPlan(p);
  for (int64_t g = 0; g < p->G; ++g)
    for (int64_t m = 0; m < s.Mgb * p->L; ++m)
      packed[g * s.Mgb * p->L + m] =
          bias && m < s.Mg ? bias[g * s.Mg + m] : 0.0f;
}

extern "C" int kiln_conv2d_can_fuse_pool(const KilnConvParams *p) {
  if (p->pool_kind == KILN_POOL_NONE)
    return 1;
  if (p->pool_kh < 1 || p->pool_kw < 1 || p->pool_sh < 1 || p->pool_sw < 1)
    return 0;
  return convPlan(p).scratchFloats * 4 <= KILN_CONV_POOL_SCRATCH_BYTES;
}
