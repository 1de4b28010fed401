//===- main.cpp - The kiln command line ------------------------------------===//
//
//   kiln compile | dump | run | bench | conformance | passes  [options]
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Commands.h"

#include <fmt/format.h>
#include <string_view>

using namespace kiln::cli;

namespace {
struct Command {
  const char *name;
  int (*main)(int, char **);
  const char *summary;
};

constexpr Command Commands[] = {
    {"compile", compileMain, "compile an ONNX model to an object file and a C header"},
    {"dump", dumpMain, "print the IR of a model at any stage (text, JSON, Graphviz dot)"},
    {"run", runMain, "run a model on inputs (compiled code, or --reference)"},
    {"bench", benchMain, "measure the latency of compiled code"},
    {"conformance", conformanceMain, "run ONNX backend test folders"},
    {"passes", passesMain, "list the optimization pipeline"},
};

void printUsage() {
  fmt::print("usage: kiln <command> [options]\n\ncommands:\n");
  for (const Command &c : Commands)
    fmt::print("  {:<12} {}\n", c.name, c.summary);
  fmt::print("\n'kiln <command> --help' describes each one.\n");
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage();
    return 1;
  }
  std::string_view cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    printUsage();
    return 0;
  }
  for (const Command &c : Commands)
    if (cmd == c.name)
      return c.main(argc - 2, argv + 2);
  fmt::print(stderr, "error: unknown command '{}'\n", cmd);
  printUsage();
  return 1;
}
