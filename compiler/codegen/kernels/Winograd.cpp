//===- Winograd.cpp - kiln_conv2d_winograd_* entry points and packing -----===//

#include "compiler/codegen/kernels/Winograd.h"
#include "compiler/codegen/kernels/WinogradImpl.h"

using namespace kiln::kernels;

KILN_KERNEL void kiln_conv2d_winograd_f32_nchwc(
    const KilnConvParams *p, const float *in, const float *packed_w,
    const float *bias, const float *residual, float *out, int64_t begin,
    int64_t end) {
  conv2dWinograd<KILN_LANES>(p, in, packed_w, bias, residual, out, begin, end);
}

extern "C" int kiln_conv2d_winograd_supported(const KilnConvParams *p) {
  return p->KH == 3 && p->KW == 3 && p->SH == 1 && p->SW == 1 && p->DH == 1 &&
         p->DW == 1 && p->G == 1 && p->input_blocked &&
         p->pool_kind == KILN_POOL_NONE && p->PT >= 0 && p->PT <= 2 &&
         p->PL >= 0 && p->PL <= 2 && p->OH >= 1 && p->OW >= 1 &&
         (p->L == 4 || p->L == 8 || p->L == 16);
}

extern "C" int64_t kiln_conv2d_winograd_work_items(const KilnConvParams *p) {
  return winoPlan(p).items;
}

extern "C" int64_t kiln_conv2d_winograd_packed_size(const KilnConvParams *p) {
  const WinoPlan s = winoPlan(p);
  return s.Mb * p->L * 36 * s.Cb * p->L;
}

extern "C" void kiln_conv2d_winograd_pack_weights(const KilnConvParams *p,
                                                  const float *oihw,
                                                  float *packed) {
  // U = G g G^T for F(4x4,3x3), in double.
  const double G[6][3] = {{1.0 / 4, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};
  const WinoPlan s = winoPlan(p);
  const int64_t L = p->L, Cp = s.Cb * L, OL = s.ocb * L;
  for (int64_t i = 0, n = kiln_conv2d_winograd_packed_size(p); i < n; ++i)
    packed[i] = 0.0f;
  for (int64_t m = 0; m < p->M; ++m) {
    const int64_t q = m / OL, om = m % OL; // om = o * L + lane
    for (int64_t c = 0; c < p->C; ++c) {
      const float *g = oihw + (m * p->C + c) * 9;
      double gg[6][3];
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 3; ++j)
          gg[i][j] = G[i][0] * g[0 * 3 + j] + G[i][1] * g[1 * 3 + j] +
                     G[i][2] * g[2 * 3 + j];
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) {
          const double u =
              gg[i][0] * G[j][0] + gg[i][1] * G[j][1] + gg[i][2] * G[j][2];
          packed[((q * 36 + i * 6 + j) * Cp + c) * OL + om] = (float)u;
        }
    }
  }
}
