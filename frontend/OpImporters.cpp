//===- OpImporters.cpp - The table of supported ONNX ops ------------------===//

#include "frontend/OpImporters.h"

#include <algorithm>

namespace kiln::frontend {

namespace {
struct Entry {
  std::string_view opType;
  OpImportFn fn;
};

constexpr Entry Importers[] = {
    {"Conv", importConv},
    {"MaxPool", importMaxPool},
    {"AveragePool", importAveragePool},
    {"GlobalAveragePool", importGlobalAveragePool},
    {"GlobalMaxPool", importGlobalMaxPool},
    {"LRN", importLRN},
    {"BatchNormalization", importBatchNormalization},
    {"Gemm", importGemm},
    {"MatMul", importMatMul},
    {"Add", importAdd},
    {"Sub", importSub},
    {"Mul", importMul},
    {"Div", importDiv},
    {"Sum", importSum},
    {"Relu", importRelu},
    {"Sigmoid", importSigmoid},
    {"LeakyRelu", importLeakyRelu},
    {"Clip", importClip},
    {"Softmax", importSoftmax},
    {"Dropout", importDropout},
    {"Identity", importIdentity},
    {"Flatten", importFlatten},
    {"Reshape", importReshape},
    {"Transpose", importTranspose},
    {"Concat", importConcat},
    {"Pad", importPad},
    {"Shape", importShape},
    {"Gather", importGather},
    {"Unsqueeze", importUnsqueeze},
    {"Squeeze", importSqueeze},
    {"Cast", importCast},
    {"Constant", importConstant},
};
} // namespace

OpImportFn findOpImporter(std::string_view opType) {
  for (const Entry &e : Importers)
    if (e.opType == opType)
      return e.fn;
  return nullptr;
}

int64_t normalizeAxis(NodeContext &c, int64_t axis, int64_t bound, const char *what) {
  if (axis < -bound || axis >= bound) {
    c.failf("{} {} is out of range [{}, {}]", what, axis, -bound, bound - 1);
    return 0;
  }
  return axis < 0 ? axis + bound : axis;
}

std::vector<int64_t> normalizeAxes(NodeContext &c, std::vector<int64_t> axes,
                                   int64_t bound) {
  for (int64_t &a : axes)
    a = normalizeAxis(c, a, bound, "axis");
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    c.fail("axes contain a duplicate");
  return axes;
}

} // namespace kiln::frontend
