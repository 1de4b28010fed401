//===- TensorIO.cpp - .npy and TensorProto files, random tensors ----------===//
//
// Both readers treat the file as untrusted: sizes are checked against the
// shape (and kiln's limits) before anything is allocated or copied. Data is
// little-endian on disk, as on every host kiln targets.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/TensorIO.h"

#include "compiler/codegen/kernels/Half.h"
#include "compiler/ir/Diagnostics.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cctype>
#include <cstring>

namespace kiln::driver {

namespace {

static_assert(sizeof(float) == 4, "f32 is IEEE single precision");

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(const std::string &path) {
  uint64_t size = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, size))
    return inputError(fmt::format("cannot read: {}", ec.message()));
  if (size > uint64_t(limits::MaxFileBytes))
    return inputError(fmt::format("file of {} bytes exceeds the limit of {}", size,
                                  limits::MaxFileBytes));
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return inputError(fmt::format("cannot read: {}", buf.getError().message()));
  return std::move(*buf);
}

/// Checks dims and returns the element count.
llvm::Expected<int64_t> checkDims(const Dims &dims) {
  if (int64_t(dims.size()) > limits::MaxRank)
    return inputError(fmt::format("rank {} exceeds the limit of {}", dims.size(),
                                  limits::MaxRank));
  std::optional<int64_t> count = checkedElementCount(dims);
  if (!count)
    return inputError(fmt::format("shape [{}] is negative or too large",
                                  fmt::join(dims, ",")));
  return *count;
}

/// Element types as files name them: numpy's descr and ONNX's data_type.
struct FileType {
  DType dtype;
  const char *npy;
  int32_t onnx;
};
constexpr FileType FileTypes[] = {
    {DType::F32, "<f4", onnx::TensorProto::FLOAT},
    {DType::F16, "<f2", onnx::TensorProto::FLOAT16},
    {DType::I64, "<i8", onnx::TensorProto::INT64},
    {DType::I32, "<i4", onnx::TensorProto::INT32},
    {DType::I8, "|i1", onnx::TensorProto::INT8},
    {DType::U8, "|u1", onnx::TensorProto::UINT8},
    {DType::Bool, "|b1", onnx::TensorProto::BOOL},
};

const FileType &fileType(DType t) {
  for (const FileType &f : FileTypes)
    if (f.dtype == t)
      return f;
  assert(false && "no file type for this dtype");
  return FileTypes[0];
}

llvm::Error writeFile(const std::string &path, llvm::StringRef header, const Tensor &t) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return inputError(fmt::format("cannot write: {}", ec.message()));
  os << header;
  std::vector<char> data = tensorBytes(t);
  os.write(data.data(), data.size());
  os.close();
  if (os.has_error())
    return inputError(fmt::format("cannot write: {}", os.error().message()));
  return llvm::Error::success();
}

//===--- The .npy header: a Python dict literal ---------------------------===//

/// Parses {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
class NpyHeader {
public:
  explicit NpyHeader(llvm::StringRef text) : s_(text) {}

  std::string descr;
  bool fortranOrder = false;
  Dims shape;

  llvm::Error parse() {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!eat('{'))
      return bad("expected '{'");
    while (!eat('}')) {
      std::string key;
      if (!string(key) || !eat(':'))
        return bad("expected 'key':");
      if (key == "descr") {
        if (!string(descr))
          return bad("descr is not a string");
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (!boolean(fortranOrder))
          return bad("fortran_order is not True or False");
        haveOrder = true;
      } else if (key == "shape") {
        if (llvm::Error err = tuple())
          return err;
        haveShape = true;
      } else {
        return bad(fmt::format("unknown key '{}'", key));
      }
      if (!eat(',') && !peek('}'))
        return bad("expected ',' or '}'");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return bad("needs descr, fortran_order and shape");
    return llvm::Error::success();
  }

private:
  llvm::Error bad(const std::string &what) {
    return inputError(fmt::format("malformed .npy header: {}", what));
  }
  void skipSpace() { s_ = s_.ltrim(); }
  bool peek(char c) {
    skipSpace();
    return !s_.empty() && s_.front() == c;
  }
  bool eat(char c) {
    if (!peek(c))
      return false;
    s_ = s_.drop_front();
    return true;
  }
  bool string(std::string &out) {
    skipSpace();
    if (s_.empty() || (s_.front() != '\'' && s_.front() != '"'))
      return false;
    char q = s_.front();
    size_t end = s_.find(q, 1);
    if (end == llvm::StringRef::npos)
      return false;
    out = s_.slice(1, end).str();
    s_ = s_.drop_front(end + 1);
    return true;
  }
  bool boolean(bool &out) {
    skipSpace();
    if (s_.consume_front("True"))
      return out = true, true;
    if (s_.consume_front("False"))
      return out = false, true;
    return false;
  }
  llvm::Error tuple() {
    if (!eat('('))
      return bad("shape is not a tuple");
    while (!eat(')')) {
      skipSpace();
      size_t digits = 0;
      while (digits < s_.size() && std::isdigit(static_cast<unsigned char>(s_[digits])))
        ++digits;
      int64_t d = 0;
      if (digits == 0 || digits > 18 || s_.take_front(digits).getAsInteger(10, d))
        return bad("shape holds something other than non-negative integers");
      shape.push_back(d);
      s_ = s_.drop_front(digits);
      if (!eat(',') && !peek(')'))
        return bad("expected ',' or ')' in shape");
    }
    return llvm::Error::success();
  }

  llvm::StringRef s_;
};

} // namespace

//===--- .npy -------------------------------------------------------------===//

llvm::Expected<Tensor> readNpy(const std::string &path) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  llvm::StringRef bytes = (*buf)->getBuffer();
  if (!bytes.consume_front("\x93NUMPY") || bytes.size() < 4)
    return inputError("not a .npy file (no \\x93NUMPY magic)");
  const uint8_t major = uint8_t(bytes[0]);
  bytes = bytes.drop_front(2);
  if (major < 1 || major > 3)
    return inputError(fmt::format(".npy format version {} is not supported", major));
  uint32_t headerLen = uint8_t(bytes[0]) | uint32_t(uint8_t(bytes[1])) << 8;
  bytes = bytes.drop_front(2);
  if (major >= 2) {
    if (bytes.size() < 2)
      return inputError("truncated .npy header");
    headerLen |= uint32_t(uint8_t(bytes[0])) << 16 | uint32_t(uint8_t(bytes[1])) << 24;
    bytes = bytes.drop_front(2);
  }
  if (headerLen > bytes.size())
    return inputError("truncated .npy header");
  NpyHeader header(bytes.take_front(headerLen));
  bytes = bytes.drop_front(headerLen);
  if (llvm::Error err = header.parse())
    return err;

  const FileType *ft = nullptr;
  for (const FileType &f : FileTypes)
    if (header.descr == f.npy)
      ft = &f;
  if (!ft)
    return inputError(fmt::format("dtype '{}' is not supported: kiln reads '<f4', '<f2', "
                                  "'<i8', '<i4', '|i1', '|u1' and '|b1'",
                                  header.descr));
  DType dtype = ft->dtype;
  llvm::Expected<int64_t> count = checkDims(header.shape);
  if (!count)
    return count.takeError();
  if (header.fortranOrder && header.shape.size() > 1)
    return inputError("Fortran-order arrays are not supported: save a C-order "
                      "array (numpy.ascontiguousarray)");
  TensorType type{dtype, header.shape};
  if (int64_t(bytes.size()) != type.numBytes())
    return inputError(fmt::format("holds {} data bytes, shape ({}) of {} needs {}",
                                  bytes.size(), fmt::join(header.shape, ", "),
                                  header.descr, type.numBytes()));
  return tensorFromBytes(std::move(type), bytes.data());
}

static const char *npyDescr(DType t) { return fileType(t).npy; }

llvm::Error writeNpy(const std::string &path, const Tensor &t) {
  assert(hasTensorData(t.dtype()));
  std::string shape;
  for (int64_t d : t.dims())
    shape += fmt::format("{}, ", d);
  if (t.rank() > 1)
    shape.resize(shape.size() - 2); // (2, 3) but (3,) and ()
  else if (t.rank() == 1)
    shape.pop_back();
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                 npyDescr(t.dtype()), shape);
  // magic(6) + version(2) + length(2) + dict + padding + '\n', a multiple of 64.
  size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - 10 - dict.size() - 1, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += char(dict.size() & 0xff);
  header += char(dict.size() >> 8);
  header += dict;
  return writeFile(path, header, t);
}

//===--- onnx.TensorProto -------------------------------------------------===//

llvm::Expected<Tensor> readTensorProto(const std::string &path, std::string *name) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  onnx::TensorProto proto;
  llvm::StringRef bytes = (*buf)->getBuffer();
  if (bytes.size() > size_t(INT32_MAX) || !proto.ParseFromArray(bytes.data(), int(bytes.size())))
    return inputError("not a serialized onnx.TensorProto");
  if (name)
    *name = proto.name();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return inputError("tensor data stored in an external file is not supported");

  const FileType *ft = nullptr;
  for (const FileType &f : FileTypes)
    if (proto.data_type() == f.onnx)
      ft = &f;
  if (!ft) {
    const std::string &typeName =
        onnx::TensorProto::DataType_Name(onnx::TensorProto::DataType(proto.data_type()));
    return inputError(fmt::format("element type {} is not supported: kiln reads FLOAT, "
                                  "FLOAT16, INT64, INT32, INT8, UINT8 and BOOL tensors",
                                  typeName.empty() ? "?" : typeName));
  }
  DType dtype = ft->dtype;
  Dims dims(proto.dims().begin(), proto.dims().end());
  llvm::Expected<int64_t> count = checkDims(dims);
  if (!count)
    return count.takeError();
  TensorType type{dtype, dims};

  if (proto.has_raw_data()) {
    if (int64_t(proto.raw_data().size()) != type.numBytes())
      return inputError(fmt::format("raw_data holds {} bytes, {} needs {}",
                                    proto.raw_data().size(), type.str(), type.numBytes()));
    return tensorFromBytes(std::move(type), proto.raw_data().data());
  }
  // Without raw_data: FLOAT in float_data, INT64 in int64_data, the others in
  // int32_data (one element per entry; FLOAT16 as its bits).
  int64_t have = dtype == DType::F32   ? proto.float_data_size()
                 : dtype == DType::I64 ? proto.int64_data_size()
                                       : proto.int32_data_size();
  if (have != *count)
    return inputError(fmt::format("{} holds {} elements, {} needs {}",
                                  dtype == DType::F32   ? "float_data"
                                  : dtype == DType::I64 ? "int64_data"
                                                        : "int32_data",
                                  have, type.str(), *count));
  if (dtype == DType::F32) {
    Tensor t = Tensor::zeros(std::move(type));
    std::copy(proto.float_data().begin(), proto.float_data().end(), t.f32.begin());
    return t;
  }
  if (dtype == DType::I64) {
    Tensor t = Tensor::zeros(std::move(type));
    std::copy(proto.int64_data().begin(), proto.int64_data().end(), t.i64.begin());
    return t;
  }
  // Narrowed to the type's width, then read as compiled code would.
  std::vector<char> narrowed(size_t(type.numBytes()));
  size_t width = dtypeSize(dtype);
  for (int64_t i = 0; i < *count; ++i) {
    uint32_t v = uint32_t(proto.int32_data(int(i)));
    if (dtype == DType::Bool)
      v = v != 0;
    std::memcpy(narrowed.data() + size_t(i) * width, &v, width); // little-endian
  }
  return tensorFromBytes(std::move(type), narrowed.data());
}

llvm::Error writeTensorProto(const std::string &path, const Tensor &t,
                             const std::string &name) {
  assert(hasTensorData(t.dtype()));
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(fileType(t.dtype()).onnx);
  for (int64_t d : t.dims())
    proto.add_dims(d);
  std::vector<char> data = tensorBytes(t);
  proto.set_raw_data(std::string(data.begin(), data.end()));
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return inputError("cannot serialize the tensor");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return inputError(fmt::format("cannot write: {}", ec.message()));
  os << bytes;
  os.close();
  if (os.has_error())
    return inputError(fmt::format("cannot write: {}", os.error().message()));
  return llvm::Error::success();
}

llvm::Expected<Tensor> readTensorFile(const std::string &path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".npy")
    return readNpy(path);
  if (ext == ".pb")
    return readTensorProto(path);
  return inputError("unknown tensor file type: expected .npy or .pb (onnx.TensorProto)");
}

//===--- Random tensors ---------------------------------------------------===//

Tensor randomTensor(const TensorType &t, uint64_t seed, uint64_t stream) {
  // SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, fully specified.
  uint64_t state = seed ^ (stream + 1) * 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  Tensor r = Tensor::zeros(t);
  for (float &v : r.f32) // 24 random bits: k/2^23 - 1 is exact in float
    v = float(int64_t(next() >> 40)) * (1.0f / float(1 << 23)) - 1.0f;
  if (t.dtype == DType::F16) // f16 values
    for (float &v : r.f32)
      v = kiln_f16_to_f32(kiln_f32_to_f16(v));
  for (int64_t &v : r.i64)
    v = int64_t(next() >> (t.dtype == DType::Bool ? 63 : 60));
  return r;
}

} // namespace kiln::driver
