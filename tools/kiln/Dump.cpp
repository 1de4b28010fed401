//===- Dump.cpp - kiln dump: the IR of a model at any stage ---------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/ShapeFlags.h"

#include "compiler/driver/Driver.h"
#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/Printer.h"

#include <cstdio>
#include <fmt/format.h>

namespace kiln::cli {

namespace {
std::string render(const Graph &g, const std::string &format) {
  if (format == "json")
    return printJson(g);
  if (format == "dot")
    return printDot(g);
  return printText(g);
}
} // namespace

int dumpMain(int argc, char **argv) {
  Args args("dump", "MODEL",
            "Print kiln's IR of an ONNX model: as imported, or after the optimization\n"
            "pipeline (all of it, or up to one pass).");
  std::string format = "text", stage = "imported", after, output;
  int64_t lanes = 0;
  ShapeFlags shapes;
  bool printAfterAll = false;
  std::vector<std::string> pos;
  args.option("--format", &format, "text|json|dot", "output format (default text)");
  args.option("--stage", &stage, "imported|optimized", "which IR to print (default imported)");
  args.option("--after", &after, "PASS", "print the IR after this pass ('kiln passes' lists them)");
  args.flag("--print-after-all", &printAfterAll, "print the IR after every pass");
  shapes.declare(args);
  args.option("--vector-lanes", &lanes, "N",
              "fp32 lanes of the target's vectors for layout decisions (default: this host)");
  args.option("-o", &output, "FILE", "write to FILE instead of stdout");
  args.positionals(&pos, 1, 1);
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  if (format != "text" && format != "json" && format != "dot")
    return usageError("dump", fmt::format("unknown format '{}' (text, json or dot)", format));
  if (stage != "imported" && stage != "optimized")
    return usageError("dump", fmt::format("unknown stage '{}' (imported or optimized)", stage));
  const std::string &path = pos[0];

  driver::CompileOptions opts;
  if (int rc = shapes.apply("dump", path, opts); rc >= 0)
    return rc;
  opts.vectorLanes = int(lanes);
  opts.verifyEach = true;
  std::vector<InputBinding> bindings;
  auto graph = driver::importModel(path, opts, &bindings);
  if (!graph) {
    fmt::print(stderr, "error: {}: {}\n", path, llvm::toString(graph.takeError()));
    return 1;
  }

  std::FILE *out = stdout;
  if (!output.empty() && !(out = std::fopen(output.c_str(), "w"))) {
    fmt::print(stderr, "error: {}: cannot write\n", output);
    return 1;
  }
  bool optimize = stage == "optimized" || !after.empty() || printAfterAll;
  if (optimize) {
    // --vector-lanes needs no target; without it, the host's.
    codegen::Target target;
    if (lanes <= 0) {
      auto host = driver::resolveTarget(opts);
      if (!host) {
        fmt::print(stderr, "error: {}: {}\n", path, llvm::toString(host.takeError()));
        return 1;
      }
      target = *host;
    }
    auto afterEach = [&](const PassInfo &p, const Graph &g) {
      if (printAfterAll)
        fmt::print(out, "// after {}\n{}\n", p.name, render(g, format));
    };
    if (auto err = driver::optimize(**graph, opts, target, after, afterEach)) {
      fmt::print(stderr, "error: {}: {}\n", path, llvm::toString(std::move(err)));
      return 1;
    }
  }
  // The text form starts with what the flags (or the default batch) bound.
  if (format == "text")
    for (const InputBinding &b : bindings)
      if (!b.dims.empty())
        fmt::print(out, "// input '{}' bound: {}\n", displayName(b.input),
                   driver::describeBinding(b));
  if (!printAfterAll)
    fmt::print(out, "{}", render(**graph, format));
  if (out != stdout)
    std::fclose(out);
  return 0;
}

} // namespace kiln::cli
