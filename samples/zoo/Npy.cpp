//===- Npy.cpp - NumPy .npy files of float32 ------------------------------===//
//
// Format: "\x93NUMPY", major, minor, header length (u16 for 1.x, u32 after),
// then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 1000), }
// padded with spaces and a newline so the data starts 64-byte aligned.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Npy.h"

#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace kiln::zoo {

namespace {
llvm::Error fail(const std::string &path, const std::string &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s", path.c_str(),
                                 what.c_str());
}

struct FileCloser {
  void operator()(std::FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// The text after `'key':` in the header dict, or npos.
size_t findValue(const std::string &header, const char *key) {
  size_t at = header.find(fmt::format("'{}'", key));
  if (at == std::string::npos)
    return at;
  at = header.find(':', at);
  if (at == std::string::npos)
    return at;
  return header.find_first_not_of(' ', at + 1);
}
} // namespace

llvm::Expected<NpyArray> readNpy(const std::string &path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f)
    return fail(path, std::strerror(errno));
  unsigned char pre[10];
  if (std::fread(pre, 1, 8, f.get()) != 8 || std::memcmp(pre, "\x93NUMPY", 6) != 0)
    return fail(path, "not a .npy file");
  int major = pre[6];
  uint32_t headerLen = 0;
  if (major == 1) {
    if (std::fread(pre + 8, 1, 2, f.get()) != 2)
      return fail(path, "truncated header");
    headerLen = pre[8] | (pre[9] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char len[4];
    if (std::fread(len, 1, 4, f.get()) != 4)
      return fail(path, "truncated header");
    headerLen = len[0] | (len[1] << 8) | (len[2] << 16) | (uint32_t(len[3]) << 24);
  } else {
    return fail(path, fmt::format("unsupported .npy version {}", major));
  }
  std::string header(headerLen, '\0');
  if (std::fread(header.data(), 1, headerLen, f.get()) != headerLen)
    return fail(path, "truncated header");

  size_t descr = findValue(header, "descr");
  if (descr == std::string::npos)
    return fail(path, "header has no 'descr'");
  size_t descrEnd = header.find('\'', descr + 1);
  std::string type = header.substr(descr + 1, descrEnd - descr - 1);
  if (type != "<f4")
    return fail(path, fmt::format("element type '{}' (only float32 '<f4' is read)", type));
  size_t fortran = findValue(header, "fortran_order");
  if (fortran == std::string::npos || header.compare(fortran, 5, "False") != 0)
    return fail(path, "Fortran-order arrays are not read");
  size_t shape = findValue(header, "shape");
  if (shape == std::string::npos || header[shape] != '(')
    return fail(path, "header has no 'shape'");

  NpyArray a;
  size_t count = 1;
  for (size_t i = shape + 1; i < header.size() && header[i] != ')';) {
    if (header[i] == ' ' || header[i] == ',') {
      ++i;
      continue;
    }
    char *end = nullptr;
    long long d = std::strtoll(header.c_str() + i, &end, 10);
    if (end == header.c_str() + i || d < 0)
      return fail(path, "malformed shape");
    a.shape.push_back(d);
    count *= size_t(d);
    i = size_t(end - header.c_str());
  }
  a.data.resize(count);
  if (std::fread(a.data.data(), sizeof(float), count, f.get()) != count)
    return fail(path, fmt::format("truncated data (expected {} floats)", count));
  return a;
}

llvm::Error writeNpy(const std::string &path, const std::vector<int64_t> &shape,
                     const float *data) {
  std::string dims;
  size_t count = 1;
  for (int64_t d : shape) {
    dims += fmt::format("{}, ", d);
    count *= size_t(d);
  }
  if (shape.size() > 1)
    dims.resize(dims.size() - 2); // (1, 1000) but (1000,)
  else if (shape.size() == 1)
    dims.pop_back();
  std::string header =
      fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", dims);
  // Magic (6) + version (2) + length (2) + header + '\n', a multiple of 64.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';

  File f(std::fopen(path.c_str(), "wb"));
  if (!f)
    return fail(path, std::strerror(errno));
  unsigned char pre[10] = {0x93,
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           uint8_t(header.size() & 0xff),
                           uint8_t(header.size() >> 8)};
  bool ok = std::fwrite(pre, 1, 10, f.get()) == 10 &&
            std::fwrite(header.data(), 1, header.size(), f.get()) == header.size() &&
            std::fwrite(data, sizeof(float), count, f.get()) == count;
  if (!ok || std::fclose(f.release()) != 0)
    return fail(path, "write failed");
  return llvm::Error::success();
}

} // namespace kiln::zoo
