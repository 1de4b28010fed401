//===- JitTest.h - Compile a graph with the JIT, compare with reference -*- C++ -*-===//

#ifndef KILN_TESTS_CODEGEN_JITTEST_H
#define KILN_TESTS_CODEGEN_JITTEST_H

#include "compiler/codegen/Jit.h"
#include "tests/passes/GraphBuilder.h"

#include <kiln/runtime.h>

namespace kiln::test {

/// Generated code differs from the reference only in float32 rounding
/// (summation order, FMA contraction, the polynomial exp/log): bounded by
/// 2^-16 of the output's magnitude, as for folded rewrites.
inline constexpr float CodegenRounding = FoldedRounding;

/// Compiles `g` for the host, runs it inline and on a 2-thread pool, and
/// compares both with the reference interpreter on `inputs`.
inline void checkAgainstReference(const Graph &g, const std::vector<Tensor> &inputs,
                                  const codegen::JitOptions &opts = {}) {
  std::vector<Tensor> expected = runOrFail(g, inputs);
  auto cm = codegen::CompiledModel::compile(g, opts);
  if (!cm) {
    FAIL("compile: " << llvm::toString(cm.takeError()));
    return;
  }
  std::vector<const void *> in;
  for (const Tensor &t : inputs)
    in.push_back(t.f32.data());
  kiln_pool *pool = kiln_pool_create(2);
  for (kiln_pool *p : {static_cast<kiln_pool *>(nullptr), pool}) {
    std::vector<std::vector<float>> outs;
    std::vector<void *> out;
    for (const Tensor &t : expected)
      outs.emplace_back(size_t(t.numElements()), -12345.0f);
    for (auto &o : outs)
      out.push_back(o.data());
    REQUIRE((*cm)->run(in.data(), out.data(), p) == KILN_OK);
    for (size_t i = 0; i < expected.size(); ++i) {
      float scale = 1.0f;
      for (float v : expected[i].f32)
        scale = std::max(scale, std::fabs(v));
      for (size_t j = 0; j < outs[i].size(); ++j) {
        float a = expected[i].f32[j], b = outs[i][j];
        if (!(std::fabs(a - b) <= CodegenRounding * scale)) {
          FAIL_CHECK("output " << i << " element " << j << ": reference " << a
                               << ", compiled " << b << (p ? " (pool)" : ""));
          break;
        }
      }
    }
  }
  kiln_pool_destroy(pool);
}

/// checkAgainstReference on pseudo-random inputs.
inline void checkGraph(GraphBuilder &b, const codegen::JitOptions &opts = {}) {
  REQUIRE(errorText(verifyGraph(b.graph())) == "");
  checkAgainstReference(b.graph(), b.randomInputs(), opts);
}

/// Adds a fusion to the node producing `v` and re-infers its type.
inline void fuse(Value *v, OpKind op, Attrs a = {}) {
  Node *n = v->producer;
  n->fused.push_back({op, std::move(a)});
  llvm::Error e = inferShapes(*n);
  REQUIRE(errorText(std::move(e)) == "");
}

} // namespace kiln::test

#endif // KILN_TESTS_CODEGEN_JITTEST_H
