//===- Commands.h - kiln's subcommands --------------------------*- C++ -*-===//
//
// One file per subcommand; each entry point receives the arguments after the
// subcommand name and returns the process exit code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_COMMANDS_H
#define KILN_TOOLS_COMMANDS_H

namespace kiln::cli {

int dumpMain(int argc, char **argv);        // Dump.cpp
int runMain(int argc, char **argv);         // Run.cpp
int conformanceMain(int argc, char **argv); // Conformance.cpp
int compileMain(int argc, char **argv);     // Compile.cpp
int benchMain(int argc, char **argv);       // Bench.cpp
int passesMain(int argc, char **argv);      // Passes.cpp
int versionMain(int argc, char **argv);     // Version.cpp

} // namespace kiln::cli

#endif // KILN_TOOLS_COMMANDS_H
