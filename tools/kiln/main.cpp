//===- main.cpp - The kiln command line ------------------------------------===//
//
//   kiln compile | dump | run | bench | conformance | passes | version  [options]
//   kiln --version
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Commands.h"

#include "compiler/ir/Diagnostics.h"

#include <fmt/format.h>

#include <new>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>

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
    {"version", versionMain, "kiln's version and revision, LLVM's, the host target"},
};

void printUsage() {
  fmt::print("usage: kiln <command> [options]\n\ncommands:\n");
  for (const Command &c : Commands)
    fmt::print("  {:<12} {}\n", c.name, c.summary);
  fmt::print("\n'kiln <command> --help' describes each one.\n");
}
/// The model a command was given: its first argument that names a regular
/// file (for the one error line when nothing more precise is known).
std::string_view modelArgument(int argc, char **argv) {
  for (int i = 2; i < argc; ++i) {
    struct stat st;
    if (argv[i][0] != '-' && stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
      return argv[i];
  }
  return argc > 1 ? argv[1] : "kiln";
}

/// The last line of defence: every limit is checked before it allocates
/// (kiln::limits), so reaching this is a missing check, but it still ends as
/// one error line and exit 1, never an abort.
int runCommand(const Command &c, int argc, char **argv) {
  try {
    return c.main(argc - 2, argv + 2);
  } catch (const std::bad_alloc &) {
    fmt::print(stderr, "error: {}: out of memory: the model needs more than this "
                       "machine can allocate\n",
               kiln::displayName(modelArgument(argc, argv)));
  } catch (const std::length_error &e) {
    fmt::print(stderr, "error: {}: a size is out of range ({})\n",
               kiln::displayName(modelArgument(argc, argv)), e.what());
  }
  return 1;
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
  if (cmd == "--version")
    return versionMain(argc - 2, argv + 2);
  for (const Command &c : Commands)
    if (cmd == c.name)
      return runCommand(c, argc, argv);
  fmt::print(stderr, "error: unknown command '{}'\n", cmd);
  printUsage();
  return 1;
}
