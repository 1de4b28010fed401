//===- OpImporters.cpp - Finding the import function of an ONNX op -------===//

#include "frontend/OpImporters.h"

#include <algorithm>

namespace kiln::frontend {

namespace {
template <OpKind Op> void importActivationOp(NodeContext &c) {
  importActivation(c, Op);
}

/// The activations, from their table; an importer of the op's own takes
/// precedence (Clip).
constexpr OpImporter ActivationImporters[] = {
#define ACTIVATION(Name, ...) {#Name, importActivationOp<OpKind::Name>},
#define INTERNAL_ACTIVATION(Name, ...) // not ONNX ops
#include "compiler/ir/Activations.def"
};
} // namespace

OpImportFn findOpImporter(std::string_view opType) {
  for (auto table : {spatialOpImporters(), nnOpImporters(), tensorOpImporters(), movementOpImporters(),
                     quantOpImporters(),
                     std::span<const OpImporter>(ActivationImporters)})
    for (const OpImporter &e : table)
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
