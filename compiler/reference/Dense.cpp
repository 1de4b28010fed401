//===- Dense.cpp - Reference Gemm and MatMul -------------------------------===//
//
// Compiled with -O3 (VGG's fc6 is a 25088x4096 Gemm). Every output element
// sums its products in ascending k, in float.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Kernels.h"

#include <algorithm>

namespace kiln::ref {

namespace {
/// out[0..N) = sum_k a[k*aStride] * B(k, :), where B(k, n) is
/// b[k*bRow + n*bCol]. The contiguous case (bCol == 1) is an axpy per k.
void rowTimesMatrix(const float *a, int64_t aStride, const float *b, int64_t bRow,
                    int64_t bCol, int64_t K, int64_t N, float *out) {
  std::fill(out, out + N, 0.0f);
  if (bCol == 1) {
    for (int64_t k = 0; k < K; ++k) {
      const float av = a[k * aStride];
      const float *bk = b + k * bRow;
      for (int64_t n = 0; n < N; ++n)
        out[n] += av * bk[n];
    }
    return;
  }
  // B transposed: each output is a dot product over a contiguous row of B.
  for (int64_t n = 0; n < N; ++n) {
    float acc = 0.0f;
    for (int64_t k = 0; k < K; ++k)
      acc += a[k * aStride] * b[k * bRow + n * bCol];
    out[n] = acc;
  }
}
} // namespace

Tensor gemm_ref(const Tensor &a, const Tensor &b, const Tensor *c, const Attrs &attrs) {
  assert(a.isF32() && b.isF32() && a.rank() == 2 && b.rank() == 2);
  const bool transA = attrs.getInt("transA") != 0, transB = attrs.getInt("transB") != 0;
  const float alpha = float(attrs.getFloat("alpha")), beta = float(attrs.getFloat("beta"));
  const int64_t M = transA ? a.dims()[1] : a.dims()[0];
  const int64_t K = transA ? a.dims()[0] : a.dims()[1];
  const int64_t N = transB ? b.dims()[0] : b.dims()[1];
  assert((transB ? b.dims()[1] : b.dims()[0]) == K && "inner dimensions");

  // A(m, k) = a[m*aRow + k*aCol], B(k, n) = b[k*bRow + n*bCol].
  const int64_t aRow = transA ? 1 : K, aCol = transA ? M : 1;
  const int64_t bRow = transB ? 1 : N, bCol = transB ? K : 1;

  // C broadcasts to [M, N] from the right: [], [1], [N], [M,1], [1,N], [M,N].
  int64_t cM = 1, cN = 1;
  if (c) {
    assert(c->isF32() && c->rank() <= 2);
    if (c->rank() >= 1)
      cN = c->dims().back();
    if (c->rank() == 2)
      cM = c->dims()[0];
    assert((cM == 1 || cM == M) && (cN == 1 || cN == N) && "C broadcast");
  }

  Tensor y = Tensor::zeros({DType::F32, {M, N}});
  for (int64_t m = 0; m < M; ++m) {
    float *yRow = y.f32.data() + m * N;
    rowTimesMatrix(a.f32.data() + m * aRow, aCol, b.f32.data(), bRow, bCol, K, N, yRow);
    for (int64_t n = 0; n < N; ++n) {
      float v = alpha * yRow[n];
      if (c)
        v += beta * c->f32[size_t((cM == 1 ? 0 : m) * cN + (cN == 1 ? 0 : n))];
      yRow[n] = v;
    }
  }
  return y;
}

Tensor matmul_ref(const Tensor &a, const Tensor &b) {
  assert(a.isF32() && b.isF32() && a.rank() >= 1 && b.rank() >= 1);
  // numpy: a 1-D left operand is a row [1,K], a 1-D right operand a column [K,1].
  Dims ad = a.dims(), bd = b.dims();
  const bool aVec = ad.size() == 1, bVec = bd.size() == 1;
  if (aVec)
    ad.insert(ad.begin(), 1);
  if (bVec)
    bd.push_back(1);
  const int64_t M = ad[ad.size() - 2], K = ad.back(), N = bd.back();
  assert(bd[bd.size() - 2] == K && "inner dimensions");

  // Broadcast the batch axes (all but the last two), aligned from the right.
  Dims aBatch(ad.begin(), ad.end() - 2), bBatch(bd.begin(), bd.end() - 2);
  const size_t rank = std::max(aBatch.size(), bBatch.size());
  aBatch.insert(aBatch.begin(), rank - aBatch.size(), 1);
  bBatch.insert(bBatch.begin(), rank - bBatch.size(), 1);
  Dims batch(rank);
  for (size_t i = 0; i < rank; ++i) {
    assert((aBatch[i] == bBatch[i] || aBatch[i] == 1 || bBatch[i] == 1) && "broadcast");
    batch[i] = std::max(aBatch[i], bBatch[i]);
  }

  Dims outDims = batch;
  if (!aVec)
    outDims.push_back(M);
  if (!bVec)
    outDims.push_back(N);
  Tensor y = Tensor::zeros({DType::F32, outDims});

  int64_t batches = 1;
  for (int64_t d : batch)
    batches *= d;
  Dims index(rank, 0);
  for (int64_t bi = 0; bi < batches; ++bi) {
    // Offsets of this batch item in a and b (broadcast axes stay at 0).
    int64_t aOff = 0, bOff = 0;
    for (size_t i = 0; i < rank; ++i) {
      aOff = aOff * aBatch[i] + (aBatch[i] == 1 ? 0 : index[i]);
      bOff = bOff * bBatch[i] + (bBatch[i] == 1 ? 0 : index[i]);
    }
    const float *ap = a.f32.data() + aOff * M * K;
    const float *bp = b.f32.data() + bOff * K * N;
    float *yp = y.f32.data() + bi * M * N;
    for (int64_t m = 0; m < M; ++m)
      rowTimesMatrix(ap + m * K, 1, bp, N, 1, K, N, yp + m * N);
    for (size_t i = rank; i-- > 0;) { // next batch index, odometer style
      if (++index[i] < batch[i])
        break;
      index[i] = 0;
    }
  }
  return y;
}

//===----------------------------------------------------------------------===//
// The ops of this file (Dispatch.h)
//===----------------------------------------------------------------------===//

std::span<const OpEvaluator> denseEvaluators() {
  using A = const EvalArgs &;
  static constexpr OpEvaluator Table[] = {
      {OpKind::Gemm,
       [](A e) -> llvm::Expected<Tensor> {
         return gemm_ref(e.operand(0), e.operand(1), e.optional(2), e.attrs);
       }},
      {OpKind::MatMul, [](A e) -> llvm::Expected<Tensor> { return matmul_ref(e.operand(0), e.operand(1)); }},
  };
  return Table;
}

} // namespace kiln::ref
