//===- Args.h - Flag parsing for kiln's subcommands -------------*- C++ -*-===//
//
// Each subcommand declares its flags and positionals, then parses argv:
//
//   Args args("dump", "MODEL", "Print kiln's IR of a model.");
//   std::string format = "text";
//   args.option("--format", &format, "text|json|dot", "output format");
//   if (int rc = args.parse(argc, argv); rc >= 0) return rc;
//
// parse() prints --help and usage errors itself and returns the exit code
// to return (0 for --help, 1 for a usage error), or -1 to go on. Every
// usage error of the command line is printed, one line each, before it
// returns 1: unknown options, missing or bad values, missing positionals,
// and what the checks added with check() find.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_ARGS_H
#define KILN_TOOLS_ARGS_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::cli {

class Args {
public:
  Args(std::string command, std::string positionalsUsage, std::string summary);

  void flag(std::string name, bool *out, std::string help);
  void option(std::string name, std::string *out, std::string metavar,
              std::string help);
  void option(std::string name, int64_t *out, std::string metavar,
              std::string help);
  /// An option that may repeat (--input a=x --input b=y).
  void list(std::string name, std::vector<std::string> *out,
            std::string metavar, std::string help);
  /// Positional arguments, in order; `min`..`max` of them (max -1: any).
  void positionals(std::vector<std::string> *out, int min, int max);

  /// A check of the parsed values, run by parse() after every flag is read
  /// (also when some were bad): it appends one message per problem.
  void check(std::function<void(std::vector<std::string> &errors)> fn);

  int parse(int argc, char **argv);
  void printHelp() const;

private:
  struct Spec {
    std::string name, metavar, help;
    std::function<bool(const std::string &)> set; // null for flags
    bool *flag = nullptr;
  };
  const Spec *find(const std::string &name) const;

  std::string command_, positionalsUsage_, summary_;
  std::vector<Spec> specs_;
  std::vector<std::function<void(std::vector<std::string> &)>> checks_;
  std::vector<std::string> *positionals_ = nullptr;
  int minPositionals_ = 0, maxPositionals_ = 0;
};

/// "error: <message>" on stderr; returns 1.
int usageError(const std::string &command, const std::string &message);

} // namespace kiln::cli

#endif // KILN_TOOLS_ARGS_H
