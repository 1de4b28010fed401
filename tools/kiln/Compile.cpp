//===- Compile.cpp - kiln compile: ONNX model to object file and header ---===//
//
//   kiln compile MODEL [-o OUT.o] [--header OUT.h] [--name NAME] [--batch N]
//       [--input-shape [NAME=]D0xD1x...]... [--dim SYMBOL=N]...
//       [--target TRIPLE] [--cpu CPU] [--features +f,-f] [-O0..-O3]
//       [--emit obj|asm|llvm] [--weights embed|FILE] [-v]
//
// --weights FILE writes the weights into a second object file FILE (symbols
// NAME_weight<i>) that must be linked with OUT.o; NAME_run is unchanged.
// Without -o, --header and --name: MODEL's stem .o and .h in the current
// directory, symbols named after the file (driver::defaultOutputs).
// The work is compiler/driver's compileToFile; this file parses the flags.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/Progress.h"
#include "tools/kiln/ShapeFlags.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Stages.h"
#include "compiler/ir/Diagnostics.h"

#include <fmt/format.h>

namespace kiln::cli {

namespace {

/// "error: FILE: MESSAGE" for the file the driver names.
int fail(const std::string &model, llvm::Error e) {
  std::string file = model, message;
  llvm::handleAllErrors(
      std::move(e),
      [&](const driver::FileError &fe) {
        file = fe.file();
        message = fe.reason();
      },
      [&](const llvm::ErrorInfoBase &other) { message = other.message(); });
  fmt::print(stderr, "error: {}: {}\n", displayName(file), message);
  return 1;
}

} // namespace

int compileMain(int argc, char **argv) {
  Args args("compile", "MODEL",
            "Compile an ONNX model to an object file and a C header.\n\n"
            "By default, like cc, `kiln compile dir/resnet-50.onnx` writes resnet-50.o and\n"
            "resnet-50.h in the current directory, the symbols prefixed resnet_50 (the\n"
            "file name made a C identifier): resnet_50_run, resnet_50_workspace_size...\n"
            "The header is named after -o when only -o is given.");
  std::string out, header, name, triple, cpu, features, emit = "obj",
                                                       weights = "embed";
  ShapeFlags shapes;
  bool o0 = false, o1 = false, o2 = false, o3 = false, verbose = false;
  std::vector<std::string> pos;
  args.option("-o", &out, "OUT.o", "output file (default: MODEL's stem .o/.s/.ll, here)");
  args.option("--header", &header, "OUT.h", "C header to write (default: OUT with .h)");
  args.option("--name", &name, "NAME",
              "prefix of the generated symbols, a C identifier (default: from\n"
              "                               MODEL's file name)");
  shapes.declare(args);
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

  driver::CompileOptions opts;
  codegen::EmitKind kind = codegen::EmitKind::Object;
  driver::OutputNames files;
  args.check([&](std::vector<std::string> &errors) {
    if (!name.empty() && !driver::isCIdentifier(name))
      errors.push_back(fmt::format("--name '{}' is not a C identifier", displayName(name)));
    if (emit == "asm")
      kind = codegen::EmitKind::Assembly;
    else if (emit == "llvm")
      kind = codegen::EmitKind::LLVM;
    else if (emit != "obj")
      errors.push_back(fmt::format("bad --emit '{}' (obj, asm or llvm)", displayName(emit)));
    const std::string model = pos.empty() ? std::string() : pos[0];
    shapes.parse(model, opts, errors);
    if (model.empty())
      return;
    files = driver::defaultOutputs(model, kind, {out, header, name});
    if (files.header == files.out)
      errors.push_back(fmt::format("the header and -o are the same file '{}'",
                                   displayName(files.out)));
    if (weights != "embed" && (weights == files.out || weights == files.header))
      errors.push_back(fmt::format("--weights '{}' is also -o or --header", displayName(weights)));
  });
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  const std::string &model = pos[0];
  opts.target = {triple, cpu, features};
  opts.optLevel = o0 ? 0 : o1 ? 1 : o2 ? 2 : 3;
  opts.winograd = !noWinograd;
  opts.emit = kind;
  opts.name = files.name;
  if (weights != "embed")
    opts.weightsFile = weights;
  ProgressLine progress;
  opts.note = [&progress, note = opts.note](const std::string &line) {
    progress.clear();
    note(line);
  };
  driver::Stages stages(compileProgress(progress, verbose));
  opts.stages = &stages;
  llvm::Error e = driver::compileToFile(model, opts, files.out, files.header);
  progress.clear();
  if (e)
    return fail(model, std::move(e));
  return 0;
}

} // namespace kiln::cli
