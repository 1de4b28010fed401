//===- fuzz_import.cpp - libFuzzer harness for the ONNX importer ----------===//
//
// Feeds arbitrary bytes to importOnnxBytes as an untrusted model file. An
// input the importer rejects must come back as an llvm::Error, never a
// crash, a hang, an unbounded allocation or a leak. An input it accepts must
// be a graph the verifier accepts, and the whole optimization pipeline must
// run on it without error: the importer promises verified canonical IR, so
// anything else is a bug, reported by aborting. The optimized graph is then
// lowered to kernel calls (codegen's lowerGraph), which may refuse it but
// must not crash.
//
// Built by scripts/fuzz.sh (clang-16, -fsanitize=fuzzer,address,undefined).
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Verifier.h"
#include "frontend/OnnxImporter.h"
#ifdef KILN_FUZZ_PASSES
#include "compiler/passes/Pipeline.h"
#endif
#ifdef KILN_FUZZ_CODEGEN
#include "compiler/codegen/Lowering.h"
#endif

#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
[[noreturn]] void bug(const char *stage, llvm::Error err) {
  std::fprintf(stderr, "kiln fuzz: %s failed on an imported graph: %s\n", stage,
               llvm::toString(std::move(err)).c_str());
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // No base directory: external data is refused, the file system untouched.
  auto graph = kiln::importOnnxBytes(data, size, /*baseDir=*/"");
  if (!graph) {
    llvm::consumeError(graph.takeError());
    return 0;
  }
  if (auto err = kiln::verifyGraph(**graph))
    bug("verification", std::move(err));
#ifdef KILN_FUZZ_PASSES
  kiln::PassOptions opts;
  opts.vectorLanes = 16;
  opts.verifyEach = true;
  if (auto err = kiln::runPipeline(**graph, opts))
    bug("the pass pipeline", std::move(err));
#ifdef KILN_FUZZ_CODEGEN
  // Lowering may legitimately refuse a graph (a shape no kernel handles);
  // it must not crash on one.
  kiln::codegen::LoweringOptions lowering;
  lowering.vectorLanes = opts.vectorLanes;
  if (auto plan = kiln::codegen::lowerGraph(**graph, lowering); !plan)
    llvm::consumeError(plan.takeError());
#endif
#endif
  return 0;
}
