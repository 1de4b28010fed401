//===- OpImporters.h - One import function per ONNX op -----------*- C++ -*-===//
//
// Each import function reads its ONNX node through a NodeContext, with
// attribute defaults written where the spec states them, and emits the
// canonical form of docs/IR.md. SpatialOps.cpp holds Conv and the windowed
// pools, NNOps.cpp the other compute ops, TensorOps.cpp the data movement and
// shape ops; each ends with the table of the ops it imports. Activations
// without attributes beyond Activations.def's need no import function.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_OPIMPORTERS_H
#define KILN_FRONTEND_OPIMPORTERS_H

#include "frontend/ImportContext.h"

#include <span>
#include <string_view>

namespace kiln::frontend {

using OpImportFn = void (*)(NodeContext &);

/// The import function of an op of the default ONNX domain, or null when
/// kiln does not support the op.
OpImportFn findOpImporter(std::string_view opType);

/// `axis` in [-bound, bound) made non-negative; records an error otherwise.
int64_t normalizeAxis(NodeContext &c, int64_t axis, int64_t bound, const char *what);

/// Axes normalized against `bound`, sorted; duplicates are an error.
std::vector<int64_t> normalizeAxes(NodeContext &c, std::vector<int64_t> axes,
                                   int64_t bound);

/// An ONNX op type and its import function. Each import file lists the ops
/// it imports at its end, beside their functions, so adding an op touches
/// that file alone.
struct OpImporter {
  std::string_view opType;
  OpImportFn fn;
};
std::span<const OpImporter> spatialOpImporters(); // SpatialOps.cpp
std::span<const OpImporter> nnOpImporters();      // NNOps.cpp
std::span<const OpImporter> tensorOpImporters();  // TensorOps.cpp
std::span<const OpImporter> movementOpImporters(); // MovementOps.cpp
std::span<const OpImporter> quantOpImporters();   // QuantOps.cpp

/// Conv(x, w, b?) with the node's Conv attributes (auto_pad, dilations, group,
/// kernel_shape, pads, strides; QLinearConv and ConvInteger share them),
/// 1-D lifted to 2-D. The result is ONNX output 0 when `isOutput`, else a
/// helper value. Null after an error.
Value *emitConv(NodeContext &c, Value *x, Value *w, Value *b, bool isOutput);

/// Every activation of compiler/ir/Activations.def that has no importer of
/// its own: X and the table's attributes, with the table's defaults.
void importActivation(NodeContext &c, OpKind op);

} // namespace kiln::frontend

#endif // KILN_FRONTEND_OPIMPORTERS_H
