//===- Reorder.h - Plain NCHW <-> blocked NCHW<L>c reorders -----*- C++ -*-===//
//
// kiln_reorder_to_blocked: [N][C][H][W] -> [N][ceil(C/L)][H][W][L], padded
// channels written as zero. kiln_reorder_to_plain: the inverse (padded
// channels dropped). Work items: (n, channel block).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_REORDER_H
#define KILN_CODEGEN_KERNELS_REORDER_H

#include "compiler/codegen/kernels/KernelABI.h"

/// Parameters of a reorder (all int64_t, see KernelABI.h).
struct KilnReorderParams {
  int64_t L;          ///< vector lanes == channel block size
  int64_t N, C, H, W; ///< logical NCHW shape
};

#ifdef __cplusplus
extern "C" {
#endif

/// Plain -> blocked, work items [begin, end).
void kiln_reorder_to_blocked(const KilnReorderParams *p,
                                         const float *in, float *out,
                                         int64_t begin, int64_t end);

/// Blocked -> plain, work items [begin, end).
void kiln_reorder_to_plain(const KilnReorderParams *p,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end);

/// Number of work items of either reorder: N * ceil(C/L).
int64_t kiln_reorder_work_items(const KilnReorderParams *p);

#ifdef __cplusplus
}
#endif

#endif // KILN_CODEGEN_KERNELS_REORDER_H
