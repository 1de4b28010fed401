//===- Conformance.cpp - kiln conformance: ONNX backend test folders ------===//
//
//   kiln conformance /usr/share/libonnx-testdata/data/node/test_conv_* --reference
//
// Each case is a folder holding model.onnx and test_data_set_*/ with
// input_N.pb and output_N.pb (onnx.TensorProto). One line per case:
//
//   PASS name
//   FAIL name: max error X at OUTPUT[i,j,...] (tolerance T: got G, expected E)
//   UNSUPPORTED name: <why the importer or the code generator refused it>
//
// and a last line "N passed, N failed, N unsupported". UNSUPPORTED means the
// importer refused the model (an op, attribute, type or rank kiln does not
// handle) or the code generator did (an op or element type compiled code
// does not handle: "compiled code: ..."); FAIL means it was imported and
// then computed something wrong, or could not run. Exit status 1 when
// anything failed.
//
// kiln compiles for static shapes, so operands that set shapes or attributes
// (Reshape's shape, Pad's pads, Clip's bounds, Resize's sizes...) must be constants. Many
// ONNX tests feed them as graph inputs; such inputs are frozen: the data
// set's tensor becomes an initializer of the model before import, which is
// how an exporter would have written the model. -v names them. The other
// inputs take the shapes of the data set's tensors (ImportOptions::
// inputShapes), so a declared [0,3,4] is an empty tensor, not a batch of 1.
// Outputs are compared in their own element type (f16 as its f32 value).
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"

#include "compiler/driver/Execute.h"
#include "compiler/driver/TensorIO.h"

#include "compiler/ir/Diagnostics.h"
#include "frontend/OnnxImporter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace kiln::cli {

namespace {

/// |got - expected| <= AbsTolerance + RelTolerance * |expected|, elementwise:
/// float32 rounding differences between kiln's kernels and the ones that
/// produced the expected outputs stay well inside it.
constexpr double RelTolerance = 1e-3;
constexpr double AbsTolerance = 1e-5;

enum class Verdict { Pass, Fail, Unsupported };

struct Outcome {
  Verdict verdict;
  std::string detail; // why it failed or is unsupported; for -v on a pass
};

std::vector<std::string> sortedSubdirs(const std::string &dir, llvm::StringRef prefix = "") {
  std::vector<std::string> out;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.startswith(prefix) && llvm::sys::fs::is_directory(it->path()))
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool isCase(const std::string &dir) {
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, "model.onnx");
  return llvm::sys::fs::exists(model);
}

/// NAME_0.pb, NAME_1.pb, ... until one is missing.
std::vector<std::string> numberedFiles(const std::string &dir, const char *name) {
  std::vector<std::string> files;
  for (int i = 0;; ++i) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, fmt::format("{}_{}.pb", name, i));
    if (!llvm::sys::fs::exists(path))
      return files;
    files.push_back(std::string(path));
  }
}

std::string indexString(const Dims &dims, int64_t linear) {
  Dims idx(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    idx[d] = linear % dims[d];
    linear /= dims[d];
  }
  return fmt::format("[{}]", fmt::join(idx, ","));
}

/// Compares one output; an error message when it is out of tolerance.
/// `maxError` receives the largest absolute difference.
std::optional<std::string> compare(const std::string &where, const Tensor &got,
                                   const Tensor &want, double &maxError) {
  if (got.type != want.type)
    return fmt::format("{} is {}, expected {}", where, got.type.str(), want.type.str());
  int64_t worst = -1;
  double worstRatio = 1.0; // only elements beyond tolerance (ratio > 1) count
  for (int64_t i = 0; i < got.numElements(); ++i) {
    double g = got.at(i), w = want.at(i);
    if (g == w || (std::isnan(g) && std::isnan(w)))
      continue;
    double err = std::fabs(g - w);
    if (std::isnan(err))
      err = INFINITY;
    maxError = std::max(maxError, err);
    double ratio = err / (AbsTolerance + RelTolerance * std::fabs(w));
    if (ratio > worstRatio)
      worstRatio = ratio, worst = i;
  }
  if (worst < 0)
    return std::nullopt;
  double g = got.at(worst), w = want.at(worst);
  return fmt::format("max error {:.6g} at {}{} (tolerance {:.6g}: got {:.8g}, expected {:.8g})",
                     std::fabs(g - w), where, indexString(got.dims(), worst),
                     AbsTolerance + RelTolerance * std::fabs(w), g, w);
}

/// ONNX operands kiln needs as constants: they decide shapes or attributes.
bool setsShapeOrAttribute(const std::string &opType, int operand) {
  if (operand == 0)
    return false;
  return opType == "Reshape" || opType == "Pad" || opType == "Clip" ||
         opType == "Unsqueeze" || opType == "Squeeze" || opType == "Dropout" ||
         opType == "Resize" || opType == "Upsample";
}

/// The graph inputs (not initializers) that feed such operands, by name.
std::set<std::string> inputsToFreeze(const onnx::ModelProto &model) {
  const onnx::GraphProto &g = model.graph();
  std::set<std::string> inits, inputs, freeze;
  for (const auto &t : g.initializer())
    inits.insert(t.name());
  for (const auto &in : g.input())
    if (!inits.count(in.name()))
      inputs.insert(in.name());
  for (const auto &n : g.node())
    for (int i = 0; i < n.input_size(); ++i)
      if (setsShapeOrAttribute(n.op_type(), i) && inputs.count(n.input(i)))
        freeze.insert(n.input(i));
  return freeze;
}

/// The shapes of the data set's tensors for the graph inputs not in `freeze`,
/// by name: kiln compiles for the shapes it will run on, and a declared
/// leading 0 would otherwise be read as a batch dimension. Unreadable files
/// are left out (running the case reports them).
std::map<std::string, Dims> dataShapes(const onnx::ModelProto &model,
                                       const std::set<std::string> &freeze,
                                       const std::vector<std::string> &inFiles) {
  std::set<std::string> inits;
  for (const auto &t : model.graph().initializer())
    inits.insert(t.name());
  std::map<std::string, Dims> shapes;
  size_t file = 0;
  for (const auto &in : model.graph().input()) {
    if (inits.count(in.name()))
      continue;
    if (file >= inFiles.size())
      break;
    const std::string &path = inFiles[file++];
    if (freeze.count(in.name()))
      continue;
    if (llvm::Expected<Tensor> t = driver::readTensorProto(path))
      shapes[in.name()] = t->dims();
    else
      llvm::consumeError(t.takeError());
  }
  return shapes;
}

/// Imports `model` with the inputs in `freeze` turned into initializers
/// holding this data set's tensors. `dataFiles` receives the input files of
/// the inputs that remain, in order.
llvm::Expected<std::unique_ptr<Graph>> importFrozen(onnx::ModelProto model,
                                                    const std::string &dir,
                                                    const std::set<std::string> &freeze,
                                                    const std::vector<std::string> &inFiles,
                                                    const ImportOptions &opts,
                                                    std::vector<std::string> &dataFiles) {
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> inits;
  for (const auto &t : g->initializer())
    inits.insert(t.name());
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
  size_t file = 0; // input_N.pb belong to the non-initializer inputs, in order
  for (const auto &in : g->input()) {
    if (inits.count(in.name())) {
      *kept.Add() = in;
      continue;
    }
    if (file >= inFiles.size())
      return inputError(fmt::format("no input_{}.pb for input '{}'", file,
                                    displayName(in.name())));
    const std::string &path = inFiles[file++];
    if (!freeze.count(in.name())) {
      *kept.Add() = in;
      dataFiles.push_back(path);
      continue;
    }
    auto bytes = llvm::MemoryBuffer::getFile(path);
    onnx::TensorProto *t = g->add_initializer();
    if (!bytes || !t->ParseFromArray((*bytes)->getBufferStart(), int((*bytes)->getBufferSize())))
      return inputError(fmt::format("{}: not a serialized onnx.TensorProto", path));
    t->set_name(in.name());
  }
  *g->mutable_input() = std::move(kept);
  std::string serialized;
  if (!model.SerializeToString(&serialized))
    return inputError("cannot serialize the model with frozen inputs");
  return importOnnxBytes(serialized.data(), serialized.size(), dir, opts);
}

Outcome runCase(const std::string &dir, const driver::ExecOptions &exec) {
  llvm::SmallString<256> modelPath(dir);
  llvm::sys::path::append(modelPath, "model.onnx");
  std::vector<std::string> sets = sortedSubdirs(dir, "test_data_set_");

  // Inputs to freeze, if the model parses; else the importer says what is wrong.
  onnx::ModelProto proto;
  std::set<std::string> freeze;
  ImportOptions importOpts;
  if (auto bytes = llvm::MemoryBuffer::getFile(modelPath);
      bytes && (*bytes)->getBufferSize() < size_t(INT32_MAX) &&
      proto.ParseFromArray((*bytes)->getBufferStart(), int((*bytes)->getBufferSize()))) {
    freeze = inputsToFreeze(proto);
    if (!sets.empty())
      importOpts.inputShapes = dataShapes(proto, freeze, numberedFiles(sets[0], "input"));
  }
  std::unique_ptr<Graph> shared;
  if (freeze.empty() || sets.empty()) {
    llvm::Expected<std::unique_ptr<Graph>> imported =
        importOnnxFile(std::string(modelPath), importOpts);
    if (!imported)
      return {Verdict::Unsupported, llvm::toString(imported.takeError())};
    shared = std::move(*imported);
  }
  if (sets.empty())
    return {Verdict::Fail, "no test_data_set_* folder"};

  double maxError = 0;
  for (const std::string &set : sets) {
    // Name the data set in messages only when there are several.
    std::string prefix =
        sets.size() > 1 ? std::string(llvm::sys::path::filename(set)) + " " : "";
    std::vector<std::string> inFiles = numberedFiles(set, "input");
    std::vector<std::string> outFiles = numberedFiles(set, "output");
    std::vector<std::string> dataFiles;
    std::unique_ptr<Graph> frozen;
    if (shared) {
      dataFiles = inFiles;
    } else {
      llvm::Expected<std::unique_ptr<Graph>> imported =
          importFrozen(proto, dir, freeze, inFiles, importOpts, dataFiles);
      if (!imported)
        return {Verdict::Unsupported, llvm::toString(imported.takeError())};
      frozen = std::move(*imported);
    }
    Graph &g = shared ? *shared : *frozen;

    if (dataFiles.size() != g.inputs.size())
      return {Verdict::Fail, fmt::format("{}has {} inputs, the imported graph {}", prefix,
                                         dataFiles.size(), g.inputs.size())};
    if (outFiles.size() != g.outputs.size())
      return {Verdict::Fail, fmt::format("{}has {} outputs, the imported graph {}", prefix,
                                         outFiles.size(), g.outputs.size())};
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < dataFiles.size(); ++i) {
      std::string file(llvm::sys::path::filename(dataFiles[i]));
      llvm::Expected<Tensor> t = driver::readTensorProto(dataFiles[i]);
      if (!t)
        return {Verdict::Fail,
                fmt::format("{}{}: {}", prefix, file, llvm::toString(t.takeError()))};
      if (t->type != g.inputs[i]->type)
        return {Verdict::Fail,
                fmt::format("{}{} holds {}, the graph's input '{}' is {}", prefix, file,
                            t->type.str(), displayName(g.inputs[i]->name),
                            g.inputs[i]->type.str())};
      inputs.push_back(std::move(*t));
    }
    llvm::Expected<std::vector<Tensor>> outputs = driver::executeGraph(g, inputs, exec);
    if (!outputs) {
      // The code generator refusing a valid model is a gap, not a wrong result.
      Verdict v = outputs.errorIsA<driver::CompileRefusal>() ? Verdict::Unsupported
                                                             : Verdict::Fail;
      std::string why = llvm::toString(outputs.takeError());
      return {v, prefix + (v == Verdict::Unsupported ? "compiled code: " + why : why)};
    }
    for (size_t i = 0; i < outFiles.size(); ++i) {
      llvm::Expected<Tensor> want = driver::readTensorProto(outFiles[i]);
      if (!want)
        return {Verdict::Fail, fmt::format("{}output_{}.pb: {}", prefix, i,
                                           llvm::toString(want.takeError()))};
      std::string where = prefix + displayName(g.outputs[i]->name);
      if (auto bad = compare(where, (*outputs)[i], *want, maxError))
        return {Verdict::Fail, *bad};
    }
  }
  std::string detail = fmt::format("{} data set{}, max error {:.3g}", sets.size(),
                                   sets.size() == 1 ? "" : "s", maxError);
  if (!freeze.empty()) {
    std::vector<std::string> names;
    for (const std::string &n : freeze)
      names.push_back("'" + displayName(n) + "'");
    detail += fmt::format(", frozen input{} {}", freeze.size() == 1 ? "" : "s",
                          fmt::join(names, ", "));
  }
  return {Verdict::Pass, detail};
}

} // namespace

int conformanceMain(int argc, char **argv) {
  Args args("conformance", "DIR...",
            fmt::format("Run ONNX backend test folders (model.onnx + test_data_set_*/), or\n"
                        "folders of them, and compare every output elementwise:\n"
                        "|got - expected| <= {} + {} * |expected|.",
                        AbsTolerance, RelTolerance));
  std::vector<std::string> dirs;
  bool reference = false, verbose = false;
  args.flag("--reference", &reference, "run the reference interpreter");
  args.flag("-v", &verbose, "also say why cases passed (data sets, max error)");
  args.positionals(&dirs, 1, -1);
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;

  std::vector<std::string> cases;
  for (const std::string &dir : dirs) {
    if (!llvm::sys::fs::is_directory(dir)) {
      fmt::print(stderr, "error: {}: not a directory\n", dir);
      return 1;
    }
    if (isCase(dir)) {
      cases.push_back(dir);
      continue;
    }
    size_t before = cases.size();
    for (const std::string &sub : sortedSubdirs(dir))
      if (isCase(sub))
        cases.push_back(sub);
    if (cases.size() == before) {
      fmt::print(stderr, "error: {}: no model.onnx in it or in its subfolders\n", dir);
      return 1;
    }
  }

  driver::ExecOptions exec;
  exec.engine = reference ? driver::Engine::Reference : driver::Engine::Compiled;
  exec.threads = driver::defaultThreads();
  int passed = 0, failed = 0, unsupported = 0;
  for (const std::string &dir : cases) {
    std::string name(llvm::sys::path::filename(llvm::StringRef(dir).rtrim('/')));
    Outcome o = runCase(dir, exec);
    switch (o.verdict) {
    case Verdict::Pass:
      ++passed;
      if (verbose)
        fmt::print("PASS {}: {}\n", name, o.detail);
      else
        fmt::print("PASS {}\n", name);
      break;
    case Verdict::Fail:
      ++failed;
      fmt::print("FAIL {}: {}\n", name, o.detail);
      break;
    case Verdict::Unsupported:
      ++unsupported;
      fmt::print("UNSUPPORTED {}: {}\n", name, o.detail);
      break;
    }
    std::fflush(stdout);
  }
  fmt::print("{} passed, {} failed, {} unsupported\n", passed, failed, unsupported);
  return failed ? 1 : 0;
}

} // namespace kiln::cli
