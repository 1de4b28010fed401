//===- Driver.h - ONNX model to code: the compile pipeline ------*- C++ -*-===//
//
// The pipeline every tool and test runs, in one place:
//
//   importModel   ONNX file -> Graph                    (frontend/)
//   optimize      the pass pipeline for the target      (compiler/passes/)
//   compileToFile lower, emit, write the object/asm/IR, patch the weights in,
//                 write the header                      (compiler/codegen/)
//   jitModel      lower and emit into this process      (codegen/Jit.h)
//
// Options come from one CompileOptions (Options.h). Running models and
// reading/writing tensors are Execute.h and TensorIO.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_DRIVER_H
#define KILN_DRIVER_DRIVER_H

#include "compiler/codegen/Jit.h"
#include "compiler/codegen/Target.h"
#include "compiler/driver/Options.h"
#include "compiler/ir/IR.h"
#include "frontend/OnnxImporter.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace kiln::driver {

/// An error about one file (the model, an output, the header): the CLI
/// prints "error: FILE: MESSAGE".
class FileError : public llvm::ErrorInfo<FileError> {
public:
  static char ID;
  FileError(std::string file, std::string message)
      : file_(std::move(file)), message_(std::move(message)) {}
  const std::string &file() const { return file_; }
  const std::string &reason() const { return message_; }
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string file_, message_;
};

/// `err` as a FileError about `file` (a FileError already is one: kept).
llvm::Error fileError(const std::string &file, llvm::Error err);

/// Imports the ONNX model at `path`, its inputs' symbolic dimensions bound
/// by opts.batch, opts.inputShapes and opts.dims; a leading dimension none
/// of them binds takes 1, said through opts.note. `bindings`, when not null,
/// receives how each input was bound.
llvm::Expected<std::unique_ptr<Graph>> importModel(const std::string &path,
                                                   const CompileOptions &opts = {},
                                                   std::vector<InputBinding> *bindings =
                                                       nullptr);

/// What was bound in one input, or "" when its shape was all numbers:
/// "f32[1,3,640,640] (batch=1 by default, height=640, width=640)".
std::string describeBinding(const InputBinding &b);

/// Resolves opts.target (empty fields: this host).
llvm::Expected<codegen::Target> resolveTarget(const CompileOptions &opts);

/// Runs the optimization pipeline for `target` on `g`, up to the pass
/// `stopAfter` if not empty; `afterEach` sees the graph after every pass.
llvm::Error optimize(Graph &g, const CompileOptions &opts, const codegen::Target &target,
                     const std::string &stopAfter = "",
                     const std::function<void(const PassInfo &, const Graph &)> &afterEach =
                         nullptr);

/// Compiles `modelPath` to `out` (opts.emit: object, assembly or LLVM IR),
/// with opts.weightsFile when set and the C header `header` when not empty.
/// Every file is written under a temporary name and renamed once all are
/// complete: an interrupted or failed compile leaves no partial output.
/// Errors are FileErrors naming the model or the file that failed.
llvm::Error compileToFile(const std::string &modelPath, const CompileOptions &opts,
                          const std::string &out, const std::string &header);

/// Lowers `g` (optimized or not) and compiles it into this process for
/// opts.target (this host's architecture).
llvm::Expected<std::unique_ptr<codegen::CompiledModel>> jitModel(const Graph &g,
                                                                 const CompileOptions &opts,
                                                                 const codegen::Target &target);

} // namespace kiln::driver

#endif // KILN_DRIVER_DRIVER_H
