//===- Types.cpp - Element types, shapes and tensor types -----------------===//

#include "compiler/ir/Types.h"

#include <cassert>
#include <fmt/format.h>

namespace kiln {

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32: return 4;
  case DType::F16: return 2;
  case DType::F64: return 8;
  case DType::I8: return 1;
  case DType::I32: return 4;
  case DType::I64: return 8;
  case DType::U8: return 1;
  case DType::Bool: return 1;
  }
  return 0;
}

const char *dtypeName(DType t) {
  switch (t) {
  case DType::F32: return "f32";
  case DType::F16: return "f16";
  case DType::F64: return "f64";
  case DType::I8: return "i8";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  case DType::U8: return "u8";
  case DType::Bool: return "bool";
  }
  return "?";
}

std::optional<int64_t> checkedElementCount(const Dims &dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > limits::MaxElements / d)
      return std::nullopt;
    n *= d;
  }
  if (n > limits::MaxElements)
    return std::nullopt;
  return n;
}

int64_t TensorType::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::string TensorType::str() const {
  return fmt::format("{}[{}]", dtypeName(dtype), fmt::join(dims, ","));
}

std::string Layout::str() const {
  if (kind == Plain)
    return "nchw";
  return fmt::format("nchw{}c", block);
}

int64_t storageBytes(const TensorType &t, const Layout &l) {
  if (l.kind == Layout::Plain)
    return t.numBytes();
  assert(t.rank() == 4 && l.block > 0 && "blocked layouts are 4-D");
  int64_t c = (t.dims[1] + l.block - 1) / l.block * l.block;
  return t.dims[0] * c * t.dims[2] * t.dims[3] * int64_t(dtypeSize(t.dtype));
}

} // namespace kiln
