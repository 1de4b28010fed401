//===- Diagnostics.cpp - Errors about user input --------------------------===//

#include "compiler/ir/Diagnostics.h"
#include "compiler/ir/IR.h"

namespace kiln {

std::string displayName(std::string_view name) {
  constexpr size_t MaxShown = 120;
  std::string out;
  for (size_t i = 0; i < name.size() && out.size() < MaxShown; ++i) {
    unsigned char c = name[i];
    if (c == '\\' || c == '\'')
      out += fmt::format("\\{}", char(c));
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += char(c); // UTF-8 passes through; the terminal shows it
  }
  if (out.size() >= MaxShown && name.size() > MaxShown)
    out += fmt::format("...({} bytes)", name.size());
  return out;
}

llvm::Error nodeError(std::string_view nodeName, std::string_view opType,
                      const std::string &message) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      fmt::format("node '{}' ({}): {}", displayName(nodeName),
                  displayName(opType), message));
}

llvm::Error nodeError(const Node &n, const std::string &message) {
  return nodeError(n.name, opName(n.op), message);
}

llvm::Error inputError(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace kiln
