//===- Hostile.cpp - A valid model whose names are hostile ----------------===//
//
// x -> Conv -> Relu -> Flatten -> Gemm -> y, a small but real net, every
// name chosen to break a printer or code generator that pastes names into
// JSON, Graphviz dot or C: quotes, backslashes, newlines, comment closers,
// non-ASCII UTF-8, C keywords and a 5000-character name.
//
//===----------------------------------------------------------------------===//

#include "tests/bad_models/OnnxBuild.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace kiln::badmodels {

int writeHostile(const fs::path &file) {
  const std::string quote = "in\"put'", back = "back\\slash\\", nl = "new\nline\r\t";
  const std::string comment = "*/ /* evil */ //", utf8 = "\xc3\xbcml\xc3\xa4ut_\xe5\xbc\xa0\xe9\x87\x8f_\xf0\x9f\x94\xa5";
  std::string longName;
  for (int i = 0; longName.size() < 5000; ++i)
    longName += "long_" + std::to_string(i) + "_";
  longName.resize(5000);

  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  g.set_name("graph \"}\n</script>");
  input(g, quote, {1, 3, 8, 8});
  initF(g, comment, {4, 3, 3, 3});         // conv weight
  initF(g, "int", {4});                    // conv bias
  initF(g, longName, {10, 4 * 6 * 6});     // fc weight
  initF(g, "return", {10});                // fc bias
  NodeProto *conv = node(g, "Conv", back, {quote, comment, "int"}, {utf8});
  attrInts(conv, "kernel_shape", {3, 3});
  node(g, "Relu", nl, {utf8}, {"void"});
  node(g, "Flatten", "#include <stdio.h>", {"void"}, {"{}[],:\"\\u0000"});
  NodeProto *fc = node(g, "Gemm", "struct", {"{}[],:\"\\u0000", longName, "return"},
                       {"out\"\n\\put */"});
  attrInt(fc, "transB", 1);
  output(g, "out\"\n\\put */");

  std::string bytes;
  m.SerializeToString(&bytes);
  fs::create_directories(file.parent_path().empty() ? "." : file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
  return 0;
}

} // namespace kiln::badmodels
