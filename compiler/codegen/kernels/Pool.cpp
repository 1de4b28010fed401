//===- Pool.cpp - kiln_pool2d / kiln_global_pool entry points -------------===//

#include "compiler/codegen/kernels/Pool.h"
#include "compiler/codegen/kernels/PoolImpl.h"

using namespace kiln::kernels;

KILN_KERNEL void kiln_pool2d_f32_nchwc(const KilnPoolParams *p,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end) {
  pool2d<KILN_LANES>(p, in, out, begin, end);
}

extern "C" int64_t kiln_pool2d_work_items(const KilnPoolParams *p) {
  return p->N * ceilDiv(p->C, p->L) * p->OH;
}

KILN_KERNEL void kiln_global_pool_f32_nchwc(const KilnGlobalPoolParams *p,
                                            const float *in, float *out,
                                            int64_t begin, int64_t end) {
  globalPool<KILN_LANES>(p, in, out, begin, end);
}

extern "C" int64_t kiln_global_pool_work_items(const KilnGlobalPoolParams *p) {
  return p->N * ceilDiv(p->C, p->L);
}
