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
/// rows on AVX2/NEON and Winograd's GEMM; on AVX-512 it is 4 x 6, as 4 x 7
/// accumulators + 4 weights + a broadcast is one register too many (LLVM
/// spilled accumulators in the inner loop: Winograd ran 1.1-1.5x slower).
constexpr int convTileWidth(int L, int ocb) {
  if (L >= 16)
    return ocb == 4 ? 6 : 14;
  if (L == 8)
    return ocb == 4 ? 3 : ocb == 2 ? 6 : 12;
  return ocb == 4 ? 6 : 12;
}

/// The AVX-512 shape for rows of 7 pixels (ResNet's last stage): 2 blocks x 7
/// pixels. 4 x 7 would need 28 accumulators + 4 weights + a broadcast, one
/// more than the 32 registers, and LLVM spills accumulators in the inner loop.
constexpr int convNarrowWidth(int L) { return L >= 16 ? 7 : convTileWidth(L, 2); }

/// Cache budgets of a work item (bytes), from the target's cache sizes in the
/// params (l1d_bytes, l2_bytes; 32 KB and 1 MB by default).
struct ConvBudgets {
  int64_t l1Weights;   ///< weights of one channel chunk, kept in L1 while the
                       ///< item's band of rows reuses them: 3/4 of L1D, the
                       ///< rest for the input and output rows
  int64_t l2;          ///< L2 a layer may count on (picks the item order)
  int64_t chunkOutput; ///< partial sums a chunked item keeps in its output
                       ///< band: 1/8 of L2
  int64_t bandInput;   ///< input rows a band-major item reads, all
                       ///< channels: 1/4 of L2
};

KILN_INLINE ConvBudgets convBudgets(const KilnConvParams *p) {
  return {p->l1d_bytes * 3 / 4, p->l2_bytes, p->l2_bytes / 8, p->l2_bytes / 4};
}

struct ConvPlan {
  int64_t Cg, Mg;     ///< channels per group
  int64_t Cgb, Mgb;   ///< channel blocks per group
  int64_t Mb;         ///< output blocks of the whole tensor (G * Mgb)
  int64_t ocb;        ///< output blocks per tile / work item
  int64_t nw;         ///< output pixels per tile (convTileWidth or convNarrowWidth)
  int64_t nOcg;       ///< work-item output block groups per group
  int64_t bandRows;   ///< output rows (pooled rows when pooling) per item
  int64_t nBands;
  int64_t cbChunk;    ///< input blocks per channel chunk (Cgb: one chunk)
  bool bandMajor;     ///< items ordered band, then oc block group (see below)
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
  // Tile shape: the one that wastes fewest pixels of the row's last
  // (partial) tile; with equal waste, 2 oc blocks x the wide row.
  auto waste = [&](int64_t nw) { return ceilDiv(p->OW, nw) * nw - p->OW; };
  const int iL = (int)L;
  s.ocb = s.Mgb % 2 == 0 ? 2 : 1;
  s.nw = convTileWidth(iL, (int)s.ocb);
  if (L >= 16) {
    if (s.ocb == 2 && waste(convNarrowWidth(iL)) < waste(s.nw))
      s.nw = convNarrowWidth(iL);
  } else if (s.Mgb % 4 == 0 &&
             waste(convTileWidth(iL, 4)) < waste(convTileWidth(iL, 2))) {
    s.ocb = 4;
    s.nw = convTileWidth(iL, 4);
  }
  if (p->pool_kind != KILN_POOL_NONE) {
    // Several oc blocks per item only while the pooling scratch stays small.
    s.poolSlots = ceilDiv(p->pool_kh, p->pool_sh);
    while (s.ocb > 1 && s.ocb * L * (p->OW + s.poolSlots * p->pool_ow) * 4 >
                            KILN_CONV_POOL_SCRATCH_BYTES) {
      s.ocb /= 2;
      s.nw = convTileWidth(iL, (int)s.ocb);
    }
  }
  s.nOcg = s.Mgb / s.ocb;
  const int64_t ocGroups = p->N * p->G * s.nOcg;
  s.cbChunk = s.Cgb;
  if (p->pool_kind == KILN_POOL_NONE) {
    const ConvBudgets b = convBudgets(p);
    s.bandRows = 1;
    s.nBands = p->OH;
    // Channel chunks. A tile reads all of its item's weights (OCB blocks x
    // every input block); once those outgrow L1 each tile streams them from
    // L2 or beyond, and narrow rows (7 pixels: ResNet's last stage) use each
    // weight vector for too few FMAs to hide that. Then an item takes a band
    // of rows and walks the input blocks in chunks whose weights stay in L1
    // across the band's rows, keeping partial sums in the output (which is
    // in L1/L2 too: the band is bounded).
    const int64_t blockWeightBytes = s.ocb * p->KH * p->KW * L * L * 4;
    if (p->input_blocked && p->OH > 1 &&
        s.Cgb * blockWeightBytes > b.l1Weights) {
      s.cbChunk = imax(1, b.l1Weights / blockWeightBytes);
      const int64_t rowBytes = s.ocb * p->OW * L * 4;
      const int64_t maxRows = imax(1, b.chunkOutput / rowBytes);
      // At least 8 items in all, so both cores get work.
      const int64_t wantBands = imin(p->OH, ceilDiv(8, ocGroups));
      s.bandRows = imax(1, imin(maxRows, ceilDiv(p->OH, wantBands)));
      s.nBands = ceilDiv(p->OH, s.bandRows);
    }
    // Item order. Consecutive items of a thread share their weights (oc
    // group outer, bands inner) and every oc group rereads the input: right
    // while the input stays in L2. When it does not but the weights do
    // (ResNet's stride-2 1x1 downsamples: 3.2 MB in, 0.5 MB of weights, 16
    // oc groups), bands go outer: a band of input rows is read once, by every
    // oc group in turn, while the weights cycle through L2.
    const int64_t inputBytes = s.Cgb * p->H * p->W * L * 4;
    const int64_t weightBytes = s.Mgb * s.Cgb * p->KH * p->KW * L * L * 4;
    if (p->input_blocked && p->G == 1 && s.nOcg > 1 &&
        inputBytes > b.l2 && weightBytes <= b.l2 / 2) {
      s.bandMajor = true;
      const int64_t inRowBytes = p->SH * p->W * s.Cgb * L * 4;
      s.bandRows = imax(1, imin(p->OH, b.bandInput / inRowBytes));
      if (s.cbChunk < s.Cgb) // partial sums of a band stay near
        s.bandRows = imin(s.bandRows, imax(1, b.chunkOutput /
                                                  (s.ocb * p->OW * L * 4)));
      s.nBands = ceilDiv(p->OH, s.bandRows);
    }
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
