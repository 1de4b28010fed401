//===- Printer.h - Text, JSON and Graphviz views of a graph ------*- C++ -*-===//
//
// All three print nodes in the graph's topological order with stable names,
// so the output is deterministic and golden tests can compare it.
//
//   %conv1 = Conv(%data, @conv1.w, @conv1.b) {kernel=11x11 stride=4x4 ...
//            fused=[relu]} : f32[1,96,55,55]
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_PRINTER_H
#define KILN_IR_PRINTER_H

#include "compiler/ir/IR.h"

#include <string>

namespace kiln {

std::string printText(const Graph &g);
/// {"name":..., "inputs":[...], "outputs":[...], "nodes":[{"name","op",
///  "inputs","outputs","attrs","shape","fused":[]}], "workspace_bytes":N}
std::string printJson(const Graph &g);
std::string printDot(const Graph &g);

} // namespace kiln

#endif // KILN_IR_PRINTER_H
