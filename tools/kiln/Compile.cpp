//===- Compile.cpp - kiln compile: ONNX model to object file and header ---===//
//
//   kiln compile MODEL -o OUT.o --header OUT.h --name NAME [--batch N]
//       [--target TRIPLE] [--cpu CPU] [--features +f,-f] [-O0..-O3]
//       [--emit obj|asm|llvm] [--weights embed|FILE] [-v]
//
// --weights FILE writes the weights into a second object file FILE (symbols
// NAME_weight<i>) that must be linked with OUT.o; NAME_run is unchanged.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"

#include "compiler/codegen/HeaderWriter.h"
#include "compiler/codegen/ModuleEmitter.h"
#include "compiler/codegen/ObjectWriter.h"
#include "compiler/codegen/Target.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/passes/Pipeline.h"
#include "frontend/OnnxImporter.h"

#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <unistd.h>

namespace kiln::cli {

namespace {

bool isCIdentifier(const std::string &s) {
  if (s.empty() || s.size() > 200 || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

/// Progress on a terminal; with -v, the wall and CPU time of every stage and
/// sub-stage and the stage's peak resident memory (the CPU time is what to
/// compare on a loaded machine).
class Stages {
public:
  explicit Stages(bool verbose) : verbose_(verbose), tty_(isatty(2)) {}
  void begin(const char *stage) {
    stage_ = stage;
    start_ = std::chrono::steady_clock::now();
    cpuStart_ = cpuMs();
    if (tty_)
      fmt::print(stderr, "\r\033[K{}...", stage);
  }
  void step(const char *what, size_t i, size_t n) {
    if (!sub_ || std::strcmp(sub_, what) != 0) {
      endSub();
      sub_ = what;
      subStart_ = std::chrono::steady_clock::now();
      subCpuStart_ = cpuMs();
    }
    if (tty_ && n > 1 && (i % 16 == 0 || i + 1 == n))
      fmt::print(stderr, "\r\033[K{}: {} {} of {}", stage_, what, i + 1, n);
  }
  void end() {
    endSub();
    if (tty_)
      fmt::print(stderr, "\r\033[K");
    if (verbose_)
      fmt::print(stderr, "{:<24} {:9.1f} ms  cpu {:9.1f} ms  peak RSS {:6.0f} MB\n",
                 stage_, msSince(start_), cpuMs() - cpuStart_, peakRssMB());
    resetPeakRss();
  }

private:
  static double msSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - t)
        .count();
  }
  /// CPU time of the process (all threads), user + system.
  static double cpuMs() {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
      return 0;
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  }
  /// VmHWM from /proc/self/status (Linux); 0 elsewhere.
  static double peakRssMB() {
    std::FILE *f = std::fopen("/proc/self/status", "r");
    if (!f)
      return 0;
    char line[256];
    double kb = 0;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %lf kB", &kb) == 1)
        break;
    std::fclose(f);
    return kb / 1024;
  }
  /// Restarts VmHWM so every stage reports its own peak (Linux >= 4.0).
  static void resetPeakRss() {
    if (std::FILE *f = std::fopen("/proc/self/clear_refs", "w")) {
      std::fputs("5", f);
      std::fclose(f);
    }
  }
  void endSub() {
    if (sub_ && verbose_ && tty_)
      fmt::print(stderr, "\r\033[K");
    if (sub_ && verbose_)
      fmt::print(stderr, "  {:<22} {:9.1f} ms  cpu {:9.1f} ms\n", sub_,
                 msSince(subStart_), cpuMs() - subCpuStart_);
    sub_ = nullptr;
  }

  bool verbose_, tty_;
  const char *stage_ = "";
  const char *sub_ = nullptr;
  std::chrono::steady_clock::time_point start_, subStart_;
  double cpuStart_ = 0, subCpuStart_ = 0;
};

int fail(const std::string &file, llvm::Error e) {
  fmt::print(stderr, "error: {}: {}\n", displayName(file), llvm::toString(std::move(e)));
  return 1;
}

} // namespace

int compileMain(int argc, char **argv) {
  Args args("compile", "MODEL",
            "Compile an ONNX model to an object file and a C header.");
  std::string out, header, name, triple, cpu, features, emit = "obj",
                                                       weights = "embed";
  int64_t batch = 1;
  bool o0 = false, o1 = false, o2 = false, o3 = false, verbose = false;
  std::vector<std::string> pos;
  args.option("-o", &out, "OUT.o", "output file");
  args.option("--header", &header, "OUT.h", "C header to write");
  args.option("--name", &name, "NAME", "prefix of the generated symbols (a C identifier)");
  args.option("--batch", &batch, "N", "batch size for a symbolic batch dimension");
  args.option("--target", &triple, "TRIPLE", "target triple (default: this host)");
  args.option("--cpu", &cpu, "CPU", "target CPU (default: this host's)");
  args.option("--features", &features, "+f,-f", "target features to add or remove");
  args.flag("-O0", &o0, "no optimization");
  args.flag("-O1", &o1, "light optimization");
  args.flag("-O2", &o2, "optimization");
  args.flag("-O3", &o3, "full optimization (default)");
  args.option("--emit", &emit, "obj|asm|llvm", "output kind");
  args.option("--weights", &weights, "embed|FILE",
              "embed weights, or write them to a second object FILE to link");
  args.flag("-v", &verbose, "print the time of each stage");
  bool noWinograd = false;
  args.flag("--no-winograd", &noWinograd, "direct convolution only (no Winograd F(4x4,3x3))");
  args.positionals(&pos, 1, 1);
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  const std::string &model = pos[0];
  if (out.empty())
    return usageError("compile", "missing -o OUT");
  if (name.empty())
    return usageError("compile", "missing --name NAME");
  if (!isCIdentifier(name))
    return usageError("compile", fmt::format("--name '{}' is not a C identifier",
                                             displayName(name)));
  if (batch < 1)
    return usageError("compile", "--batch must be at least 1");
  codegen::EmitKind kind;
  if (emit == "obj")
    kind = codegen::EmitKind::Object;
  else if (emit == "asm")
    kind = codegen::EmitKind::Assembly;
  else if (emit == "llvm")
    kind = codegen::EmitKind::LLVM;
  else
    return usageError("compile", fmt::format("bad --emit '{}'", displayName(emit)));
  int opt = o0 ? 0 : o1 ? 1 : o2 ? 2 : 3;
  bool externalWeights = weights != "embed";

  Stages st(verbose);
  codegen::TargetOptions to{triple, cpu, features};
  auto target = codegen::resolveTarget(to);
  if (!target)
    return fail(model, target.takeError());
  if (verbose)
    fmt::print(stderr, "target: {}\n", target->describe());

  st.begin("import");
  ImportOptions io;
  io.batch = batch;
  auto graph = importOnnxFile(model, io);
  if (!graph)
    return fail(model, graph.takeError());
  st.end();

  st.begin("optimize graph");
  PassOptions po;
  po.vectorLanes = target->vectorLanes;
  po.winograd = !noWinograd;
  if (auto e = runPipeline(**graph, po))
    return fail(model, std::move(e));
  st.end();

  st.begin("lower");
  codegen::LoweringOptions lo;
  lo.vectorLanes = target->vectorLanes;
  auto plan = codegen::lowerGraph(**graph, lo);
  if (!plan)
    return fail(model, plan.takeError());
  graph->reset(); // the plan shares the weights it needs
  st.end();

  auto cgLevel = opt == 0 ? llvm::CodeGenOpt::None
                 : opt == 1 ? llvm::CodeGenOpt::Less
                 : opt == 2 ? llvm::CodeGenOpt::Default
                            : llvm::CodeGenOpt::Aggressive;
  auto tm = target->createTargetMachine(cgLevel);
  if (!tm)
    return fail(model, tm.takeError());

  st.begin("generate LLVM IR");
  llvm::LLVMContext ctx;
  codegen::EmitOptions eo;
  eo.name = name;
  eo.optLevel = opt;
  eo.externalWeights = externalWeights;
  // ELF objects get the weights written straight into the file, never
  // copied into LLVM; assembly and IR carry them as constants.
  if (kind == codegen::EmitKind::Object &&
      llvm::Triple(target->triple).isOSBinFormatELF())
    eo.weightStorage = codegen::WeightStorage::Placeholders;
  eo.progress = [&](const char *what, size_t i, size_t n) { st.step(what, i, n); };
  auto emitted = codegen::emitModel(std::move(*plan), *target, **tm, ctx, eo);
  if (!emitted)
    return fail(model, emitted.takeError());
  st.end();
  if (verbose)
    fmt::print(stderr, "{} layers, {} distinct task functions, workspace {} bytes\n",
               emitted->layers, emitted->tasks, emitted->workspaceBytes);

  st.begin("machine code");
  if (auto e = codegen::writeModule(*emitted->code, **tm, out, kind))
    return fail(out, std::move(e));
  if (emitted->weights)
    if (auto e = codegen::writeModule(*emitted->weights, **tm, weights, kind))
      return fail(weights, std::move(e));
  st.end();
  if (!emitted->weightData.empty()) {
    st.begin("write weights");
    const std::string &file = externalWeights ? weights : out;
    if (auto e = codegen::patchWeights(file, emitted->weightSymbols,
                                       emitted->weightData))
      return fail(file, std::move(e));
    st.end();
  }

  if (!header.empty()) {
    codegen::HeaderInfo h;
    h.name = name;
    h.inputs = emitted->inputs;
    h.outputs = emitted->outputs;
    h.workspaceBytes = emitted->workspaceBytes;
    h.target = target->describe();
    if (externalWeights)
      h.weightsFile = weights;
    std::FILE *f = std::fopen(header.c_str(), "wb");
    if (!f)
      return fail(header, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                  "cannot write the header"));
    std::string text = codegen::headerText(h);
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok &= std::fclose(f) == 0;
    if (!ok)
      return fail(header, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                  "cannot write the header"));
  }
  return 0;
}

} // namespace kiln::cli
