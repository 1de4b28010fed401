//===- Driver.cpp - ONNX model to code: the compile pipeline --------------===//

#include "compiler/driver/Driver.h"

#include "compiler/codegen/HeaderWriter.h"
#include "compiler/codegen/ModuleEmitter.h"
#include "compiler/codegen/ObjectWriter.h"
#include "compiler/driver/Stages.h"
#include "compiler/ir/Diagnostics.h"
#include "frontend/OnnxImporter.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace kiln::driver {

char FileError::ID = 0;

void FileError::log(llvm::raw_ostream &os) const { os << file_ << ": " << message_; }

std::error_code FileError::convertToErrorCode() const { return llvm::inconvertibleErrorCode(); }

llvm::Error fileError(const std::string &file, llvm::Error err) {
  if (!err)
    return llvm::Error::success();
  if (err.isA<FileError>())
    return err;
  return llvm::make_error<FileError>(file, llvm::toString(std::move(err)));
}

llvm::Expected<std::unique_ptr<Graph>> importModel(const std::string &path,
                                                   const CompileOptions &opts,
                                                   std::vector<InputBinding> *bindings) {
  ImportOptions io;
  io.batch = opts.batch;
  io.inputShapes = opts.inputShapes;
  io.dims = opts.dims;
  std::vector<InputBinding> bound;
  auto graph = importOnnxFile(path, io, &bound);
  if (!graph)
    return graph;
  if (opts.note)
    for (const InputBinding &b : bound)
      for (const BoundDim &d : b.dims)
        if (d.source == BoundDim::Source::Default)
          opts.note(fmt::format("input '{}' dimension {}{} bound to {}; use --batch or "
                                "--input-shape",
                                displayName(b.input), d.axis,
                                d.symbol.empty() ? ""
                                                 : fmt::format(" ('{}')", displayName(d.symbol)),
                                d.value));
  if (bindings)
    *bindings = std::move(bound);
  return graph;
}

std::string describeBinding(const InputBinding &b) {
  if (b.dims.empty())
    return "";
  std::vector<std::string> parts;
  for (const BoundDim &d : b.dims)
    parts.push_back(fmt::format(
        "{}={}{}", d.symbol.empty() ? fmt::format("dim{}", d.axis) : displayName(d.symbol),
        d.value, d.source == BoundDim::Source::Default ? " by default" : ""));
  return fmt::format("{} ({})", b.type.str(), fmt::join(parts, ", "));
}

llvm::Expected<codegen::Target> resolveTarget(const CompileOptions &opts) {
  return codegen::resolveTarget(opts.target);
}

llvm::Error optimize(Graph &g, const CompileOptions &opts, const codegen::Target &target,
                     const std::string &stopAfter,
                     const std::function<void(const PassInfo &, const Graph &)> &afterEach) {
  return runPipeline(g, passOptions(opts, target), stopAfter, afterEach);
}

llvm::Expected<std::unique_ptr<codegen::CompiledModel>>
jitModel(const Graph &g, const CompileOptions &opts, const codegen::Target &target) {
  return codegen::CompiledModel::compile(g, target, loweringOptions(opts, target),
                                         jitOptions(opts));
}

namespace {

/// The output files of one compile, each written under a temporary name
/// (removed on failure and on a fatal signal) and renamed by commit().
/// A path that exists and is not a regular file (/dev/null) is written in
/// place.
class Outputs {
public:
  ~Outputs() {
    for (const File &f : files_)
      if (f.temp != f.final) {
        llvm::sys::fs::remove(f.temp);
        llvm::sys::DontRemoveFileOnSignal(f.temp);
      }
  }
  /// The path to write `final` at.
  std::string add(const std::string &final) {
    std::string temp = final;
    llvm::sys::fs::file_status st;
    bool special = !llvm::sys::fs::status(final, st) && llvm::sys::fs::exists(st) &&
                   !llvm::sys::fs::is_regular_file(st);
    if (!special) {
      temp = fmt::format("{}.tmp{}", final, ::getpid());
      llvm::sys::RemoveFileOnSignal(temp);
    }
    files_.push_back({final, temp});
    return temp;
  }
  /// `err` about `final`, with its temporary name replaced by `final`.
  llvm::Error fail(const std::string &final, llvm::Error err) const {
    std::string text = llvm::toString(std::move(err));
    for (const File &f : files_)
      for (size_t at; f.temp != f.final && (at = text.find(f.temp)) != std::string::npos;)
        text.replace(at, f.temp.size(), f.final);
    return llvm::make_error<FileError>(final, text);
  }
  /// Renames every file to its final name.
  llvm::Error commit() {
    for (File &f : files_) {
      if (f.temp == f.final)
        continue;
      if (std::error_code ec = llvm::sys::fs::rename(f.temp, f.final))
        return llvm::make_error<FileError>(f.final,
                                           fmt::format("cannot write: {}", ec.message()));
      llvm::sys::DontRemoveFileOnSignal(f.temp);
      f.temp = f.final;
    }
    return llvm::Error::success();
  }

private:
  struct File {
    std::string final, temp;
  };
  std::vector<File> files_;
};

llvm::Error writeText(const std::string &path, const std::string &text) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot write the header");
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok &= std::fclose(f) == 0;
  if (!ok)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "cannot write the header");
  return llvm::Error::success();
}

} // namespace

llvm::Error compileToFile(const std::string &model, const CompileOptions &opts,
                          const std::string &out, const std::string &header) {
  Stages quiet(false);
  Stages &st = opts.stages ? *opts.stages : quiet;
  const bool externalWeights = !opts.weightsFile.empty();

  auto target = resolveTarget(opts);
  if (!target)
    return fileError(model, target.takeError());
  st.note(fmt::format("target: {}", target->describe()));

  st.begin("import");
  std::vector<InputBinding> bindings;
  auto graph = importModel(model, opts, &bindings);
  if (!graph)
    return fileError(model, graph.takeError());
  st.end();

  st.begin("optimize graph");
  if (auto e = optimize(**graph, opts, *target))
    return fileError(model, std::move(e));
  st.end();

  st.begin("lower");
  auto plan = codegen::lowerGraph(**graph, loweringOptions(opts, *target));
  if (!plan)
    return fileError(model, plan.takeError());
  graph->reset(); // the plan shares the weights it needs
  st.end();

  auto tm = target->createTargetMachine(codegen::codeGenOptLevel(opts.optLevel));
  if (!tm)
    return fileError(model, tm.takeError());

  st.begin("generate LLVM IR");
  llvm::LLVMContext ctx;
  codegen::EmitOptions eo;
  eo.name = opts.name;
  eo.optLevel = opts.optLevel;
  eo.externalWeights = externalWeights;
  // ELF objects get the weights written straight into the file, never
  // copied into LLVM; assembly and IR carry them as constants.
  if (opts.emit == codegen::EmitKind::Object && llvm::Triple(target->triple).isOSBinFormatELF())
    eo.weightStorage = codegen::WeightStorage::Placeholders;
  eo.progress = [&](const char *what, size_t i, size_t n) { st.step(what, i, n); };
  auto emitted = codegen::emitModel(std::move(*plan), *target, **tm, ctx, eo);
  if (!emitted)
    return fileError(model, emitted.takeError());
  st.end();
  st.note(fmt::format("{} layers, {} distinct task functions, workspace {} bytes",
                      emitted->layers, emitted->tasks, emitted->workspaceBytes));

  Outputs files;
  const std::string outTemp = files.add(out);
  const std::string weightsTemp =
      emitted->weights ? files.add(opts.weightsFile) : opts.weightsFile;
  st.begin("machine code");
  if (auto e = codegen::writeModule(*emitted->code, **tm, outTemp, opts.emit))
    return files.fail(out, std::move(e));
  if (emitted->weights)
    if (auto e = codegen::writeModule(*emitted->weights, **tm, weightsTemp, opts.emit))
      return files.fail(opts.weightsFile, std::move(e));
  st.end();
  if (!emitted->weightData.empty()) {
    st.begin("write weights");
    const std::string &file = externalWeights ? opts.weightsFile : out;
    if (auto e = codegen::patchWeights(externalWeights ? weightsTemp : outTemp,
                                       emitted->weightSymbols, emitted->weightData))
      return files.fail(file, std::move(e));
    st.end();
  }

  if (!header.empty()) {
    codegen::HeaderInfo h;
    h.name = opts.name;
    h.inputs = emitted->inputs;
    h.outputs = emitted->outputs;
    h.workspaceBytes = emitted->workspaceBytes;
    for (const InputBinding &b : bindings)
      if (!b.dims.empty())
        h.boundInputs.push_back(
            fmt::format("\"{}\" {}", codegen::cEscape(b.input),
                        codegen::cEscape(describeBinding(b))));
    h.target = target->describe();
    if (externalWeights)
      h.weightsFile = opts.weightsFile;
    if (auto e = writeText(files.add(header), codegen::headerText(h)))
      return files.fail(header, std::move(e));
  }
  return files.commit();
}

} // namespace kiln::driver
