//===- Compile.cpp - kiln compile: ONNX model to object file and header ---===//
//
//   kiln compile MODEL -o OUT.o --header OUT.h --name NAME [--batch N]
//       [--input-shape [NAME=]D0xD1x...]... [--dim SYMBOL=N]...
//       [--target TRIPLE] [--cpu CPU] [--features +f,-f] [-O0..-O3]
//       [--emit obj|asm|llvm] [--weights embed|FILE] [-v]
//
// --weights FILE writes the weights into a second object file FILE (symbols
// NAME_weight<i>) that must be linked with OUT.o; NAME_run is unchanged.
// The work is compiler/driver's compileToFile; this file parses the flags.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/ShapeFlags.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Stages.h"
#include "compiler/ir/Diagnostics.h"

#include <fmt/format.h>

#include <cctype>

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
            "Compile an ONNX model to an object file and a C header.");
  std::string out, header, name, triple, cpu, features, emit = "obj",
                                                       weights = "embed";
  ShapeFlags shapes;
  bool o0 = false, o1 = false, o2 = false, o3 = false, verbose = false;
  std::vector<std::string> pos;
  args.option("-o", &out, "OUT.o", "output file");
  args.option("--header", &header, "OUT.h", "C header to write");
  args.option("--name", &name, "NAME", "prefix of the generated symbols (a C identifier)");
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
  codegen::EmitKind kind;
  if (emit == "obj")
    kind = codegen::EmitKind::Object;
  else if (emit == "asm")
    kind = codegen::EmitKind::Assembly;
  else if (emit == "llvm")
    kind = codegen::EmitKind::LLVM;
  else
    return usageError("compile", fmt::format("bad --emit '{}'", displayName(emit)));
  driver::CompileOptions opts;
  if (int rc = shapes.apply("compile", model, opts); rc >= 0)
    return rc;
  opts.target = {triple, cpu, features};
  opts.optLevel = o0 ? 0 : o1 ? 1 : o2 ? 2 : 3;
  opts.winograd = !noWinograd;
  opts.emit = kind;
  opts.name = name;
  if (weights != "embed")
    opts.weightsFile = weights;
  driver::Stages stages(verbose);
  opts.stages = &stages;
  if (auto e = driver::compileToFile(model, opts, out, header))
    return fail(model, std::move(e));
  return 0;
}

} // namespace kiln::cli
