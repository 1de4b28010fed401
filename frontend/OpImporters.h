//===- OpImporters.h - One import function per ONNX op -----------*- C++ -*-===//
//
// Each function reads its ONNX node through a NodeContext, with attribute
// defaults written where the spec states them, and emits the canonical form
// of docs/IR.md. SpatialOps.cpp holds Conv and the windowed pools, NNOps.cpp
// the other compute ops, TensorOps.cpp the data movement and shape ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_OPIMPORTERS_H
#define KILN_FRONTEND_OPIMPORTERS_H

#include "frontend/ImportContext.h"

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

// SpatialOps.cpp
void importConv(NodeContext &c);
void importMaxPool(NodeContext &c);
void importAveragePool(NodeContext &c);

// NNOps.cpp
void importGlobalAveragePool(NodeContext &c);
void importGlobalMaxPool(NodeContext &c);
void importLRN(NodeContext &c);
void importBatchNormalization(NodeContext &c);
void importGemm(NodeContext &c);
void importMatMul(NodeContext &c);
void importAdd(NodeContext &c);
void importSub(NodeContext &c);
void importMul(NodeContext &c);
void importDiv(NodeContext &c);
void importSum(NodeContext &c);
void importRelu(NodeContext &c);
void importSigmoid(NodeContext &c);
void importLeakyRelu(NodeContext &c);
void importClip(NodeContext &c);
void importSoftmax(NodeContext &c);
void importDropout(NodeContext &c);

// TensorOps.cpp
void importIdentity(NodeContext &c);
void importFlatten(NodeContext &c);
void importReshape(NodeContext &c);
void importTranspose(NodeContext &c);
void importConcat(NodeContext &c);
void importPad(NodeContext &c);
void importShape(NodeContext &c);
void importGather(NodeContext &c);
void importUnsqueeze(NodeContext &c);
void importSqueeze(NodeContext &c);
void importCast(NodeContext &c);
void importConstant(NodeContext &c);

} // namespace kiln::frontend

#endif // KILN_FRONTEND_OPIMPORTERS_H
