//===- PipelineTest.cpp - The pass list and runPipeline -------------------===//

#include "GraphBuilder.h"

#include "compiler/passes/Passes.h"

#include <set>

using namespace kiln;
using namespace kiln::test;

TEST_CASE("the pipeline lists unique kebab-case names with descriptions") {
  const auto &p = passPipeline();
  std::vector<std::string> names;
  for (const PassInfo &info : p) {
    names.push_back(info.name);
    CHECK(std::string(info.description).size() > 10);
    for (char c : std::string(info.name))
      CHECK(((c >= 'a' && c <= 'z') || c == '-'));
  }
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  CHECK(names == std::vector<std::string>{"remove-identity", "fold-constants", "fold-batchnorm",
                                          "fuse-silu", "fuse-hardswish", "fuse-gelu",
                                          "fuse-residual", "fuse-activation",
                                          "select-conv-algorithm", "fuse-pool", "dead-code",
                                          "assign-layout", "plan-memory"});
}

TEST_CASE("runPipeline stops after the named pass and rejects unknown names") {
  GraphBuilder b("stop", 3);
  Value *x = b.input("x", {1, 3, 6, 6});
  Value *c = b.conv("c", x, 4, 3, 1, 1);
  b.output(b.node(OpKind::Relu, "y", {b.node(OpKind::Identity, "id", {c})}));
  Graph &g = b.graph();

  std::string err = errorText(runPipeline(g, {}, "fuse-everything"));
  CHECK(err.find("unknown pass 'fuse-everything'") != std::string::npos);
  CHECK(err.find("remove-identity, fold-constants, fold-batchnorm") != std::string::npos);
  CHECK(g.nodes().size() == 3); // nothing ran

  std::vector<std::string> ran;
  PassOptions opts;
  opts.verifyEach = true;
  REQUIRE(errorText(runPipeline(g, opts, "fuse-activation",
                                [&](const PassInfo &p, const Graph &) {
                                  ran.push_back(p.name);
                                })) == "");
  CHECK(ran.back() == "fuse-activation");
  CHECK(ran.size() == 8);
  CHECK(g.nodes().size() == 1);
  CHECK(g.workspaceBytes == 0);
}

TEST_CASE("runPipeline turns verifier failures into errors naming the pass") {
  GraphBuilder b("broken", 3);
  Value *x = b.input("x", {1, 4});
  Value *y = b.node(OpKind::Relu, "y", {x});
  b.output(y);
  Graph &g = b.graph();
  y->type.dims = {1, 5}; // a shape inference disagreement the verifier reports
  PassOptions opts;
  opts.verifyEach = true;
  std::string err = errorText(runPipeline(g, opts));
  CHECK(err.find("after pass 'remove-identity'") != std::string::npos);
  CHECK(err.find("node 'y' (Relu)") != std::string::npos);
  opts.verifyEach = false;
  CHECK(errorText(runPipeline(g, opts)) == "");
}
