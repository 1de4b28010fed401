//===- TensorIOTest.cpp - .npy and TensorProto files, random inputs -------===//

#include "compiler/driver/TensorIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <fmt/format.h>

using namespace kiln;
using namespace kiln::driver;

namespace {

/// A fresh path in the build tree's temporary folder.
std::string tempPath(const std::string &name) {
  llvm::SmallString<256> dir(KILN_BINARY_DIR "/tests/conformance/tmp");
  llvm::sys::fs::create_directories(dir);
  return fmt::format("{}/{}", dir.str(), name);
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  REQUIRE(!ec);
  os << bytes;
}

/// A .npy file with a hand-written header (version 1 or 2) and payload.
std::string npyBytes(int version, const std::string &dict, const std::string &payload) {
  std::string h = dict + "\n";
  std::string out("\x93NUMPY", 6);
  out += char(version);
  out += char(0);
  out += char(h.size() & 0xff);
  out += char(h.size() >> 8);
  if (version >= 2)
    out += std::string(2, '\0');
  return out + h + payload;
}

std::string errorOf(llvm::Expected<Tensor> t) {
  REQUIRE(!t);
  return llvm::toString(t.takeError());
}

} // namespace

TEST_CASE(".npy round trip: f32 matrix, i64 vector, scalar; headers padded to 64") {
  const Tensor tensors[] = {Tensor::fromF32({2, 3}, {1, -2, 3.5f, 0, 1e-30f, 7}),
                            Tensor::fromI64({4}, {1, -1, int64_t(1) << 40, 0}),
                            Tensor::fromF32({}, {42})};
  int i = 0;
  for (const Tensor &t : tensors) {
    std::string path = tempPath(fmt::format("roundtrip{}.npy", i++));
    REQUIRE(!llvm::errorToBool(writeNpy(path, t)));
    auto buf = llvm::MemoryBuffer::getFile(path);
    REQUIRE(buf);
    CHECK(((*buf)->getBufferSize() - size_t(t.type.numBytes())) % 64 == 0);
    llvm::Expected<Tensor> back = readNpy(path);
    REQUIRE(bool(back));
    CHECK(back->type == t.type);
    CHECK(back->f32 == t.f32);
    CHECK(back->i64 == t.i64);
  }
}

TEST_CASE(".npy header variants numpy writes: version 2, (n,) shapes, double quotes") {
  std::string payload(12, '\0');
  std::string path = tempPath("v2.npy");
  writeBytes(path, npyBytes(2, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3,)}",
                            payload));
  llvm::Expected<Tensor> t = readNpy(path);
  REQUIRE(bool(t));
  CHECK(t->type.str() == "f32[3]");
}

TEST_CASE(".npy files kiln cannot read are refused with the reason") {
  std::string path = tempPath("bad.npy");
  auto read = [&](const std::string &bytes) {
    writeBytes(path, bytes);
    return errorOf(readNpy(path));
  };
  const std::string f32x4(16, '\0');
  CHECK(read(npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f32x4)) ==
        "Fortran-order arrays are not supported: save a C-order array "
        "(numpy.ascontiguousarray)");
  CHECK(read(npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f32x4)) ==
        "dtype '<f8' is not supported: kiln reads '<f4', '<f2', '<i8', '<i4', '|i1', '|u1' and '|b1'");
  CHECK(read(npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", f32x4)) ==
        "dtype '>f4' is not supported: kiln reads '<f4', '<f2', '<i8', '<i4', '|i1', '|u1' and '|b1'");
  CHECK(read(npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", f32x4)) ==
        "holds 16 data bytes, shape (5) of <f4 needs 20");
  CHECK(read(npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", f32x4)) ==
        "malformed .npy header: shape holds something other than non-negative integers");
  CHECK(read(npyBytes(1, "{'descr': '<f4', 'shape': (4,), }", f32x4)) ==
        "malformed .npy header: needs descr, fortran_order and shape");
  CHECK(read("PK\x03\x04 a zip file") == "not a .npy file (no \\x93NUMPY magic)");
}

TEST_CASE("TensorProto: raw_data and float_data, the ONNX test data, refusals") {
  Tensor t = Tensor::fromF32({2, 2}, {1, 2, 3, 4});
  std::string path = tempPath("t.pb");
  REQUIRE(!llvm::errorToBool(writeTensorProto(path, t, "x")));
  std::string name;
  llvm::Expected<Tensor> back = readTensorProto(path, &name);
  REQUIRE(bool(back));
  CHECK(name == "x");
  CHECK(back->type == t.type);
  CHECK(back->f32 == t.f32);

  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(3);
  for (float v : {0.5f, 1.5f, 2.5f})
    p.add_float_data(v);
  writeBytes(path, p.SerializeAsString());
  back = readTensorProto(path);
  REQUIRE(bool(back));
  CHECK(back->f32 == std::vector<float>{0.5f, 1.5f, 2.5f});

  p.add_dims(2); // now [3,2] with 3 values
  writeBytes(path, p.SerializeAsString());
  CHECK(errorOf(readTensorProto(path)) == "float_data holds 3 elements, f32[3,2] needs 6");
  p.set_data_type(onnx::TensorProto::DOUBLE);
  writeBytes(path, p.SerializeAsString());
  CHECK(errorOf(readTensorProto(path)) ==
        "element type DOUBLE is not supported: kiln reads FLOAT, FLOAT16, INT64, INT32, "
        "INT8, UINT8 and BOOL tensors");
  // Narrow types in int32_data are read at their width: 300 as i8 is 44.
  p.clear_float_data();
  p.clear_dims();
  p.add_dims(3);
  p.set_data_type(onnx::TensorProto::INT8);
  for (int v : {300, -1, 7})
    p.add_int32_data(v);
  writeBytes(path, p.SerializeAsString());
  back = readTensorProto(path);
  REQUIRE(bool(back));
  CHECK(back->type == TensorType{DType::I8, {3}});
  CHECK(back->i64 == std::vector<int64_t>{44, -1, 7});
  // FLOAT16 as its bits: 0x3c00 is 1.0, 0xc000 is -2.0, 0x7c00 infinity.
  p.clear_int32_data();
  p.set_data_type(onnx::TensorProto::FLOAT16);
  for (int v : {0x3c00, 0xc000, 0x7c00})
    p.add_int32_data(v);
  writeBytes(path, p.SerializeAsString());
  back = readTensorProto(path);
  REQUIRE(bool(back));
  CHECK(back->type == TensorType{DType::F16, {3}});
  CHECK(back->f32 == std::vector<float>{1.0f, -2.0f, INFINITY});

  // What the ONNX backend tests hold: x of test_conv_with_strides_padding is 0..34.
  const char *onnxInput = "/usr/share/libonnx-testdata/data/node/"
                          "test_conv_with_strides_padding/test_data_set_0/input_0.pb";
  if (llvm::sys::fs::exists(onnxInput)) {
    llvm::Expected<Tensor> x = readTensorFile(onnxInput);
    REQUIRE(bool(x));
    CHECK(x->type.str() == "f32[1,1,7,5]");
    CHECK(x->f32[34] == 34.0f);
  }
  CHECK(errorOf(readTensorFile(tempPath("x.txt"))) ==
        "unknown tensor file type: expected .npy or .pb (onnx.TensorProto)");
}

TEST_CASE("bool tensors: one byte per element in files, 0/1 in the Tensor") {
  Tensor t = Tensor::zeros({DType::Bool, {2, 3}});
  t.i64 = {1, 0, 1, 1, 0, 0};
  for (const char *file : {"b.pb", "b.npy"}) {
    CAPTURE(file);
    std::string path = tempPath(file);
    REQUIRE(!llvm::errorToBool(llvm::StringRef(file).endswith(".pb")
                                   ? writeTensorProto(path, t)
                                   : writeNpy(path, t)));
    llvm::Expected<Tensor> back = readTensorFile(path);
    REQUIRE(bool(back));
    CHECK(back->type == t.type);
    CHECK(back->i64 == t.i64);
    auto bytes = llvm::MemoryBuffer::getFile(path);
    REQUIRE(bool(bytes));
    CHECK((*bytes)->getBuffer().endswith(llvm::StringRef("\1\0\1\1\0\0", 6)));
  }
  // The ONNX test data's masks: raw_data bytes, or int32_data without it.
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::BOOL);
  p.add_dims(3);
  for (int v : {0, 1, 2})
    p.add_int32_data(v);
  std::string path = tempPath("b2.pb");
  writeBytes(path, p.SerializeAsString());
  llvm::Expected<Tensor> back = readTensorProto(path);
  REQUIRE(bool(back));
  CHECK(back->type.str() == "bool[3]");
  CHECK(back->i64 == std::vector<int64_t>{0, 1, 1});
  p.set_raw_data(std::string("\0\1\1", 3));
  writeBytes(path, p.SerializeAsString());
  back = readTensorProto(path);
  REQUIRE(bool(back));
  CHECK(back->i64 == std::vector<int64_t>{0, 1, 1});
}

TEST_CASE("random inputs are reproducible: SplitMix64(seed, stream), [-1, 1)") {
  TensorType f{DType::F32, {4}};
  Tensor a = randomTensor(f, 1, 0);
  // Pinned: tools/ort/run.js generates the same values for ONNX Runtime.
  CHECK(a.f32[0] == doctest::Approx(0.825194359).epsilon(1e-7));
  CHECK(a.f32[1] == doctest::Approx(-0.561036110).epsilon(1e-7));
  CHECK(a.f32[2] == doctest::Approx(-0.147531152).epsilon(1e-7));
  CHECK(a.f32[3] == doctest::Approx(0.411141276).epsilon(1e-7));
  CHECK(randomTensor(f, 1, 0).f32 == a.f32);
  CHECK(randomTensor(f, 1, 1).f32 != a.f32);
  CHECK(randomTensor({DType::I64, {4}}, 1, 1).i64 == std::vector<int64_t>{15, 7, 7, 12});
  Tensor big = randomTensor({DType::F32, {10000}}, 7, 3);
  for (float v : big.f32)
    CHECK((v >= -1.0f && v < 1.0f));
}
