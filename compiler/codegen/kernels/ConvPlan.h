//===- ConvPlan.h - How a convolution is split into tiles and items -*- C++ -*-===//
//
// Shared by the kernel (where the params are compile-time constants, so the
// plan folds away) and the native helpers (work-item counts, pool fusion).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_CONVPLAN_H
#define KILN_CODEGEN_KERNELS_CONVPLAN_H

#include "compiler/codegen/kernels/Conv.h"
#include "compiler/codegen/kernels/Vec.h"

namespace kiln::kernels {

/// Output pixels per register tile for `ocb` (1, 2 or 4) output-channel
/// blocks: up to 28 accumulators with 32 vector registers (AVX-512 and NEON
/// take L 16 and 4), 12 with AVX2's 16 (L 8). The 4-block shape serves narrow
/// rows (7 pixels: ResNet's last stage).
constexpr int convTileWidth(int L, int ocb) {
  if (L >= 16)
    return ocb == 4 ? 7 : 14;
  if (L == 8)
    return ocb == 4 ? 3 : ocb == 2 ? 6 : 12;
  return ocb == 4 ? 6 : 12;
}

struct ConvPlan {
  int64_t Cg, Mg;     ///< channels per group
  int64_t Cgb, Mgb;   ///< channel blocks per group
  int64_t Mb;         ///< output blocks of the whole tensor (G * Mgb)
  int64_t ocb;        ///< output blocks per tile / work item
  int64_t nOcg;       ///< work-item output block groups per group
  int64_t bandRows;   ///< output rows (pooled rows when pooling) per item
  int64_t nBands;
  int64_t poolSlots;  ///< pending pooled rows kept while pooling
  int64_t scratchFloats;
  int64_t items;
};

KILN_INLINE ConvPlan convPlan(const KilnConvParams *p) {
  ConvPlan s{};
  const int64_t L = p->L;
  s.Cg = p->C / p->G;
  s.Mg = p->M / p->G;
  s.Cgb = ceilDiv(s.Cg, L);
  s.Mgb = ceilDiv(s.Mg, L);
  s.Mb = p->G * s.Mgb;
  // Tile shape: 4 oc blocks when that wastes fewer pixels of the row's last
  // (partial) tile than 2 blocks, else 2, else 1 (odd block counts).
  auto waste = [&](int64_t nw) { return ceilDiv(p->OW, nw) * nw - p->OW; };
  const int iL = (int)L;
  s.ocb = s.Mgb % 2 == 0 ? 2 : 1;
  if (s.Mgb % 4 == 0 && waste(convTileWidth(iL, 4)) < waste(convTileWidth(iL, 2)))
    s.ocb = 4;
  if (p->pool_kind != KILN_POOL_NONE) {
    // Several oc blocks per item only while the pooling scratch stays small.
    s.poolSlots = ceilDiv(p->pool_kh, p->pool_sh);
    while (s.ocb > 1 && s.ocb * L * (p->OW + s.poolSlots * p->pool_ow) * 4 >
                            KILN_CONV_POOL_SCRATCH_BYTES)
      s.ocb /= 2;
  }
  s.nOcg = s.Mgb / s.ocb;
  const int64_t ocGroups = p->N * p->G * s.nOcg;
  if (p->pool_kind == KILN_POOL_NONE) {
    s.bandRows = 1;
    s.nBands = p->OH;
  } else {
    // Bands of pooled rows: long enough that overlapping windows recompute
    // little (one conv row per band for 3x3/2), short enough that both cores
    // get work: aim for >= 8 items in total.
    int64_t want = imax(1, ceilDiv(8, ocGroups));
    s.bandRows = imax(1, imin(8, ceilDiv(p->pool_oh, want)));
    s.nBands = ceilDiv(p->pool_oh, s.bandRows);
    s.scratchFloats = s.ocb * L * (p->OW + s.poolSlots * p->pool_ow);
  }
  s.items = ocGroups * s.nBands;
  return s;
}

} // namespace kiln::kernels

#endif // KILN_CODEGEN_KERNELS_CONVPLAN_H
