//===- MakeInput.cpp - kiln-make-input: a seeded random tensor as .npy ----===//
//
//   kiln-make-input --shape 1,3,224,224 [--seed S] [--stream I] -o x.npy
//
// Floats uniform in [-1, 1) (a normalized image's range), exactly the values
// `kiln run --random-input S` gives its input number I (compiler/driver/TensorIO.h)
// and `node tools/ort/run.js --random-input S` gives ONNX Runtime: a
// SplitMix64 stream seeded with S ^ (I + 1) * 0x9e3779b97f4a7c15, each value
// (next() >> 40) / 2^23 - 1, in C order. Three implementations of one
// definition; the end-to-end tests pass the files, so they never depend on
// the three agreeing.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Npy.h"
#include "samples/zoo/Random.h"

#include <charconv>
#include <fmt/format.h>
#include <string_view>

using namespace kiln::zoo;

namespace {
int usage(const std::string &message) {
  fmt::print(stderr, "error: kiln-make-input: {}\n", message);
  return 1;
}

bool parseUnsigned(std::string_view s, uint64_t &out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parseShape(std::string_view s, std::vector<int64_t> &shape) {
  while (!s.empty()) {
    size_t comma = s.find(',');
    uint64_t d = 0;
    if (!parseUnsigned(s.substr(0, comma), d) || d < 1 || d > (uint64_t(1) << 40))
      return false;
    shape.push_back(int64_t(d));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  }
  return !shape.empty();
}
} // namespace

int main(int argc, char **argv) {
  std::vector<int64_t> shape;
  uint64_t seed = 1, stream = 0;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      fmt::print("usage: kiln-make-input --shape D0,D1,... [--seed S] [--stream I] -o FILE.npy\n\n"
                 "Writes a float32 tensor uniform in [-1, 1): the values kiln run\n"
                 "--random-input S gives its input number I (default seed 1, stream 0).\n");
      return 0;
    }
    if (i + 1 >= argc)
      return usage(fmt::format("'{}' needs a value (see --help)", a));
    std::string_view v = argv[++i];
    if (a == "--shape") {
      if (!parseShape(v, shape))
        return usage(fmt::format("bad shape '{}'", v));
    } else if (a == "--seed") {
      if (!parseUnsigned(v, seed))
        return usage(fmt::format("bad seed '{}'", v));
    } else if (a == "--stream") {
      if (!parseUnsigned(v, stream))
        return usage(fmt::format("bad stream '{}'", v));
    } else if (a == "-o") {
      out = v;
    } else {
      return usage(fmt::format("unknown option '{}' (see --help)", a));
    }
  }
  if (shape.empty() || out.empty())
    return usage("--shape and -o are required");

  size_t count = 1;
  for (int64_t d : shape)
    count *= size_t(d);
  std::vector<float> data(count);
  Rng rng = Rng::forStream(seed, stream);
  for (float &x : data)
    x = rng.uniformSigned();
  if (llvm::Error e = writeNpy(out, shape, data.data())) {
    fmt::print(stderr, "error: kiln-make-input: {}\n", llvm::toString(std::move(e)));
    return 1;
  }
  return 0;
}
