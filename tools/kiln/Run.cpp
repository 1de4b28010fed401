//===- Run.cpp - kiln run: a model on inputs, outputs to .npy -------------===//
//
//   kiln run model.onnx --input data=cat.npy --output-dir out/
//   kiln run model.onnx --random-input 1 --reference
//
// Imports the model, reads or generates one tensor per graph input, runs the
// graph through executeGraph (compiler/driver/Execute.h: reference or
// compiled), prints a summary of each output and writes it as NAME.npy.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/ShapeFlags.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Execute.h"
#include "compiler/driver/TensorIO.h"

#include "compiler/ir/Diagnostics.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace kiln::cli {

namespace {

int fail(const std::string &file, const std::string &message) {
  fmt::print(stderr, "error: {}: {}\n", file, message);
  return 1;
}
int fail(const std::string &file, llvm::Error err) {
  return fail(file, llvm::toString(std::move(err)));
}

/// A file name for a value name: path separators and odd bytes become '_',
/// and a name longer than MaxStem keeps its head and a hash of the whole.
std::string fileNameFor(const std::string &valueName) {
  constexpr size_t MaxStem = 100;
  std::string s;
  for (unsigned char c : valueName)
    s += (std::isalnum(c) || c == '.' || c == '-' || c == '_') ? char(c) : '_';
  if (s.empty() || s == "." || s == "..")
    s = "output_" + s;
  if (s.size() > MaxStem)
    s = fmt::format("{}_{:016x}", s.substr(0, MaxStem - 17),
                    std::hash<std::string>{}(valueName));
  return s;
}

/// One distinct file name per output, in output order: a name that another
/// output already took ('out/1' and 'out_1' both map to out_1) gets a suffix.
std::vector<std::string> outputFileNames(const std::vector<std::string> &names) {
  std::vector<std::string> files;
  std::set<std::string> taken;
  for (const std::string &name : names) {
    std::string stem = fileNameFor(name), file = stem;
    for (int k = 2; taken.count(file); ++k)
      file = fmt::format("{}_{}", stem, k);
    taken.insert(file);
    files.push_back(file);
  }
  return files;
}

/// min/max/mean of all elements; the top-5 per row of an [N,K] output, K >= 10.
void printSummary(const std::string &name, const Tensor &t) {
  fmt::print("output '{}' {}", displayName(name), t.type.str());
  int64_t n = t.numElements(), nans = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = t.at(i);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    lo = std::min(lo, v), hi = std::max(hi, v), sum += v;
  }
  if (n > nans)
    fmt::print(": min {:.6g} max {:.6g} mean {:.6g}", lo, hi, sum / double(n - nans));
  if (nans)
    fmt::print(" ({} NaN)", nans);
  fmt::print("\n");

  if (t.rank() != 2 || t.dims()[1] < 10)
    return;
  const int64_t K = t.dims()[1];
  for (int64_t row = 0; row < t.dims()[0]; ++row) {
    std::vector<int64_t> idx(static_cast<size_t>(K));
    std::iota(idx.begin(), idx.end(), 0);
    auto value = [&](int64_t k) {
      double v = t.at(row * K + k);
      return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
    };
    std::partial_sort(idx.begin(), idx.begin() + 5, idx.end(), [&](int64_t a, int64_t b) {
      return value(a) > value(b) || (value(a) == value(b) && a < b);
    });
    std::string top;
    for (size_t i = 0; i < 5; ++i)
      top += fmt::format("{}{} ({:.6g})", i ? ", " : "", idx[i], t.at(row * K + idx[i]));
    fmt::print("  [{}] top-5: {}\n", row, top);
  }
}

} // namespace

int runMain(int argc, char **argv) {
  Args args("run", "MODEL",
            "Run an ONNX model and print a summary of its outputs.\n\n"
            "Inputs come from .npy ('<f4'/'<i8', C order) or .pb (onnx.TensorProto)\n"
            "files; inputs without a file are random with --random-input: floats\n"
            "uniform in [-1, 1) from SplitMix64(SEED, input index), reproducible.\n"
            "By default the model is optimized and compiled for this machine (the\n"
            "same code `kiln compile` emits, run through a JIT); --reference runs the\n"
            "reference interpreter instead.");
  std::vector<std::string> positionals, inputSpecs;
  std::string outputDir;
  int64_t seed = -1;
  ShapeFlags shapes;
  bool reference = false;
  args.list("--input", &inputSpecs, "NAME=FILE", "an input tensor (.npy or .pb); repeatable");
  args.option("--random-input", &seed, "SEED", "random values for inputs given no file");
  args.option("--output-dir", &outputDir, "DIR", "write each output as DIR/NAME.npy");
  args.flag("--reference", &reference, "run the reference interpreter");
  shapes.declare(args);
  args.positionals(&positionals, 1, 1);
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  const std::string &model = positionals[0];
  if (seed < -1)
    return usageError("run", "--random-input takes a non-negative seed");

  driver::ExecOptions exec;
  exec.engine = reference ? driver::Engine::Reference : driver::Engine::Compiled;
  exec.threads = driver::defaultThreads();
  if (int rc = shapes.apply("run", model, exec.compile); rc >= 0)
    return rc;
  llvm::Expected<std::unique_ptr<Graph>> imported = driver::importModel(model, exec.compile);
  if (!imported)
    return fail(model, imported.takeError());
  Graph &g = **imported;

  // One tensor per graph input: from --input, else random, else an error.
  std::vector<std::optional<Tensor>> slots(g.inputs.size());
  for (const std::string &spec : inputSpecs) {
    size_t eq = spec.find('=');
    std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
    std::string file = eq == std::string::npos ? spec : spec.substr(eq + 1);
    size_t slot = g.inputs.size();
    for (size_t i = 0; i < g.inputs.size(); ++i)
      if (g.inputs[i]->name == name)
        slot = i;
    if (eq == std::string::npos && g.inputs.size() == 1)
      slot = 0; // --input FILE names the only input
    if (slot == g.inputs.size()) {
      std::vector<std::string> names;
      for (const Value *v : g.inputs)
        names.push_back("'" + displayName(v->name) + "'");
      return fail(model, fmt::format("--input {}: the graph's inputs are {}",
                                     displayName(spec), fmt::join(names, ", ")));
    }
    llvm::Expected<Tensor> t = driver::readTensorFile(file);
    if (!t)
      return fail(file, t.takeError());
    const Value *v = g.inputs[slot];
    if (t->type != v->type)
      return fail(file, fmt::format("input '{}' expects {}, the file holds {}",
                                    displayName(v->name), v->type.str(), t->type.str()));
    slots[slot] = std::move(*t);
  }
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < slots.size(); ++i) {
    const Value *v = g.inputs[i];
    if (!slots[i] && seed < 0)
      return fail(model, fmt::format("input '{}' ({}) has no value: pass --input {}=FILE "
                                     "or --random-input SEED",
                                     displayName(v->name), v->type.str(), displayName(v->name)));
    if (!slots[i] && !hasTensorData(v->type.dtype))
      return fail(model, fmt::format("input '{}' has type {}: kiln computes in f32 and i64",
                                     displayName(v->name), v->type.str()));
    inputs.push_back(slots[i] ? std::move(*slots[i]) : driver::randomTensor(v->type, uint64_t(seed), i));
  }

  llvm::Expected<std::vector<Tensor>> outputs = driver::executeGraph(g, inputs, exec);
  if (!outputs)
    return fail(model, outputs.takeError());

  if (!outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail(outputDir, fmt::format("cannot create directory: {}", ec.message()));
  }
  std::vector<std::string> names;
  for (const Value *v : g.outputs)
    names.push_back(v->name);
  std::vector<std::string> files = outputFileNames(names);
  for (size_t i = 0; i < outputs->size(); ++i) {
    const std::string &name = names[i];
    printSummary(name, (*outputs)[i]);
    if (outputDir.empty())
      continue;
    if (files[i] != fileNameFor(name))
      fmt::print(stderr, "note: output '{}' is written as {}.npy: its file name is "
                         "taken by another output\n",
                 displayName(name), files[i]);
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, files[i] + ".npy");
    if (llvm::Error err = driver::writeNpy(std::string(path), (*outputs)[i]))
      return fail(std::string(path), std::move(err));
  }
  return 0;
}

} // namespace kiln::cli
