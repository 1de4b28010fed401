//===- fuzz_import.cpp - libFuzzer harness: ONNX bytes to LLVM IR ---------===//
//
// Feeds arbitrary bytes to importOnnxBytes as an untrusted model file. An
// input the importer rejects must come back as an llvm::Error, never a
// crash, a hang, an unbounded allocation or a leak. An input it accepts must
// be a graph the verifier accepts, and the whole optimization pipeline must
// run on it without error: the importer promises verified canonical IR, so
// anything else is a bug, reported by aborting.
//
// With the code generator (KILN_FUZZ_CODEGEN) the optimized graph is then
// lowered to kernel calls (lowerGraph may refuse a graph, never crash) and,
// below a size bound, emitted as an LLVM module the way `kiln compile` does
// up to IR: the kernels' bitcode linked in, the tasks specialized and the O1
// pipeline run, then llvm::verifyModule. No machine code: instruction
// selection is LLVM's, and would cost most of each execution.
//
// The target is chosen by the input's length, so every input reproduces:
// x86-64-v4 (AVX-512, 16 lanes), Haswell (AVX2, 8 lanes) or aarch64 (NEON,
// 4 lanes), the three kernel variants kiln builds.
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
#include "compiler/codegen/ModuleEmitter.h"
#include "compiler/codegen/Target.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#endif

#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

[[noreturn]] void bug(const char *stage, llvm::Error err) {
  std::fprintf(stderr, "kiln fuzz: %s failed on an imported graph: %s\n", stage,
               llvm::toString(std::move(err)).c_str());
  std::abort();
}

/// KILN_FUZZ_VERBOSE=1: one line per input saying how far it got (to see
/// what a corpus reaches; never in a fuzzing run, it is slow).
bool verbose() {
  static const bool v = std::getenv("KILN_FUZZ_VERBOSE") != nullptr;
  return v;
}

/// Reports where an input stopped (verbose only); consumes `err`.
void note(const char *what, llvm::Error err = llvm::Error::success()) {
  std::string msg = err ? llvm::toString(std::move(err)) : std::string();
  if (verbose())
    std::fprintf(stderr, "kiln fuzz: %s%s%s\n", what, msg.empty() ? "" : ": ",
                 msg.c_str());
}

#ifdef KILN_FUZZ_CODEGEN
// Emission bound: beyond it a graph is lowered but not emitted. Emitting
// costs milliseconds per layer (the kernels' bitcode linked, specialized and
// optimized), and what breaks emission (a layer kind, a param combination)
// shows up in small graphs as well as large ones.
// KILN_FUZZ_MAX_LAYERS (default 24; 0: never emit) and KILN_FUZZ_OPT (the
// -O level, default 1) tune it.
size_t maxEmittedLayers() {
  static const size_t n = [] {
    const char *s = std::getenv("KILN_FUZZ_MAX_LAYERS");
    return s ? size_t(std::strtoul(s, nullptr, 10)) : size_t(24);
  }();
  return n;
}
int emitOptLevel() {
  static const int level = [] {
    const char *s = std::getenv("KILN_FUZZ_OPT");
    return s ? std::atoi(s) : 1;
  }();
  return level;
}
constexpr size_t kMaxEmittedWeightBytes = size_t(1) << 20;

struct FuzzTarget {
  kiln::codegen::Target target;
  std::unique_ptr<llvm::TargetMachine> tm;
};

/// The three targets, resolved once (a TargetMachine is reusable).
std::array<FuzzTarget, 3> &fuzzTargets() {
  static std::array<FuzzTarget, 3> targets = [] {
    const kiln::codegen::TargetOptions opts[3] = {
        {"x86_64-linux-gnu", "x86-64-v4", ""},
        {"x86_64-linux-gnu", "haswell", ""},
        {"aarch64-linux-gnu", "", ""}};
    std::array<FuzzTarget, 3> r;
    for (int i = 0; i < 3; ++i) {
      auto t = kiln::codegen::resolveTarget(opts[i]);
      if (!t)
        bug("resolving a target", t.takeError());
      auto tm = t->createTargetMachine(llvm::CodeGenOpt::Less);
      if (!tm)
        bug("creating a target machine", tm.takeError());
      r[i] = {std::move(*t), std::move(*tm)};
    }
    return r;
  }();
  return targets;
}

/// Lowers `g` for `t` and, when small enough, emits and verifies its module.
void lowerAndEmit(const kiln::Graph &g, FuzzTarget &t) {
  kiln::codegen::LoweringOptions lowering;
  lowering.vectorLanes = t.target.vectorLanes;
  auto plan = kiln::codegen::lowerGraph(g, lowering);
  if (!plan) {
    // A shape or attribute no kernel handles: a named error, not a bug.
    note("lowering refused", plan.takeError());
    return;
  }
  size_t weightBytes = 0;
  for (const kiln::codegen::Weight &w : plan->weights)
    weightBytes += w.bytes;
  if (plan->layers.size() > maxEmittedLayers() ||
      weightBytes > kMaxEmittedWeightBytes) {
    note("lowered; too large to emit");
    return;
  }

  llvm::LLVMContext ctx;
  kiln::codegen::EmitOptions eo;
  eo.name = "fuzz";
  eo.optLevel = emitOptLevel(); // 1: specialization and the O1 pipeline
  // Declarations only: no copy of the weights into LLVM constants.
  eo.weightStorage = kiln::codegen::WeightStorage::External;
  auto emitted =
      kiln::codegen::emitModel(std::move(*plan), t.target, *t.tm, ctx, eo);
  // Lowering accepted the plan: emitting it has no reason to fail.
  if (!emitted)
    bug("emitting LLVM IR", emitted.takeError());
  std::string msg;
  llvm::raw_string_ostream os(msg);
  if (llvm::verifyModule(*emitted->code, &os))
    bug("llvm::verifyModule",
        llvm::createStringError(llvm::inconvertibleErrorCode(), "%s",
                                os.str().c_str()));
  if (verbose())
    std::fprintf(stderr, "kiln fuzz: emitted %zu layers, %zu tasks for %s\n",
                 emitted->layers, emitted->tasks, t.target.cpu.c_str());
}
#endif

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
#ifdef KILN_FUZZ_CODEGEN
  fuzzTargets(); // LLVM's target registry, before the first input
#endif
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // No base directory: external data is refused, the file system untouched.
  auto graph = kiln::importOnnxBytes(data, size, /*baseDir=*/"");
  if (!graph) {
    note("import refused", graph.takeError());
    return 0;
  }
  if (auto err = kiln::verifyGraph(**graph))
    bug("verification", std::move(err));
#ifdef KILN_FUZZ_PASSES
  kiln::PassOptions opts;
  opts.vectorLanes = 16;
  opts.verifyEach = true;
#ifdef KILN_FUZZ_CODEGEN
  FuzzTarget &target = fuzzTargets()[size % 3];
  opts.vectorLanes = target.target.vectorLanes;
#endif
  if (auto err = kiln::runPipeline(**graph, opts))
    bug("the pass pipeline", std::move(err));
#ifdef KILN_FUZZ_CODEGEN
  lowerAndEmit(**graph, target);
  return 0;
#endif
#endif
  note("imported and optimized");
  return 0;
}
