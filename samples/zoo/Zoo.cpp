//===- Zoo.cpp - kiln-zoo: writes the zoo's models as ONNX files ----------===//
//
//   kiln-zoo NAME -o FILE.onnx [--batch N] [--size H,W] [--seed S]
//            [--opset K] [--reshape-flatten] [--dynamic] [--quantize]
//   kiln-zoo --list
//
// An exporter independent of kiln (it uses only ONNX's protobuf API), so
// kiln's importer reads files it did not write itself. Every file passes
// onnx::checker and ONNX's strict shape inference before it is written;
// the inferred shapes are kept as value_info, as torch.onnx.export does.
//
//===----------------------------------------------------------------------===//

#include "samples/zoo/Models.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <string_view>
#include <unistd.h>

using namespace kiln::zoo;

namespace {
void printHelp() {
  fmt::print("usage: kiln-zoo NAME -o FILE.onnx [options]\n"
             "       kiln-zoo --list\n\n"
             "Writes a classic CNN as an ONNX file, laid out the way its exporter writes it,\n"
             "with random (He-initialized, seeded) weights.\n\n"
             "options:\n"
             "  -o FILE              the .onnx file to write\n"
             "  --batch N            fixed batch size (default: symbolic 'batch_size' for\n"
             "                       PyTorch-style models, 1 for Caffe-style alexnet)\n"
             "  --size H,W           input resolution (default 224,224; alexnet 227,227);\n"
             "                       --size N means N,N\n"
             "  --seed S             weight seed (default 1)\n"
             "  --opset K            ONNX opset, {}..{} (default 17; alexnet 9)\n"
             "  --reshape-flatten    flatten with Shape/Gather/Unsqueeze/Concat/Reshape\n"
             "  --dynamic            declare the input's height and width symbolic ('height',\n"
             "                       'width'; weights and BatchNorms still set at --size)\n"
             "  --quantize           int8 QDQ, as ONNX Runtime's quantize_static writes it:\n"
             "                       uint8 per-tensor activations, int8 per-channel weights,\n"
             "                       calibrated on a seeded batch (opset >= 13)\n"
             "  --list               list the models\n"
             "  -h, --help           show this help\n",
             MinOpset, MaxOpset);
}

int usage(const std::string &message) {
  fmt::print(stderr, "error: kiln-zoo: {}\n", message);
  return 1;
}

bool parseInt(std::string_view s, int64_t &out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parseSize(std::string_view s, int64_t &h, int64_t &w) {
  size_t comma = s.find(',');
  if (comma == std::string_view::npos)
    return parseInt(s, h) && parseInt(s, w);
  return parseInt(s.substr(0, comma), h) && parseInt(s.substr(comma + 1), w);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
} // namespace

int main(int argc, char **argv) {
  std::string name, outPath;
  ZooOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view &v) {
      if (i + 1 >= argc)
        return false;
      v = argv[++i];
      return true;
    };
    std::string_view v;
    int64_t n = 0;
    if (a == "-h" || a == "--help") {
      printHelp();
      return 0;
    } else if (a == "--list") {
      for (const ZooModel &m : zooModels())
        fmt::print("{:<12} {}\n", m.name, m.description);
      return 0;
    } else if (a == "-o") {
      if (!value(v))
        return usage("-o needs a file name");
      outPath = v;
    } else if (a == "--batch") {
      if (!value(v) || !parseInt(v, options.batch) || options.batch < 1)
        return usage("--batch needs a positive integer");
    } else if (a == "--size") {
      if (!value(v) || !parseSize(v, options.height, options.width) || options.height < 1 ||
          options.width < 1)
        return usage("--size needs H,W (positive integers)");
    } else if (a == "--seed") {
      if (!value(v) || !parseInt(v, n) || n < 0)
        return usage("--seed needs a non-negative integer");
      options.seed = uint64_t(n);
    } else if (a == "--opset") {
      if (!value(v) || !parseInt(v, options.opset))
        return usage("--opset needs an integer");
    } else if (a == "--reshape-flatten") {
      options.reshapeFlatten = true;
    } else if (a == "--dynamic") {
      options.dynamic = true;
    } else if (a == "--quantize") {
      options.quantize = true;
    } else if (a.starts_with("-")) {
      return usage(fmt::format("unknown option '{}' (see --help)", a));
    } else if (name.empty()) {
      name = a;
    } else {
      return usage(fmt::format("unexpected argument '{}'", a));
    }
  }
  if (name.empty())
    return usage("missing the model NAME (see --list)");
  if (outPath.empty())
    return usage("missing -o FILE.onnx");

  auto start = std::chrono::steady_clock::now();
  auto built = buildZooModel(name, options);
  if (!built) {
    fmt::print(stderr, "error: kiln-zoo: {}\n", llvm::toString(built.takeError()));
    return 1;
  }
  onnx::ModelProto &model = (*built)->model();
  if (llvm::Error e = validateZooModel(model)) {
    fmt::print(stderr, "error: kiln-zoo: {}: {}\n", name, llvm::toString(std::move(e)));
    return 1;
  }

  // Write beside the target and rename, so no reader sees half a model.
  std::string tmpPath = outPath + ".tmp";
  int fd = ::open(tmpPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  bool written = fd >= 0 && model.SerializeToFileDescriptor(fd);
  if (fd < 0 || ::close(fd) != 0 || !written) {
    std::remove(tmpPath.c_str());
    return usage(fmt::format("cannot write '{}'", tmpPath));
  }
  if (std::rename(tmpPath.c_str(), outPath.c_str()) != 0) {
    std::remove(tmpPath.c_str());
    return usage(fmt::format("cannot rename '{}' to '{}'", tmpPath, outPath));
  }
  fmt::print("kiln-zoo: wrote {} ({}: {} nodes, {:.1f} M parameters, {:.1f} MB, opset {}) "
             "in {:.2f} s\n",
             outPath, name, model.graph().node_size(), double((*built)->parameterCount()) / 1e6,
             double(model.ByteSizeLong()) / 1e6, (*built)->opset(), secondsSince(start));
  return 0;
}
