//===- ConstantFolding.cpp - Import-time evaluation of shape arithmetic ---===//

#include "frontend/ConstantFolding.h"

#include <cmath>

namespace kiln::frontend {

namespace {

using Data = std::shared_ptr<ConstantData>;

bool allConstant(const std::vector<Value *> &inputs) {
  for (Value *v : inputs)
    if (!v || !v->isConstant())
      return false;
  return true;
}

/// Row-major strides of `dims`.
Dims stridesOf(const Dims &dims) {
  Dims s(dims.size(), 1);
  for (int64_t i = int64_t(dims.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/// Calls f(outIndex, srcIndex) for every element of a gather along `axis`.
template <typename T>
void gatherInto(const std::vector<T> &src, const Dims &dataDims, int64_t axis,
                const std::vector<int64_t> &indices, std::vector<T> &out) {
  int64_t outer = 1, inner = 1, extent = dataDims[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= dataDims[i];
  for (size_t i = size_t(axis) + 1; i < dataDims.size(); ++i)
    inner *= dataDims[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : indices) {
      int64_t k = idx < 0 ? idx + extent : idx;
      const T *row = src.data() + (o * extent + k) * inner;
      out.insert(out.end(), row, row + inner);
    }
}

template <typename T>
void transposeInto(const std::vector<T> &src, const Dims &inDims,
                   const std::vector<int64_t> &perm, std::vector<T> &out) {
  Dims inStrides = stridesOf(inDims);
  size_t rank = inDims.size();
  Dims outDims(rank), srcStride(rank);
  for (size_t i = 0; i < rank; ++i) {
    outDims[i] = inDims[perm[i]];
    srcStride[i] = inStrides[perm[i]];
  }
  out.resize(src.size());
  Dims idx(rank, 0);
  for (size_t n = 0; n < out.size(); ++n) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i)
      off += idx[i] * srcStride[i];
    out[n] = src[size_t(off)];
    for (int64_t i = int64_t(rank) - 1; i >= 0; --i) {
      if (++idx[i] < outDims[i])
        break;
      idx[i] = 0;
    }
  }
}

/// i64 arithmetic wraps like the hardware instead of being undefined.
bool arithI64(OpKind op, int64_t a, int64_t b, int64_t &r) {
  auto ua = uint64_t(a), ub = uint64_t(b);
  switch (op) {
  case OpKind::Add: r = int64_t(ua + ub); return true;
  case OpKind::Sub: r = int64_t(ua - ub); return true;
  case OpKind::Mul: r = int64_t(ua * ub); return true;
  case OpKind::Div:
    if (b == 0 || (a == INT64_MIN && b == -1))
      return false;
    r = a / b; // ONNX integer Div truncates, like C++
    return true;
  default: return false;
  }
}

float arithF32(OpKind op, float a, float b) {
  switch (op) {
  case OpKind::Add: return a + b;
  case OpKind::Sub: return a - b;
  case OpKind::Mul: return a * b;
  default: return a / b;
  }
}

/// numpy broadcasting of two constants into `result`'s shape.
bool foldBinary(OpKind op, const Value &a, const Value &b, const TensorType &result,
                ConstantData &out) {
  size_t rank = result.dims.size();
  auto alignedStrides = [&](const Dims &d) {
    Dims s = stridesOf(d), aligned(rank, 0);
    for (size_t i = 0; i < d.size(); ++i)
      aligned[rank - d.size() + i] = d[i] == 1 ? 0 : s[i];
    return aligned;
  };
  Dims sa = alignedStrides(a.type.dims), sb = alignedStrides(b.type.dims);
  int64_t count = result.numElements();
  bool isF32 = result.dtype == DType::F32;
  if (isF32)
    out.f32.resize(size_t(count));
  else
    out.i64.resize(size_t(count));
  Dims idx(rank, 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < rank; ++i) {
      ia += idx[i] * sa[i];
      ib += idx[i] * sb[i];
    }
    if (isF32) {
      out.f32[size_t(n)] = arithF32(op, a.f32()[ia], b.f32()[ib]);
    } else if (!arithI64(op, a.i64()[ia], b.i64()[ib], out.i64[size_t(n)])) {
      return false;
    }
    for (int64_t i = int64_t(rank) - 1; i >= 0; --i) {
      if (++idx[i] < result.dims[i])
        break;
      idx[i] = 0;
    }
  }
  return true;
}

/// Cast of one element; false when the value has no defined result.
bool castF32ToI64(float f, DType to, int64_t &r) {
  if (to == DType::Bool) {
    r = f != 0.0f;
    return true;
  }
  if (!std::isfinite(f) || f >= 9.2e18f || f <= -9.2e18f)
    return false;
  r = int64_t(f);
  return true;
}

/// Integer casts wrap to the target width, as ONNX Runtime does.
int64_t castI64ToI64(int64_t v, DType to) {
  switch (to) {
  case DType::I8: return int8_t(v);
  case DType::U8: return uint8_t(v);
  case DType::I32: return int32_t(v);
  case DType::Bool: return v != 0;
  default: return v;
  }
}

} // namespace

std::optional<ConstantTensor> foldNode(OpKind op, const Attrs &attrs,
                                       const std::vector<Value *> &inputs,
                                       const TensorType &result) {
  // Shape needs only the operand's (always static) type.
  if (op == OpKind::Shape) {
    auto data = std::make_shared<ConstantData>();
    const Dims &d = inputs[0]->type.dims;
    data->i64.assign(d.begin() + attrs.getInt("start"), d.begin() + attrs.getInt("end"));
    return ConstantTensor{result, data};
  }
  if (!allConstant(inputs) || inputs.empty())
    return std::nullopt;
  const Value &x = *inputs[0];
  bool isF32 = x.type.dtype == DType::F32;
  switch (op) {
  // Views: share the payload, whatever its size.
  case OpKind::Identity:
  case OpKind::Dropout:
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
    return ConstantTensor{TensorType{x.type.dtype, result.dims}, x.constant};
  default:
    break;
  }
  if (result.numElements() > MaxFoldElements)
    return std::nullopt;
  auto data = std::make_shared<ConstantData>();
  switch (op) {
  case OpKind::Gather: {
    const Value &idx = *inputs[1];
    int64_t axis = attrs.getInt("axis");
    if (idx.type.dtype != DType::I64)
      return std::nullopt;
    if (isF32)
      gatherInto(x.constant->f32, x.type.dims, axis, idx.constant->i64, data->f32);
    else
      gatherInto(x.constant->i64, x.type.dims, axis, idx.constant->i64, data->i64);
    return ConstantTensor{result, data};
  }
  case OpKind::Transpose:
    if (isF32)
      transposeInto(x.constant->f32, x.type.dims, attrs.getInts("perm"), data->f32);
    else
      transposeInto(x.constant->i64, x.type.dims, attrs.getInts("perm"), data->i64);
    return ConstantTensor{result, data};
  case OpKind::Concat: {
    // Copy rows of each operand in turn: outer x (extent_i * inner).
    int64_t axis = attrs.getInt("axis"), outer = 1;
    for (int64_t i = 0; i < axis; ++i)
      outer *= result.dims[i];
    for (int64_t o = 0; o < outer; ++o)
      for (Value *v : inputs) {
        int64_t row = v->type.numElements() / outer;
        if (isF32)
          data->f32.insert(data->f32.end(), v->f32() + o * row, v->f32() + (o + 1) * row);
        else
          data->i64.insert(data->i64.end(), v->i64() + o * row, v->i64() + (o + 1) * row);
      }
    return ConstantTensor{result, data};
  }
  case OpKind::Cast: {
    DType to = result.dtype;
    size_t n = size_t(x.type.numElements());
    if (to == DType::F32) {
      data->f32.resize(n);
      for (size_t i = 0; i < n; ++i)
        data->f32[i] = isF32 ? x.f32()[i] : float(x.i64()[i]);
      return ConstantTensor{result, data};
    }
    if (to == DType::F16 || to == DType::F64)
      return std::nullopt; // kiln constants are f32 or i64
    data->i64.resize(n);
    for (size_t i = 0; i < n; ++i) {
      int64_t v = 0;
      if (isF32 && !castF32ToI64(x.f32()[i], to, v))
        return std::nullopt;
      data->i64[i] = castI64ToI64(isF32 ? v : x.i64()[i], to);
    }
    // Integer constants are held as i64 (see Tensors.h).
    return ConstantTensor{TensorType{DType::I64, result.dims}, data};
  }
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
    if (!foldBinary(op, x, *inputs[1], result, *data))
      return std::nullopt;
    return ConstantTensor{result, data};
  default:
    return std::nullopt;
  }
}

} // namespace kiln::frontend
