//===- Tensor.cpp - A tensor with its data --------------------------------===//

#include "compiler/reference/Tensor.h"

#include "compiler/codegen/kernels/Half.h"

#include <cstring>

namespace kiln {

Tensor Tensor::zeros(TensorType t) {
  assert(tensorHolds(t.dtype) && "tensors hold no f64 data");
  Tensor r;
  size_t n = size_t(t.numElements());
  r.type = std::move(t);
  if (r.holdsFloat())
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

namespace {
template <typename T> void narrow(const std::vector<int64_t> &v, char *out) {
  for (size_t i = 0; i < v.size(); ++i) {
    T x = T(v[i]);
    std::memcpy(out + i * sizeof(T), &x, sizeof(T));
  }
}
template <typename T> void widen(const char *in, std::vector<int64_t> &v) {
  for (size_t i = 0; i < v.size(); ++i) {
    T x;
    std::memcpy(&x, in + i * sizeof(T), sizeof(T));
    v[i] = int64_t(x);
  }
}
} // namespace

std::vector<char> tensorBytes(const Tensor &t) {
  std::vector<char> out(size_t(t.type.numBytes()));
  switch (t.dtype()) {
  case DType::F32:
    if (!out.empty())
      std::memcpy(out.data(), t.f32.data(), out.size());
    break;
  case DType::F16:
    for (size_t i = 0; i < t.f32.size(); ++i) {
      uint16_t h = kiln_f32_to_f16(t.f32[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
    break;
  case DType::I64: narrow<int64_t>(t.i64, out.data()); break;
  case DType::I32: narrow<int32_t>(t.i64, out.data()); break;
  case DType::I8: narrow<int8_t>(t.i64, out.data()); break;
  case DType::U8: narrow<uint8_t>(t.i64, out.data()); break;
  case DType::Bool:
    for (size_t i = 0; i < t.i64.size(); ++i)
      out[i] = char(t.i64[i] != 0);
    break;
  case DType::F64:
    assert(false && "tensors hold no f64 data");
    break;
  }
  return out;
}

Tensor tensorFromBytes(TensorType type, const void *bytes) {
  Tensor t = Tensor::zeros(std::move(type));
  const char *p = static_cast<const char *>(bytes);
  switch (t.dtype()) {
  case DType::F32:
    if (!t.f32.empty())
      std::memcpy(t.f32.data(), p, t.f32.size() * sizeof(float));
    break;
  case DType::F16:
    for (size_t i = 0; i < t.f32.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      t.f32[i] = kiln_f16_to_f32(h);
    }
    break;
  case DType::I64: widen<int64_t>(p, t.i64); break;
  case DType::I32: widen<int32_t>(p, t.i64); break;
  case DType::I8: widen<int8_t>(p, t.i64); break;
  case DType::U8: widen<uint8_t>(p, t.i64); break;
  case DType::Bool:
    for (size_t i = 0; i < t.i64.size(); ++i)
      t.i64[i] = p[i] != 0;
    break;
  case DType::F64:
    assert(false && "tensors hold no f64 data");
    break;
  }
  return t;
}

Dims contiguousStrides(const Dims &dims) {
  Dims s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;)
    s[i - 1] = s[i] * dims[i];
  return s;
}

} // namespace kiln
