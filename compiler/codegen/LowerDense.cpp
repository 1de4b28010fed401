//===- LowerDense.cpp - Gemm and MatMul -----------------------------------===//
//
// Gemm with a constant B goes to the fast packed GEMM (Gemm.h) when its C and
// epilogue fit; otherwise, and for MatMul, the generic kernel. A constant B^T
// is transposed at compile time so the generic inner loop is contiguous.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/LowerImpl.h"

#include "compiler/codegen/kernels/Gemm.h"

#include <algorithm>

namespace kiln::codegen {

namespace {

constexpr int64_t GemmColumnBlock = 256;

bool tryFastGemm(LowerContext &cx, const Node &n, int64_t M, int64_t N,
                 int64_t K) {
  const Value *a = n.input(0), *b = n.input(1), *c = n.input(2);
  if (!cx.options().fastKernels || !b->isConstant() || blockOf(a) != 0 ||
      (c && !c->isConstant()))
    return false;
  int64_t cLen = 0;
  if (c) {
    const Dims &cd = c->type.dims;
    int64_t elems = c->type.numElements();
    bool rowVector = cd.empty() || (cd.size() == 1) ||
                     (cd.size() == 2 && cd[0] == 1);
    if (!rowVector || (elems != 1 && elems != N))
      return false;
    cLen = elems;
  }
  KilnGemmParams p{};
  p.L = cx.options().vectorLanes;
  p.M = M, p.N = N, p.K = K;
  p.trans_a = n.attrs.getInt("transA");
  p.has_bias = 1;
  if (n.fused.size() > 1)
    return false;
  if (n.fused.size() == 1) {
    int64_t kind;
    double x, y;
    if (!activationStep(n.fused[0].op, n.fused[0].attrs, kind, x, y))
      return false;
    p.activation = kind;
    p.act_alpha = x;
    p.act_lo = x;
    p.act_hi = y;
  }
  // Packed when written out, from the graph's data (kept alive here).
  std::shared_ptr<const ConstantData> bd = b->constant;
  std::shared_ptr<const ConstantData> cd = c ? c->constant : nullptr;
  int64_t transB = n.attrs.getInt("transB");
  double alpha = n.attrs.getFloat("alpha"), beta = n.attrs.getFloat("beta");
  BufferRef wb = cx.addWeight(
      size_t(kiln_gemm_packed_size(&p)) * sizeof(float),
      [p, bd, transB, alpha](char *dst) {
        kiln_gemm_pack_b(&p, bd->f32.data(), transB, alpha,
                         reinterpret_cast<float *>(dst));
      });
  BufferRef bb = cx.addWeight(
      size_t(kiln_gemm_packed_bias_size(&p)) * sizeof(float),
      [p, cd, cLen, beta](char *dst) {
        kiln_gemm_pack_bias(&p, cd ? cd->f32.data() : nullptr, cLen, beta,
                            reinterpret_cast<float *>(dst));
      });
  Layer &l = cx.addLayer(&n, Kernel::GemmPacked, KernelAbi::PointerArgs);
  l.setParams(p);
  l.buffers = {cx.buffer(a), wb, bb, cx.buffer(n.output())};
  l.workItems = kiln_gemm_work_items(&p);
  return true;
}

} // namespace

static llvm::Error lowerGemm(LowerContext &cx, const Node &n) {
  const Value *a = n.input(0), *b = n.input(1), *c = n.input(2);
  if (blockOf(a) || blockOf(b) || blockOf(n.output()))
    return nodeError(n, "Gemm operands must have the plain layout");
  bool transA = n.attrs.getInt("transA"), transB = n.attrs.getInt("transB");
  const Dims &ad = a->type.dims, &bd = b->type.dims;
  int64_t M = transA ? ad[1] : ad[0], K = transA ? ad[0] : ad[1];
  int64_t N = transB ? bd[0] : bd[1];
  if (tryFastGemm(cx, n, M, N, K))
    return llvm::Error::success();
  KilnGenGemmParams p{};
  p.M = M, p.N = N, p.K = K;
  p.a_sm = transA ? 1 : K;
  p.a_sk = transA ? M : 1;
  p.alpha = n.attrs.getFloat("alpha");
  p.beta = n.attrs.getFloat("beta");
  p.nb = std::min<int64_t>(N, GemmColumnBlock);
  BufferRef bbuf;
  if (transB && b->isConstant()) {
    // [N][K] -> [K][N] at compile time: contiguous columns in the kernel.
    std::vector<float> t(size_t(N * K));
    const float *src = b->f32();
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k)
        t[size_t(k * N + j)] = src[j * K + k];
    bbuf = cx.addWeight(t);
    transB = false;
  } else {
    bbuf = cx.buffer(b);
  }
  p.b_sk = transB ? 1 : N;
  p.b_sn = transB ? K : 1;
  if (c) {
    const Dims &cd = c->type.dims;
    int64_t cM = cd.size() >= 2 ? cd[cd.size() - 2] : 1;
    int64_t cN = cd.empty() ? 1 : cd.back();
    p.has_c = 1;
    p.c_sn = cN == 1 ? 0 : 1;
    p.c_sm = cM == 1 ? 0 : cN;
  }
  Layer &l = cx.addLayer(&n, Kernel::GenGemm);
  l.buffers = {cx.buffer(n.output()), cx.buffer(a), bbuf,
               c ? cx.buffer(c) : BufferRef::null()};
  auto epi = lowerEpilogue(cx, n, l, /*allowPool=*/false);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_gemm_work_items(&p);
  return llvm::Error::success();
}

static llvm::Error lowerMatMul(LowerContext &cx, const Node &n) {
  const Value *a = n.input(0), *b = n.input(1);
  if (blockOf(a) || blockOf(b) || blockOf(n.output()))
    return nodeError(n, "MatMul operands must have the plain layout");
  Dims ad = a->type.dims, bd = b->type.dims;
  KilnGenGemmParams p{};
  Dims aBatch, bBatch;
  if (ad.size() == 1) {
    p.M = 1;
    p.K = ad[0];
  } else {
    p.M = ad[ad.size() - 2];
    p.K = ad.back();
    aBatch.assign(ad.begin(), ad.end() - 2);
  }
  if (bd.size() == 1) {
    p.N = 1;
  } else {
    p.N = bd.back();
    bBatch.assign(bd.begin(), bd.end() - 2);
  }
  size_t rank = std::max(aBatch.size(), bBatch.size());
  if (rank > 6)
    return nodeError(n, "more than 6 batch dimensions");
  // Right-aligned broadcast of the batch dims with per-operand strides.
  auto strides = [&](const Dims &batch, int64_t matrix, int64_t *out) {
    int64_t s = matrix;
    for (size_t i = 0; i < rank; ++i) {
      size_t d = rank - 1 - i;
      if (i < batch.size()) {
        int64_t dim = batch[batch.size() - 1 - i];
        out[d] = dim == 1 ? 0 : s;
        s *= dim;
      } else {
        out[d] = 0;
      }
    }
  };
  p.batch_rank = int64_t(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + aBatch.size() >= rank ? aBatch[i + aBatch.size() - rank] : 1;
    int64_t db = i + bBatch.size() >= rank ? bBatch[i + bBatch.size() - rank] : 1;
    p.batch_dims[i] = std::max(da, db);
  }
  strides(aBatch, p.M * p.K, p.a_bstride);
  strides(bBatch, p.K * p.N, p.b_bstride);
  p.a_sm = p.K;
  p.a_sk = 1;
  p.b_sk = bd.size() == 1 ? 1 : p.N;
  p.b_sn = 1;
  p.alpha = 1.0;
  p.nb = std::min<int64_t>(p.N, GemmColumnBlock);
  Layer &l = cx.addLayer(&n, Kernel::GenGemm);
  l.buffers = {cx.buffer(n.output()), cx.buffer(a), cx.buffer(b),
               BufferRef::null()};
  auto epi = lowerEpilogue(cx, n, l, /*allowPool=*/false);
  if (!epi)
    return epi.takeError();
  p.epi = *epi;
  l.setParams(p);
  l.workItems = kiln_gen_gemm_work_items(&p);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The ops of this file (LowerImpl.h)
//===----------------------------------------------------------------------===//

std::span<const OpLowering> denseLowerings() {
  static constexpr OpLowering Table[] = {
      {OpKind::Gemm, lowerGemm},
      {OpKind::MatMul, lowerMatMul},
  };
  return Table;
}

} // namespace kiln::codegen
