//===- TestUtil.h - Shared checks of the frontend tests ----------*- C++ -*-===//

#ifndef KILN_TESTS_FRONTEND_TESTUTIL_H
#define KILN_TESTS_FRONTEND_TESTUTIL_H

#include "tests/frontend/ModelBuilder.h"

#include <doctest/doctest.h>

namespace kiln::test {

/// The imported graph; fails the test with the error text otherwise.
inline std::unique_ptr<Graph> expectImport(llvm::Expected<std::unique_ptr<Graph>> r) {
  if (!r) {
    std::string msg = llvm::toString(r.takeError());
    FAIL_CHECK("import failed: " << msg);
    return nullptr;
  }
  return std::move(*r);
}

/// The only node of kind `op`; null (failing the test) when there is not
/// exactly one.
inline const Node *onlyNode(const Graph &g, OpKind op) {
  const Node *found = nullptr;
  int count = 0;
  for (const auto &n : g.nodes())
    if (n->op == op) {
      found = n.get();
      ++count;
    }
  CHECK_MESSAGE(count == 1, "expected one ", opName(op), " node, found ", count);
  return count == 1 ? found : nullptr;
}

inline Dims outDims(const Graph &g, size_t i = 0) {
  REQUIRE(i < g.outputs.size());
  return g.outputs[i]->type.dims;
}

} // namespace kiln::test

#endif // KILN_TESTS_FRONTEND_TESTUTIL_H
