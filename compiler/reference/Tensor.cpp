//===- Tensor.cpp - A tensor with its data --------------------------------===//

#include "compiler/reference/Tensor.h"

namespace kiln {

Tensor Tensor::zeros(TensorType t) {
  assert(tensorHolds(t.dtype) && "tensors hold no f16 or f64 data");
  Tensor r;
  size_t n = size_t(t.numElements());
  r.type = std::move(t);
  if (r.isF32())
    r.f32.assign(n, 0.0f);
  else
    r.i64.assign(n, 0);
  return r;
}

Tensor Tensor::fromF32(Dims dims, std::vector<float> data) {
  Tensor r;
  r.type = {DType::F32, std::move(dims)};
  assert(int64_t(data.size()) == r.type.numElements() && "data size != shape");
  r.f32 = std::move(data);
  return r;
}

Tensor Tensor::fromI64(Dims dims, std::vector<int64_t> data) {
  Tensor r;
  r.type = {DType::I64, std::move(dims)};
  assert(int64_t(data.size()) == r.type.numElements() && "data size != shape");
  r.i64 = std::move(data);
  return r;
}

Dims contiguousStrides(const Dims &dims) {
  Dims s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;)
    s[i - 1] = s[i] * dims[i];
  return s;
}

} // namespace kiln
