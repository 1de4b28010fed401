//===- Diagnostics.h - Errors about user input -------------------*- C++ -*-===//
//
// Bad user input is an llvm::Error carrying one line of text. Errors about a
// node read "node '<name>' (<Op>): <what is wrong>"; the tool prefixes
// "error: <file>: ". Internal invariants are asserts, never Errors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_DIAGNOSTICS_H
#define KILN_IR_DIAGNOSTICS_H

#include "llvm/Support/Error.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace kiln {

class Node;

/// Makes a name safe to show on one line: control characters and
/// non-printable bytes are escaped, very long names are shortened.
std::string displayName(std::string_view name);

/// "node '<name>' (<opType>): <message>"
llvm::Error nodeError(std::string_view nodeName, std::string_view opType,
                      const std::string &message);
llvm::Error nodeError(const Node &n, const std::string &message);

/// A plain error not tied to a node ("graph has no outputs").
llvm::Error inputError(const std::string &message);

/// Formats and returns a node error: return nodeErrorf(n, "bad {}", x);
template <typename... Args>
llvm::Error nodeErrorf(const Node &n, fmt::format_string<Args...> f,
                       Args &&...args) {
  return nodeError(n, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace kiln

#endif // KILN_IR_DIAGNOSTICS_H
