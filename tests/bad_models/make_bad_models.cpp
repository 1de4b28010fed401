//===- make_bad_models.cpp - Writes the bad-model corpus --------------------===//
//
// Writes malformed ONNX models, each a case that kiln must reject with one
// named error line, never a crash, a hang or an unbounded allocation:
//
//   kiln-make-bad-models --bad DIR       DIR/<case>.onnx, DIR/expectations.tsv
//   kiln-make-bad-models --hostile FILE  a valid conv+relu+gemm net whose names
//                                        are quotes, newlines, C keywords ...
//
// expectations.tsv is the one table of what each error must say: one line per
// case, "<case>\t<flags>\t<needle>\t<needle>...". Every needle must occur in
// the "error: " line (case-insensitive); a needle "a|b" accepts either
// alternative. Flags: "-" or "oneline" (stderr must be exactly one line).
//
// Deliberately built on the ONNX protobuf API alone, not on kiln's libraries:
// the corpus must not share the importer's assumptions.
//
//===----------------------------------------------------------------------===//

#include "tests/bad_models/Corpus.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace kiln::badmodels {
int writeHostile(const fs::path &file);

namespace {
bool parses(const std::string &bytes) {
  ModelProto m;
  return m.ParseFromString(bytes);
}
} // namespace

void fileCases(Corpus &c) {
  std::string valid;
  validNet().SerializeToString(&valid);

  // Cut inside a length-delimited field so that the parser must notice.
  size_t cut = valid.size() / 2;
  while (cut > 1 && parses(valid.substr(0, cut)))
    --cut;
  c.addBytes("truncated_protobuf", valid.substr(0, cut), {"parse"});
  c.addBytes("empty_file", "", {"not an onnx model|empty|no graph"});

  std::mt19937_64 rng(0x6b696c6e);
  std::string noise;
  do {
    noise.clear();
    for (int i = 0; i < 4096; ++i)
      noise += char(rng() & 0xff);
  } while (parses(noise));
  c.addBytes("random_bytes", noise, {"parse"});

  std::string text = "This is not an ONNX model.\nir_version: 8\ngraph { node { op_type: \"Relu\" } }\n";
  if (parses(text))
    text = "\x0f" + text; // a wire type that does not exist
  c.addBytes("text_file", text, {"parse"});

  // A graph that is valid except for a protobuf-level lie: a field length
  // pointing far past the end of the file.
  std::string lie = valid;
  lie.append("\x3a\xff\xff\xff\x0f", 5); // field 7 (graph), length ~4 GiB
  c.addBytes("length_past_eof", lie, {"parse"});
}

void graphCases(Corpus &c) {
  {
    ModelProto m = validNet();
    auto &g = *m.mutable_graph();
    g.mutable_node(1)->set_op_type("FrobnicateTensor");
    g.mutable_node(1)->set_name("mystery");
    c.add("unknown_op", m, {"unsupported op", "mystery", "FrobnicateTensor"});
  }
  {
    ModelProto m = validNet();
    auto &g = *m.mutable_graph();
    g.mutable_node(1)->set_op_type("Foo");
    g.mutable_node(1)->set_name("alpha");
    g.mutable_node(2)->set_op_type("Bar");
    g.mutable_node(2)->set_name("beta");
    c.add("two_unknown_ops", m, {"unsupported op", "alpha", "beta", "Foo", "Bar"});
  }
  {
    ModelProto m = validNet();
    auto &g = *m.mutable_graph();
    g.mutable_node(1)->set_domain("com.example");
    g.mutable_node(1)->set_name("foreign");
    c.add("unknown_domain", m, {"foreign", "domain|unsupported op"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    node(g, "Relu", "first", {"x"}, {"dup_value"});
    node(g, "Sigmoid", "second", {"x"}, {"dup_value"});
    output(g, "dup_value");
    c.add("duplicate_output", m, {"dup_value", "more than once|twice|duplicate|already"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    node(g, "Add", "loop_a", {"x", "loop_b_out"}, {"loop_a_out"});
    node(g, "Relu", "loop_b", {"loop_a_out"}, {"loop_b_out"});
    output(g, "loop_b_out");
    c.add("cycle", m, {"cycle"});
  }
  {
    // paddle2onnx's [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, ...]:
    // the error names the flag that binds it.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 3, 8, 8});
    auto *shape = g.mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->mutable_dim(0)->set_dim_param("p2o.DynamicDimension.0");
    shape->mutable_dim(2)->set_dim_param("p2o.DynamicDimension.1");
    node(g, "Relu", "r", {"x"}, {"y"});
    output(g, "y");
    c.add("symbolic_height", m,
          {"graph input 'x': dimension 2 ('p2o.DynamicDimension.1') is symbolic",
           "--dim p2o.DynamicDimension.1=N or --input-shape x=1x3xNx8"},
          /*oneLine=*/true);
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    node(g, "Add", "uses_ghost", {"x", "ghost"}, {"y"});
    output(g, "y");
    c.add("undefined_input", m, {"ghost", "undefined|not defined|unknown|no producer|never"});
  }
  {
    ModelProto m = validNet();
    m.clear_opset_import();
    c.add("missing_opset_import", m, {"opset"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    input(g, "z", {1, 4});
    node(g, "Relu", "two_in", {"x", "z"}, {"y"});
    output(g, "y");
    c.add("relu_two_inputs", m, {"two_in", "Relu", "2 inputs", "takes 1"});
  }
  {
    ModelProto m = validNet();
    auto *n = m.mutable_graph()->mutable_node(0);
    *n->add_attribute() = n->attribute(0);
    c.add("attribute_twice", m, {n->name(), n->attribute(0).name(), "twice"});
  }
  {
    ModelProto m = validNet();
    auto *n = m.mutable_graph()->mutable_node(0);
    auto *a = n->add_attribute();
    a->set_name("mystery");
    a->set_type(onnx::AttributeProto::UNDEFINED);
    c.add("attribute_undefined_type", m, {n->name(), "mystery", "UNDEFINED"});
  }
  {
    ModelProto m = validNet();
    m.set_ir_version(999);
    c.add("ir_version_999", m, {"ir_version 999"});
  }
  {
    ModelProto m = validNet();
    m.mutable_opset_import(0)->set_version(-5);
    c.add("opset_negative", m, {"opset -5"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    auto *cond = g.add_input();
    cond->set_name("cond");
    cond->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
    cond->mutable_type()->mutable_tensor_type()->mutable_shape();
    input(g, "x", {1, 4});
    node(g, "If", "branch", {"cond"}, {"y"});
    output(g, "y");
    c.add("control_flow_if", m, {"branch", "If", "control flow"});
  }
  {
    ModelProto m = validNet();
    m.mutable_opset_import(0)->set_version(99);
    c.add("future_opset", m, {"opset", "99"});
  }
  {
    ModelProto m = newModel();
    input(*m.mutable_graph(), "x", {1, 4});
    node(*m.mutable_graph(), "Relu", "relu", {"x"}, {"y"});
    c.add("no_outputs", m, {"output"});
  }
  {
    ModelProto m = validNet();
    output(*m.mutable_graph(), "nowhere");
    c.add("output_never_computed", m, {"nowhere"});
  }
  {
    ModelProto m = validNet();
    m.mutable_graph()->mutable_node(1)->set_op_type("");
    m.mutable_graph()->mutable_node(1)->set_name("no_op_type");
    c.add("empty_op_type", m, {"no_op_type"});
  }
  {
    ModelProto m = validNet();
    std::string longName(5000, 'n');
    for (size_t i = 0; i < longName.size(); i += 97)
      longName[i] = '\n'; // newlines must not split the error line either
    m.mutable_graph()->mutable_node(1)->set_op_type("VeryUnknownOp");
    m.mutable_graph()->mutable_node(1)->set_name(longName);
    c.add("long_name_unknown_op", m, {"unsupported op", "VeryUnknownOp"}, true);
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    NodeProto *n = node(g, "Relu", "relu_no_output", {"x"}, {});
    (void)n;
    node(g, "Sigmoid", "sig", {"x"}, {"y"});
    output(g, "y");
    c.add("node_without_outputs", m, {"relu_no_output", "output"});
  }
  {
    ModelProto m = validNet();
    m.mutable_graph()->mutable_node(0)->clear_input();
    m.mutable_graph()->mutable_node(0)->add_input("x");
    c.add("conv_missing_weight", m, {"conv", "input"});
  }
}

void tensorCases(Corpus &c) {
  {
    ModelProto m = validNet();
    setType(m.mutable_graph()->mutable_input(0), 0, {1, 3, 8, 8});
    c.add("input_elem_type_0", m, {"'x'", "type"});
  }
  {
    ModelProto m = validNet();
    m.mutable_graph()->mutable_initializer(0)->set_data_type(999);
    c.add("initializer_elem_type_999", m, {"conv.w", "type"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(0);
    w->set_raw_data(w->raw_data().substr(0, 40));
    c.add("raw_data_short", m, {"conv.w", "raw_data"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(0);
    w->set_raw_data(w->raw_data() + std::string(64, '\0'));
    c.add("raw_data_long", m, {"conv.w", "raw_data"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(1);
    w->set_raw_data(w->raw_data().substr(0, 15)); // 3.75 floats
    c.add("raw_data_not_multiple", m, {"conv.b", "raw_data"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(1);
    w->clear_raw_data();
    w->add_float_data(1.0f);
    w->add_float_data(2.0f);
    c.add("float_data_short", m, {"conv.b", "float_data"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(1);
    w->clear_dims();
    w->add_dims(-2);
    w->add_dims(-2);
    c.add("negative_dim", m, {"conv.b", "negative|-2"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(1);
    w->clear_dims();
    w->add_dims(int64_t(1) << 32);
    w->add_dims(int64_t(1) << 32);
    w->add_dims(4);
    c.add("dims_overflow", m, {"conv.b", "overflow|too large|too many|exceeds"});
  }
  {
    // 2^60 floats declared, no payload: must fail without trying to allocate.
    ModelProto m = validNet();
    auto &g = *m.mutable_graph();
    auto *t = g.add_initializer();
    t->set_name("huge.w");
    t->set_data_type(TensorProto::FLOAT);
    for (int i = 0; i < 3; ++i)
      t->add_dims(Mi);
    g.mutable_node(3)->set_input(1, "huge.w");
    c.add("huge_initializer_no_data", m, {"huge.w", "too many|too large|exceeds|no data"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "huge_in", {Mi, Mi, Mi});
    node(g, "Relu", "relu_huge", {"huge_in"}, {"y"});
    output(g, "y");
    c.add("huge_input_shape", m, {"huge_in|relu_huge", "too many|too large|overflow|exceeds|limit"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "neg_in", {1, -7, 4});
    node(g, "Relu", "relu_neg", {"neg_in"}, {"y"});
    output(g, "y");
    c.add("negative_input_dim", m, {"neg_in", "negative|-7"});
  }
  {
    ModelProto m = validNet();
    auto *w = m.mutable_graph()->mutable_initializer(1);
    w->clear_raw_data();
    w->set_data_type(TensorProto::INT64);
    for (int i = 0; i < 4; ++i)
      w->add_int64_data(i);
    c.add("conv_bias_int64", m, {"conv", "type|int64|i64"});
  }
}

void externalCases(Corpus &c) {
  const fs::path &dir = c.dir();
  // 16 bytes: exactly the 4 floats the tensors declare.
  std::ofstream(dir / "ext_small.bin", std::ios::binary) << std::string(16, '\x01');

  c.add("external_absolute_path", externalModel("/etc/passwd", "", "16"),
        {"ext.w", "external data", "outside|absolute|leaves"});
  c.add("external_dotdot", externalModel("../ext_small.bin", "", ""),
        {"ext.w", "external data", "outside|leaves"});
  c.add("external_inner_dotdot", externalModel("a/../../x.bin", "", ""),
        {"ext.w", "external data", "outside|leaves"});
  // A link inside the folder that resolves outside it.
  fs::remove(dir / "escape_link.bin");
  fs::create_symlink("/etc/passwd", dir / "escape_link.bin");
  c.add("external_symlink_escape", externalModel("escape_link.bin", "", "16"),
        {"ext.w", "external data", "outside|leaves"});
  c.add("external_offset_past_end", externalModel("ext_small.bin", "1000", "16"),
        {"ext.w", "external data", "past the end|beyond|out of range|exceeds|too short|outside"});
  c.add("external_length_overflow",
        externalModel("ext_small.bin", "4611686018427387904", "6917529027641081856"),
        {"ext.w", "external data", "overflow|past the end|beyond|out of range|exceeds|too short|length"});
  c.add("external_missing_file", externalModel("no_such_file.bin", "", ""),
        {"ext.w", "external data", "no_such_file.bin"});
  c.add("external_no_location", externalModel("", "0", "16"),
        {"ext.w", "external data", "location"});
}

namespace {
/// A valid chain of `n` Relus: recursion over the graph must not overflow
/// the stack, and nothing may be quadratic in the node count.
ModelProto deepChain(int n) {
  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  input(g, "v0", {1, 8});
  for (int i = 0; i < n; ++i)
    node(g, "Relu", "r" + std::to_string(i), {"v" + std::to_string(i)},
         {"v" + std::to_string(i + 1)});
  output(g, "v" + std::to_string(n));
  return m;
}

void writeModel(const ModelProto &m, const fs::path &file) {
  std::ofstream out(file, std::ios::binary);
  m.SerializeToOstream(&out);
}

int writeBad(const fs::path &dir) {
  fs::create_directories(dir);
  Corpus c(dir);
  // Controls, not cases: valid models the driver expects to import, so that
  // a case fails for its defect and not for what it shares with them.
  writeModel(validNet(), dir / "valid_net.onnx");
  writeModel(deepChain(50000), dir / "valid_deep_chain.onnx");
  std::ofstream(dir / "ext_small.bin", std::ios::binary) << std::string(16, '\x01');
  writeModel(externalModel("ext_small.bin", "0", "16"), dir / "valid_external.onnx");
  fileCases(c);
  graphCases(c);
  tensorCases(c);
  convCases(c);
  shapeCases(c);
  externalCases(c);
  extremeCases(c);
  return c.finish();
}

} // namespace
} // namespace kiln::badmodels

int main(int argc, char **argv) {
  using namespace kiln::badmodels;
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  if (argc == 3 && std::strcmp(argv[1], "--bad") == 0) {
    int n = writeBad(argv[2]);
    std::printf("wrote %d bad models to %s\n", n, argv[2]);
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "--hostile") == 0)
    return writeHostile(argv[2]);
  std::fprintf(stderr, "usage: kiln-make-bad-models --bad DIR | --hostile FILE\n");
  return 1;
}
