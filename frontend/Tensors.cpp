//===- Tensors.cpp - ONNX TensorProto and type decoding -------------------===//

#include "frontend/Tensors.h"

#include "compiler/ir/Diagnostics.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

namespace kiln::frontend {

using onnx::TensorProto;

std::string onnxTypeName(int32_t t) {
  if (TensorProto::DataType_IsValid(t))
    return TensorProto::DataType_Name(TensorProto::DataType(t));
  return fmt::format("<unknown data type {}>", t);
}

bool dtypeFromOnnx(int32_t t, DType &out) {
  switch (t) {
  case TensorProto::FLOAT: out = DType::F32; return true;
  case TensorProto::FLOAT16: out = DType::F16; return true;
  case TensorProto::DOUBLE: out = DType::F64; return true;
  case TensorProto::INT8: out = DType::I8; return true;
  case TensorProto::INT32: out = DType::I32; return true;
  case TensorProto::INT64: out = DType::I64; return true;
  case TensorProto::UINT8: out = DType::U8; return true;
  case TensorProto::BOOL: out = DType::Bool; return true;
  default: return false;
  }
}

int32_t onnxTypeOf(DType t) {
  switch (t) {
  case DType::F32: return TensorProto::FLOAT;
  case DType::F16: return TensorProto::FLOAT16;
  case DType::F64: return TensorProto::DOUBLE;
  case DType::I8: return TensorProto::INT8;
  case DType::I32: return TensorProto::INT32;
  case DType::I64: return TensorProto::INT64;
  case DType::U8: return TensorProto::UINT8;
  case DType::Bool: return TensorProto::BOOL;
  }
  return TensorProto::UNDEFINED;
}

namespace {

/// Bytes per element of the raw_data encoding, 0 for types kiln cannot hold.
size_t rawElementSize(int32_t t) {
  switch (t) {
  case TensorProto::FLOAT: case TensorProto::INT32: case TensorProto::UINT32:
    return 4;
  case TensorProto::INT64: case TensorProto::UINT64:
    return 8;
  case TensorProto::INT16: case TensorProto::UINT16:
    return 2;
  case TensorProto::INT8: case TensorProto::UINT8: case TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

/// Strict non-negative decimal, as external_data's offset and length are.
bool parseSize(const std::string &s, int64_t &out) {
  uint64_t v;
  if (s.empty() || s.size() > 19 || llvm::StringRef(s).getAsInteger(10, v) ||
      v > uint64_t(INT64_MAX))
    return false;
  out = int64_t(v);
  return true;
}

llvm::Error tensorError(const std::string &what, const std::string &msg) {
  return inputError(fmt::format("{}: {}", what, msg));
}

/// Reads exactly `size` bytes of t's external data into `dst`, from a regular
/// file inside `baseDir` (after resolving symlinks).
llvm::Error readExternal(const TensorProto &t, const std::string &what,
                         const std::string &baseDir, char *dst, int64_t size) {
  if (baseDir.empty())
    return tensorError(what, "external data is not allowed here (the model was "
                             "not loaded from a file)");
  std::string location;
  int64_t offset = 0, length = -1;
  bool haveLocation = false;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
      haveLocation = true;
    } else if (kv.key() == "offset") {
      if (!parseSize(kv.value(), offset))
        return tensorError(what, fmt::format("external data offset '{}' is not a "
                                             "non-negative integer",
                                             displayName(kv.value())));
    } else if (kv.key() == "length") {
      if (!parseSize(kv.value(), length))
        return tensorError(what, fmt::format("external data length '{}' is not a "
                                             "non-negative integer",
                                             displayName(kv.value())));
    }
  }
  if (!haveLocation || location.empty())
    return tensorError(what, "external data has no location");
  if (location.find('\0') != std::string::npos)
    return tensorError(what, "external data location contains a NUL byte");
  if (location.front() == '/' || llvm::sys::path::is_absolute(location))
    return tensorError(what, fmt::format("external data location '{}' is an absolute "
                                         "path; it must be relative to the model's "
                                         "folder",
                                         displayName(location)));
  for (llvm::StringRef rest = location; !rest.empty();) {
    auto [part, tail] = rest.split('/');
    if (part == "..")
      return tensorError(what, fmt::format("external data location '{}' leaves the "
                                           "model's folder ('..')",
                                           displayName(location)));
    rest = tail;
  }

  // Resolve symlinks on both sides, then require containment.
  llvm::SmallString<256> realBase, realFile, joined(baseDir);
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(baseDir, realBase))
    return tensorError(what, fmt::format("cannot resolve the model's folder '{}'",
                                         displayName(baseDir)));
  if (llvm::sys::fs::real_path(joined, realFile))
    return tensorError(what, fmt::format("external data file '{}' does not exist",
                                         displayName(location)));
  std::string prefix = std::string(realBase.str());
  if (prefix.empty() || prefix.back() != '/')
    prefix += '/';
  if (!llvm::StringRef(realFile).startswith(prefix))
    return tensorError(what, fmt::format("external data file '{}' resolves outside "
                                         "the model's folder",
                                         displayName(location)));
  // Only regular files: a FIFO or device would hang or never end.
  llvm::sys::fs::file_status st;
  if (llvm::sys::fs::status(realFile, st) || !llvm::sys::fs::is_regular_file(st))
    return tensorError(what, fmt::format("external data file '{}' is not a regular "
                                         "file",
                                         displayName(location)));
  int64_t fileSize = int64_t(st.getSize());
  if (offset > fileSize)
    return tensorError(what, fmt::format("external data offset {} is past the end of "
                                         "'{}' ({} bytes)",
                                         offset, displayName(location), fileSize));
  if (length < 0)
    length = fileSize - offset;
  if (length != size)
    return tensorError(what, fmt::format("external data has {} bytes, expected {}",
                                         length, size));
  if (length > fileSize - offset)
    return tensorError(what, fmt::format("external data range {}+{} is past the end "
                                         "of '{}' ({} bytes)",
                                         offset, length, displayName(location),
                                         fileSize));
  if (size == 0)
    return llvm::Error::success();
  auto buf = llvm::MemoryBuffer::getFileSlice(realFile, uint64_t(size),
                                              uint64_t(offset), /*IsVolatile=*/false);
  if (!buf)
    return tensorError(what, fmt::format("cannot read external data file '{}': {}",
                                         displayName(location),
                                         buf.getError().message()));
  if (int64_t((*buf)->getBufferSize()) != size)
    return tensorError(what, "external data file changed while being read");
  std::memcpy(dst, (*buf)->getBufferStart(), size_t(size));
  return llvm::Error::success();
}

/// Widens `count` little-endian integers of `elemSize` bytes to i64.
void widenRaw(const char *src, int32_t t, int64_t count, int64_t *dst) {
  for (int64_t i = 0; i < count; ++i) {
    const char *p = src + i * int64_t(rawElementSize(t));
    switch (t) {
    case TensorProto::INT64: case TensorProto::UINT64: {
      int64_t v; std::memcpy(&v, p, 8); dst[i] = v; break;
    }
    case TensorProto::INT32: { int32_t v; std::memcpy(&v, p, 4); dst[i] = v; break; }
    case TensorProto::UINT32: { uint32_t v; std::memcpy(&v, p, 4); dst[i] = v; break; }
    case TensorProto::INT16: { int16_t v; std::memcpy(&v, p, 2); dst[i] = v; break; }
    case TensorProto::UINT16: { uint16_t v; std::memcpy(&v, p, 2); dst[i] = v; break; }
    case TensorProto::INT8: dst[i] = int8_t(*p); break;
    case TensorProto::UINT8: dst[i] = uint8_t(*p); break;
    case TensorProto::BOOL: dst[i] = *p != 0; break;
    default: dst[i] = 0; break;
    }
  }
}

template <typename Field>
llvm::Error checkTypedCount(const Field &f, int64_t count, const std::string &what,
                            const char *fieldName) {
  if (int64_t(f.size()) != count)
    return tensorError(what, fmt::format("{} has {} values, expected {}", fieldName,
                                         f.size(), count));
  return llvm::Error::success();
}

} // namespace

llvm::Expected<ConstantTensor> decodeTensor(const TensorProto &t, const std::string &what,
                                            TensorSource &src) {
  int32_t type = t.data_type();
  bool isFloat = type == TensorProto::FLOAT;
  size_t rawSize = rawElementSize(type);
  if (!rawSize)
    return tensorError(what, fmt::format("element type {} is not supported for "
                                         "constants (kiln holds FLOAT and integer "
                                         "tensors)",
                                         onnxTypeName(type)));
  if (t.has_segment())
    return tensorError(what, "segmented tensors are not supported");
  if (t.dims_size() > limits::MaxRank)
    return tensorError(what, fmt::format("rank {} exceeds the limit of {}",
                                         t.dims_size(), limits::MaxRank));
  Dims dims(t.dims().begin(), t.dims().end());
  for (int64_t d : dims)
    if (d < 0)
      return tensorError(what, fmt::format("negative dimension {}", d));
  auto count = checkedElementCount(dims);
  if (!count)
    return tensorError(what, fmt::format("shape [{}] has too many elements",
                                         fmt::join(dims, ",")));
  int64_t storedBytes = *count * (isFloat ? 4 : 8);
  int64_t rawBytes = *count * int64_t(rawSize);
  if (storedBytes > src.bytesLeft)
    return tensorError(what, fmt::format("constants exceed the limit of {} bytes",
                                         limits::MaxTotalBytes));
  src.bytesLeft -= storedBytes;

  auto data = std::make_shared<ConstantData>();
  // int8, uint8 and int32 keep their type (quantized weights, zero points and
  // biases: DequantizeLinear reads it); other integers and bool are i64.
  DType held = isFloat ? DType::F32 : DType::I64;
  if (type == TensorProto::INT8 || type == TensorProto::UINT8 || type == TensorProto::INT32)
    dtypeFromOnnx(type, held);
  ConstantTensor result{TensorType{held, dims}, nullptr};

  // Raw bytes come from raw_data or an external file.
  std::string external;
  const std::string *raw = nullptr;
  if (t.data_location() == TensorProto::EXTERNAL) {
    external.resize(size_t(rawBytes));
    if (auto e = readExternal(t, what, src.baseDir, external.data(), rawBytes))
      return e;
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
    if (int64_t(raw->size()) != rawBytes)
      return tensorError(what, fmt::format("raw_data has {} bytes, expected {} "
                                           "({} elements of {} bytes)",
                                           raw->size(), rawBytes, *count, rawSize));
  }

  if (isFloat) {
    data->f32.resize(size_t(*count));
    if (raw) {
      if (*count)
        std::memcpy(data->f32.data(), raw->data(), size_t(rawBytes));
    } else {
      if (auto e = checkTypedCount(t.float_data(), *count, what, "float_data"))
        return e;
      std::copy(t.float_data().begin(), t.float_data().end(), data->f32.begin());
    }
  } else {
    data->i64.resize(size_t(*count));
    if (raw) {
      widenRaw(raw->data(), type, *count, data->i64.data());
    } else if (type == TensorProto::INT64) {
      if (auto e = checkTypedCount(t.int64_data(), *count, what, "int64_data"))
        return e;
      std::copy(t.int64_data().begin(), t.int64_data().end(), data->i64.begin());
    } else if (type == TensorProto::UINT32 || type == TensorProto::UINT64) {
      if (auto e = checkTypedCount(t.uint64_data(), *count, what, "uint64_data"))
        return e;
      for (int64_t i = 0; i < *count; ++i) {
        uint64_t v = t.uint64_data(int(i));
        if (v > uint64_t(INT64_MAX))
          return tensorError(what, fmt::format("value {} does not fit int64", v));
        data->i64[size_t(i)] = int64_t(v);
      }
    } else {
      if (auto e = checkTypedCount(t.int32_data(), *count, what, "int32_data"))
        return e;
      std::copy(t.int32_data().begin(), t.int32_data().end(), data->i64.begin());
      // int32_data holds narrower types too; a kept int8/uint8 must fit it.
      if (held == DType::I8 || held == DType::U8) {
        int64_t lo = held == DType::I8 ? -128 : 0, hi = held == DType::I8 ? 127 : 255;
        for (int64_t v : data->i64)
          if (v < lo || v > hi)
            return tensorError(what, fmt::format("int32_data value {} does not fit {}", v,
                                                 onnxTypeName(type)));
      }
    }
  }
  result.data = std::move(data);
  return result;
}

llvm::Expected<TensorType> graphInputType(const onnx::ValueInfoProto &vi) {
  std::string what = fmt::format("graph input '{}'", displayName(vi.name()));
  if (!vi.has_type() || !vi.type().has_tensor_type())
    return tensorError(what, "not a tensor (sequence and optional types are not supported)");
  const auto &tt = vi.type().tensor_type();
  TensorType type;
  // Graph inputs carry run-time data of their own width; what an op cannot
  // compute on is refused by its shape rule or by the code generator. f64
  // would need a Tensor to hold it.
  if (!dtypeFromOnnx(tt.elem_type(), type.dtype))
    return tensorError(what, fmt::format("element type {} is not supported",
                                         onnxTypeName(tt.elem_type())));
  if (type.dtype == DType::F64)
    return tensorError(what, fmt::format("element type {} is not supported (kiln computes "
                                         "in float32)",
                                         onnxTypeName(tt.elem_type())));
  if (!tt.has_shape())
    return tensorError(what, "no shape is declared; kiln needs static shapes");
  if (tt.shape().dim_size() > limits::MaxRank)
    return tensorError(what, fmt::format("rank {} exceeds the limit of {}",
                                         tt.shape().dim_size(), limits::MaxRank));
  return type;
}

} // namespace kiln::frontend
