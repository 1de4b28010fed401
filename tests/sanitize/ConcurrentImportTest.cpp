//===- ConcurrentImportTest.cpp - The compiler's libraries on many threads -===//
//
// A service compiles models on several threads at once: importing, optimizing
// and printing must share no mutable state (protobuf descriptors, static
// caches, LLVM statics). Each thread imports the same models and must get the
// same IR, byte for byte, as a single-threaded run; malformed models must give
// the same error. Built with the sanitizers (scripts/sanitize.sh) this is where
// a data race or a use-after-free between threads shows up.
//
//===----------------------------------------------------------------------===//

#include "tests/bad_models/OnnxBuild.h"

#include "compiler/ir/Printer.h"
#include "frontend/OnnxImporter.h"
#ifdef KILN_HAVE_PASSES
#include "compiler/passes/Pipeline.h"
#endif

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace kiln;
using namespace kiln::badmodels;

namespace {
std::string serialize(const ModelProto &m) {
  std::string bytes;
  m.SerializeToString(&bytes);
  return bytes;
}

/// The imported (and, when the passes exist, optimized) IR as text, or
/// "error: <message>".
std::string compileToText(const std::string &bytes) {
  auto g = importOnnxBytes(bytes.data(), bytes.size(), "");
  if (!g)
    return "error: " + llvm::toString(g.takeError());
#ifdef KILN_HAVE_PASSES
  PassOptions opts;
  opts.verifyEach = true;
  if (llvm::Error err = runPipeline(**g, opts))
    return "error: " + llvm::toString(std::move(err));
#endif
  return printText(**g) + printJson(**g) + printDot(**g);
}

std::vector<std::string> models() {
  ModelProto unknown = validNet();
  unknown.mutable_graph()->mutable_node(1)->set_op_type("NoSuchOp");
  ModelProto badRaw = validNet();
  badRaw.mutable_graph()->mutable_initializer(0)->set_raw_data("xyz");
  std::string valid = serialize(validNet());
  return {valid, serialize(unknown), serialize(badRaw),
          valid.substr(0, valid.size() / 3), std::string("not a model")};
}
} // namespace

TEST_CASE("importing and optimizing on many threads gives the single-threaded result") {
  const std::vector<std::string> inputs = models();
  std::vector<std::string> expected;
  for (const std::string &m : inputs)
    expected.push_back(compileToText(m));
  REQUIRE(expected[0].rfind("error: ", 0) != 0); // the valid net compiles
  for (size_t i = 1; i < expected.size(); ++i)
    REQUIRE(expected[i].rfind("error: ", 0) == 0); // the others are errors

  constexpr int Threads = 8, Rounds = 20;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < Threads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < Rounds; ++r) {
        // Each thread walks the models in its own order, so that different
        // models are in flight at the same time.
        size_t i = size_t(t + r) % inputs.size();
        if (compileToText(inputs[i]) != expected[i])
          ++mismatches;
      }
    });
  for (std::thread &th : threads)
    th.join();
  CHECK(mismatches.load() == 0);
}
