//===- DriverTest.cpp - The compile driver library ------------------------===//

#include "compiler/ir/Cost.h"
#include "compiler/driver/Driver.h"
#include "compiler/driver/Execute.h"
#include "tests/frontend/ModelBuilder.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Conv 3->4 channels, 3x3, no padding, on [1,3,8,8], then Relu.
ModelBuilder convModel() {
  ModelBuilder m(13);
  m.input("x", {1, 3, 8, 8});
  m.filled("w", {4, 3, 3, 3}, 0.25f);
  m.node("Conv", {"x", "w"}, {"c"}, "conv").ints("kernel_shape", {3, 3});
  m.node("Relu", {"c"}, {"y"}, "relu");
  m.output("y");
  return m;
}

/// A fresh directory holding model.onnx.
std::string workDir(const ModelBuilder &m, const char *name) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory(name, dir));
  std::ofstream(std::string(dir) + "/model.onnx", std::ios::binary) << m.serialize();
  return std::string(dir);
}

/// The names of the files in `dir`, sorted.
std::vector<std::string> filesIn(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    names.push_back(std::string(llvm::sys::path::filename(it->path())));
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

TEST_CASE("compileToFile writes the object and the header, nothing else") {
  std::string dir = workDir(convModel(), "kiln-driver");
  driver::CompileOptions opts;
  opts.name = "net";
  llvm::Error e = driver::compileToFile(dir + "/model.onnx", opts, dir + "/net.o", dir + "/net.h");
  REQUIRE_MESSAGE(!e, llvm::toString(std::move(e)));
  CHECK(filesIn(dir) == std::vector<std::string>{"model.onnx", "net.h", "net.o"});
  uint64_t size = 0;
  CHECK(!llvm::sys::fs::file_size(dir + "/net.o", size));
  CHECK(size > 0);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("a compile that fails leaves no output, complete or partial") {
  std::string dir = workDir(convModel(), "kiln-driver");
  driver::CompileOptions opts;
  opts.name = "net";
  opts.weightsFile = dir + "/net_weights.o";
  // The header cannot be written: the object and weights files, written
  // before it, must not appear either.
  llvm::Error e = driver::compileToFile(dir + "/model.onnx", opts, dir + "/net.o",
                                        dir + "/no-such-dir/net.h");
  REQUIRE(bool(e));
  std::string file;
  llvm::handleAllErrors(std::move(e), [&](const driver::FileError &fe) { file = fe.file(); });
  CHECK(file == dir + "/no-such-dir/net.h");
  CHECK(filesIn(dir) == std::vector<std::string>{"model.onnx"});

  // An unwritable object names the object, not its temporary.
  e = driver::compileToFile(dir + "/model.onnx", opts, dir + "/no-such-dir/net.o", "");
  REQUIRE(bool(e));
  std::string message = llvm::toString(std::move(e));
  CHECK(message.find(dir + "/no-such-dir/net.o: ") == 0);
  CHECK(message.find(".tmp") == std::string::npos);
  CHECK(filesIn(dir) == std::vector<std::string>{"model.onnx"});
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("the passes and lowering take their options from one CompileOptions") {
  codegen::Target target;
  target.vectorLanes = 8;
  driver::CompileOptions opts;
  opts.winograd = false;
  opts.verifyEach = true;
  PassOptions po = driver::passOptions(opts, target);
  codegen::LoweringOptions lo = driver::loweringOptions(opts, target);
  CHECK(po.vectorLanes == 8);
  CHECK(lo.vectorLanes == 8);
  CHECK(po.verifyEach);
  CHECK(!po.winograd);
  // --vector-lanes steers the layout only; lowering keeps the target's kernels.
  opts.vectorLanes = 16;
  CHECK(driver::passOptions(opts, target).vectorLanes == 16);
  CHECK(driver::loweringOptions(opts, target).vectorLanes == 8);
}

TEST_CASE("one FLOP count, the same before and after optimization") {
  auto g = convModel().import();
  REQUIRE(bool(g));
  // 2 x N x M x OH x OW x C x KH x KW
  const double want = 2.0 * 1 * 4 * 6 * 6 * 3 * 3 * 3;
  CHECK(graphFlops(**g) == want);
  driver::CompileOptions opts;
  auto target = driver::resolveTarget(opts);
  REQUIRE(bool(target));
  llvm::Error e = driver::optimize(**g, opts, *target);
  REQUIRE_MESSAGE(!e, llvm::toString(std::move(e)));
  CHECK(graphFlops(**g) == want);
}

TEST_CASE("runCompiled and runReference agree") {
  auto a = convModel().import(), b = convModel().import();
  REQUIRE(bool(a));
  REQUIRE(bool(b));
  std::vector<Tensor> in{Tensor::zeros((*a)->inputs[0]->type)};
  for (size_t i = 0; i < in[0].f32.size(); ++i)
    in[0].f32[i] = float(int(i % 7) - 3);
  auto want = driver::runReference(**a, in);
  auto got = driver::runCompiled(**b, in);
  REQUIRE(bool(want));
  REQUIRE_MESSAGE(bool(got), llvm::toString(got.takeError()));
  REQUIRE(got->size() == 1);
  const std::vector<float> &x = (*got)[0].f32, &y = (*want)[0].f32;
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i)
    CHECK(std::fabs(x[i] - y[i]) <= 1e-5f * std::max(1.0f, std::fabs(y[i])));
}

TEST_CASE("importModel binds symbolic inputs from CompileOptions and notes a default batch") {
  ModelBuilder m(13);
  m.symbolicInput("x", {std::string("batch"), int64_t(3), std::string("height"),
                        std::string("width")});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  std::string dir = workDir(m, "kiln-driver-bind");
  std::vector<std::string> notes;
  driver::CompileOptions opts;
  opts.dims = {{"height", 20}, {"width", 12}};
  opts.note = [&](const std::string &n) { notes.push_back(n); };
  std::vector<InputBinding> bindings;
  auto g = driver::importModel(dir + "/model.onnx", opts, &bindings);
  REQUIRE_MESSAGE(g, llvm::toString(g.takeError()));
  CHECK((*g)->inputs[0]->type.dims == Dims{1, 3, 20, 12});
  CHECK(notes == std::vector<std::string>{"input 'x' dimension 0 ('batch') bound to 1; use "
                                          "--batch or --input-shape"});
  REQUIRE(bindings.size() == 1);
  CHECK(driver::describeBinding(bindings[0]) ==
        "f32[1,3,20,12] (batch=1 by default, height=20, width=12)");

  // Bound by a flag: no note.
  notes.clear();
  opts.dims.clear();
  opts.inputShapes[""] = {2, 3, 8, 4};
  g = driver::importModel(dir + "/model.onnx", opts, &bindings);
  REQUIRE_MESSAGE(g, llvm::toString(g.takeError()));
  CHECK(notes.empty());
  CHECK(driver::describeBinding(bindings[0]) == "f32[2,3,8,4] (batch=2, height=8, width=4)");
  llvm::sys::fs::remove_directories(dir);
}
