//===- Reorder.cpp - Plain NCHW <-> NCHW<L>c ------------------------------===//

#include "compiler/codegen/kernels/Reorder.h"
#include "compiler/codegen/kernels/ReorderImpl.h"

using namespace kiln::kernels;

KILN_KERNEL void kiln_reorder_to_blocked(const KilnReorderParams *p,
                                         const float *in, float *out,
                                         int64_t begin, int64_t end) {
  reorderToBlocked<KILN_LANES>(p, in, out, begin, end);
}

KILN_KERNEL void kiln_reorder_to_plain(const KilnReorderParams *p,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end) {
  reorderToPlain<KILN_LANES>(p, in, out, begin, end);
}

extern "C" int64_t kiln_reorder_work_items(const KilnReorderParams *p) {
  return p->N * ceilDiv(p->C, p->L);
}
