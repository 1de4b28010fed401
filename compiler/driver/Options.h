//===- Options.h - One set of compile options, CLI to codegen ---*- C++ -*-===//
//
// CompileOptions is what a user chooses (`kiln compile`'s flags, a test's
// settings). The passes and the code generator take their own small option
// structs; both are derived from CompileOptions here, in one function each,
// so a setting (Winograd, the vector lanes, -O) is decided in one place.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_OPTIONS_H
#define KILN_DRIVER_OPTIONS_H

#include "compiler/codegen/Jit.h"
#include "compiler/codegen/Lowering.h"
#include "compiler/codegen/ObjectWriter.h"
#include "compiler/codegen/Target.h"
#include "compiler/passes/Pipeline.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kiln::driver {

class Stages;

struct CompileOptions {
  /// --target/--cpu/--features; empty fields mean this host.
  codegen::TargetOptions target;
  /// -O0..-O3: LLVM's optimization and code generation level.
  int optLevel = 3;
  /// Value of a symbolic or unknown leading (batch) dimension (--batch);
  /// unset: 1, said in a note.
  std::optional<int64_t> batch;
  /// Whole shapes of graph inputs by name (--input-shape NAME=DIMS; the name
  /// "" is the model's only input) and symbolic dimensions by name
  /// (--dim SYMBOL=VALUE): ImportOptions (frontend/OnnxImporter.h) says how
  /// they bind.
  std::map<std::string, Dims> inputShapes;
  std::map<std::string, int64_t> dims;
  /// Receives notes about the model (a symbolic batch bound by default), one
  /// line each without a prefix; null: they are dropped.
  std::function<void(const std::string &)> note;
  /// Winograd F(4x4,3x3) for the 3x3 stride-1 convs where it is faster
  /// (--no-winograd turns it off).
  bool winograd = true;
  /// The fast kernels where they apply (tests turn them off).
  bool fastKernels = true;
  /// fp32 lanes the passes' layout decisions assume; 0: the target's
  /// (`kiln dump --vector-lanes`). Lowering always uses the target's.
  int vectorLanes = 0;
  /// Run the verifier after every pass.
  bool verifyEach = false;

  // compileToFile only.
  codegen::EmitKind emit = codegen::EmitKind::Object; ///< --emit obj|asm|llvm
  std::string name = "model"; ///< prefix of the generated symbols (--name)
  /// --weights FILE: the weights in a second object file; empty: embedded.
  std::string weightsFile;

  // jitModel only.
  bool profile = false;        ///< per-layer times (codegen::JitOptions)
  bool profileCpuTime = false; ///< with the thread's CPU time

  /// Progress and, when verbose, per-stage timings (Stages.h); may be null.
  Stages *stages = nullptr;
};

/// The pipeline's options for `target`.
PassOptions passOptions(const CompileOptions &opts, const codegen::Target &target);
/// Lowering's options for `target`.
codegen::LoweringOptions loweringOptions(const CompileOptions &opts,
                                         const codegen::Target &target);
/// The JIT's options (its lowering options come from loweringOptions).
codegen::JitOptions jitOptions(const CompileOptions &opts);

} // namespace kiln::driver

#endif // KILN_DRIVER_OPTIONS_H
