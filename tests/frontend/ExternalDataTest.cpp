//===- ExternalDataTest.cpp - External tensor data stays inside the folder ===//

#include "tests/frontend/TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A scratch folder tree, removed at the end of the test:
///   <root>/model/             the model's folder
///   <root>/model/w.bin        16 floats 0..15
///   <root>/model/sub/w.bin    the same
///   <root>/outside.bin        the same, outside the model's folder
struct Scratch {
  std::string root, model;

  Scratch() {
    llvm::SmallString<128> dir;
    REQUIRE(!llvm::sys::fs::createUniqueDirectory("kiln-extdata", dir));
    root = std::string(dir.str());
    model = root + "/model";
    REQUIRE(!llvm::sys::fs::create_directories(model + "/sub"));
    std::vector<float> data(16);
    for (int i = 0; i < 16; ++i)
      data[size_t(i)] = float(i);
    for (const std::string &p : {model + "/w.bin", model + "/sub/w.bin", root + "/outside.bin"})
      write(p, data);
  }
  ~Scratch() { llvm::sys::fs::remove_directories(root); }

  static void write(const std::string &path, const std::vector<float> &data) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char *>(data.data()), std::streamsize(data.size() * 4));
  }
};

/// A model whose weight w[n] is stored externally with the given entries.
ModelBuilder externalModel(const std::vector<std::pair<std::string, std::string>> &entries,
                           int64_t n = 4) {
  ModelBuilder m(13);
  m.input("x", {n});
  auto &t = *m.graph().add_initializer();
  t.set_name("w");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(n);
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto &[k, v] : entries) {
    auto *e = t.add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  m.node("Add", {"x", "w"}, {"y"});
  m.output("y");
  return m;
}

std::vector<float> weightOf(const Graph &g) {
  for (const auto &n : g.nodes())
    if (n->op == OpKind::Add)
      return n->inputs[1]->constant->f32;
  return {};
}

} // namespace

TEST_CASE("external data inside the model's folder is read") {
  Scratch s;
  auto g = expectImport(externalModel({{"location", "w.bin"}, {"offset", "8"},
                                       {"length", "16"}})
                            .import(s.model));
  REQUIRE(g);
  CHECK(weightOf(*g) == std::vector<float>{2, 3, 4, 5});

  g = expectImport(externalModel({{"location", "sub/w.bin"}}, 16).import(s.model));
  REQUIRE(g);
  CHECK(weightOf(*g).back() == 15.0f);

  // Through a model file: its folder is the base.
  std::string path = s.model + "/m.onnx";
  {
    std::ofstream f(path, std::ios::binary);
    f << externalModel({{"location", "./w.bin"}, {"length", "16"}}).serialize();
  }
  g = expectImport(importOnnxFile(path));
  REQUIRE(g);
  CHECK(weightOf(*g) == std::vector<float>{0, 1, 2, 3});

  // A symlink that stays inside the folder is fine.
  REQUIRE(::symlink("sub/w.bin", (s.model + "/inner-link").c_str()) == 0);
  g = expectImport(externalModel({{"location", "inner-link"}, {"length", "16"}})
                       .import(s.model));
  CHECK(g);
}

TEST_CASE("external data escaping the folder is refused") {
  Scratch s;
  REQUIRE(::symlink((s.root + "/outside.bin").c_str(), (s.model + "/link").c_str()) == 0);
  REQUIRE(::symlink(s.root.c_str(), (s.model + "/dirlink").c_str()) == 0);
  auto err = [&](std::vector<std::pair<std::string, std::string>> e, int64_t n = 4) {
    return importError(externalModel(e, n).import(s.model));
  };
  CHECK(err({{"location", s.root + "/outside.bin"}}) ==
        fmt::format("initializer 'w': external data location '{}/outside.bin' is an "
                    "absolute path; it must be relative to the model's folder",
                    s.root));
  CHECK(err({{"location", "../outside.bin"}}) ==
        "initializer 'w': external data location '../outside.bin' leaves the model's "
        "folder ('..')");
  CHECK(err({{"location", "sub/../../outside.bin"}}).find("('..')") != std::string::npos);
  CHECK(err({{"location", "link"}, {"length", "16"}}) ==
        "initializer 'w': external data file 'link' resolves outside the model's folder");
  CHECK(err({{"location", "dirlink/outside.bin"}, {"length", "16"}}) ==
        "initializer 'w': external data file 'dirlink/outside.bin' resolves outside the "
        "model's folder");
  CHECK(err({{"location", "missing.bin"}}) ==
        "initializer 'w': external data file 'missing.bin' does not exist");
  CHECK(err({{"offset", "0"}}) == "initializer 'w': external data has no location");
  CHECK(err({{"location", "sub"}, {"length", "16"}}) ==
        "initializer 'w': external data file 'sub' is not a regular file");
  // Loaded from memory without a folder: no external data at all.
  CHECK(importError(externalModel({{"location", "w.bin"}}).import("")) ==
        "initializer 'w': external data is not allowed here (the model was not loaded "
        "from a file)");
}

TEST_CASE("external data ranges are checked") {
  Scratch s;
  auto err = [&](std::vector<std::pair<std::string, std::string>> e, int64_t n = 4) {
    return importError(externalModel(e, n).import(s.model));
  };
  CHECK(err({{"location", "w.bin"}, {"offset", "65"}}) ==
        "initializer 'w': external data offset 65 is past the end of 'w.bin' (64 bytes)");
  CHECK(err({{"location", "w.bin"}, {"offset", "56"}, {"length", "16"}}) ==
        "initializer 'w': external data range 56+16 is past the end of 'w.bin' (64 "
        "bytes)");
  CHECK(err({{"location", "w.bin"}, {"length", "12"}}) ==
        "initializer 'w': external data has 12 bytes, expected 16");
  // Without a length the rest of the file must be exactly the tensor.
  CHECK(err({{"location", "w.bin"}}) ==
        "initializer 'w': external data has 64 bytes, expected 16");
  CHECK(err({{"location", "w.bin"}, {"offset", "9223372036854775807"}, {"length", "16"}})
            .find("past the end") != std::string::npos);
  CHECK(err({{"location", "w.bin"}, {"offset", "99999999999999999999"}}) ==
        "initializer 'w': external data offset '99999999999999999999' is not a "
        "non-negative integer");
  CHECK(err({{"location", "w.bin"}, {"length", "-16"}}) ==
        "initializer 'w': external data length '-16' is not a non-negative integer");
}

TEST_CASE("a FIFO as external data is refused without blocking") {
  Scratch s;
  REQUIRE(::mkfifo((s.model + "/fifo").c_str(), 0600) == 0);
  CHECK(importError(externalModel({{"location", "fifo"}, {"length", "16"}})
                        .import(s.model)) ==
        "initializer 'w': external data file 'fifo' is not a regular file");
}
