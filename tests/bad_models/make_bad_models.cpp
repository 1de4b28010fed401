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

#include "tests/bad_models/OnnxBuild.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace kiln::badmodels;

namespace kiln::badmodels {
int writeHostile(const fs::path &file);
}

namespace {
class Corpus {
public:
  explicit Corpus(fs::path dir) : dir_(std::move(dir)) {}

  /// Registers a case whose file holds `bytes`.
  void addBytes(const std::string &name, const std::string &bytes,
                std::vector<std::string> needles, bool oneLine = false) {
    std::ofstream(dir_ / (name + ".onnx"), std::ios::binary) << bytes;
    table_ += name + "\t" + (oneLine ? "oneline" : "-");
    for (auto &n : needles)
      table_ += "\t" + n;
    table_ += "\n";
    ++cases_;
  }

  void add(const std::string &name, const ModelProto &m,
           std::vector<std::string> needles, bool oneLine = false) {
    std::string bytes;
    if (!m.SerializeToString(&bytes)) {
      std::fprintf(stderr, "error: cannot serialize case %s\n", name.c_str());
      std::exit(1);
    }
    addBytes(name, bytes, std::move(needles), oneLine);
  }

  const fs::path &dir() const { return dir_; }

  int finish() {
    std::ofstream(dir_ / "expectations.tsv") << table_;
    return cases_;
  }

private:
  fs::path dir_;
  std::string table_;
  int cases_ = 0;
};

bool parses(const std::string &bytes) {
  ModelProto m;
  return m.ParseFromString(bytes);
}

void fileCases(Corpus &c) {
  std::string valid;
  validNet().SerializeToString(&valid);

  // Cut inside a length-delimited field so that the parser must notice.
  size_t cut = valid.size() / 2;
  while (cut > 1 && parses(valid.substr(0, cut)))
    --cut;
  c.addBytes("truncated_protobuf", valid.substr(0, cut), {"parse"});
  c.addBytes("empty_file", "", {"empty"});

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
    c.add("dims_overflow", m, {"conv.b", "overflow|too large|too big|exceeds"});
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
    c.add("huge_initializer_no_data", m, {"huge.w", "data|too large|exceeds"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "huge_in", {Mi, Mi, Mi});
    node(g, "Relu", "relu_huge", {"huge_in"}, {"y"});
    output(g, "y");
    c.add("huge_input_shape", m, {"huge_in|relu_huge", "too large|overflow|exceeds|limit"});
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

void convCases(Corpus &c) {
  c.add("conv_weight_rank3", convModel("conv_r3", {4, 3, 3}, nullptr),
        {"conv_r3", "rank"});
  c.add("conv_kernel_shape_mismatch",
        convModel("conv_ks", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInts(n, "kernel_shape", {5, 5}); }),
        {"conv_ks", "kernel"});
  c.add("conv_group_not_dividing",
        convModel("conv_grp", {4, 1, 3, 3},
                  [](NodeProto *n) { attrInt(n, "group", 2); }),
        {"conv_grp", "group|channel"});
  c.add("conv_group_zero",
        convModel("conv_g0", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInt(n, "group", 0); }),
        {"conv_g0", "group"});
  c.add("conv_stride_zero",
        convModel("conv_s0", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInts(n, "strides", {0, 1}); }),
        {"conv_s0", "stride"});
  c.add("conv_stride_negative",
        convModel("conv_sneg", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInts(n, "strides", {-2, -2}); }),
        {"conv_sneg", "stride"});
  c.add("conv_dilation_zero",
        convModel("conv_d0", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInts(n, "dilations", {0, 0}); }),
        {"conv_d0", "dilation"});
  c.add("conv_pads_wrong_length",
        convModel("conv_pads", {4, 3, 3, 3},
                  [](NodeProto *n) { attrInts(n, "pads", {1, 1, 1}); }),
        {"conv_pads", "pads"});
  c.add("conv_empty_output",
        convModel("conv_big_kernel", {4, 3, 7, 7}, nullptr, {1, 3, 4, 4}),
        {"conv_big_kernel", "empty|larger|too small|exceeds|non-positive"});
  c.add("conv_strides_float",
        convModel("conv_sf", {4, 3, 3, 3},
                  [](NodeProto *n) {
                    auto *a = n->add_attribute();
                    a->set_name("strides");
                    a->set_type(AttributeProto::FLOAT);
                    a->set_f(1.0f);
                  }),
        {"conv_sf", "strides"});
  c.add("conv_channels_mismatch", convModel("conv_ch", {4, 5, 3, 3}, nullptr),
        {"conv_ch", "channel"});
  c.add("conv_1d_input", convModel("conv_1d", {4, 3, 3}, nullptr, {1, 3, 8}),
        {"conv_1d", "rank|2-d|unsupported"});
  c.add("conv_auto_pad_unknown",
        convModel("conv_ap", {4, 3, 3, 3},
                  [](NodeProto *n) { attrString(n, "auto_pad", "SIDEWAYS"); }),
        {"conv_ap", "auto_pad"});
  c.add("maxpool_empty_output",
        unaryModel("MaxPool", "pool_big", {1, 3, 4, 4},
                   [](GraphProto &, NodeProto *n) {
                     attrInts(n, "kernel_shape", {9, 9});
                     attrInts(n, "pads", {1, 1, 1, 1});
                   }),
        {"pool_big", "empty|larger|too small|exceeds|non-positive"});
  c.add("maxpool_no_kernel",
        unaryModel("MaxPool", "pool_nok", {1, 3, 4, 4}),
        {"pool_nok", "kernel_shape"});
}

void shapeCases(Corpus &c) {
  auto binary = [](const std::string &op, const std::string &name,
                   std::vector<int64_t> a, std::vector<int64_t> b) {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "a", a);
    initF(g, name + ".b", b);
    NodeProto *n = node(g, op, name, {"a", name + ".b"}, {"y"});
    if (op == "Gemm")
      attrInt(n, "transB", 0);
    output(g, "y");
    return m;
  };
  c.add("gemm_inner_mismatch", binary("Gemm", "fc_bad", {2, 8}, {9, 4}),
        {"fc_bad", "mismatch|incompatible|does not match|!="});
  c.add("gemm_rank3", binary("Gemm", "fc_r3", {2, 8}, {8, 4, 1}),
        {"fc_r3", "rank|2-d|matrix"});
  c.add("matmul_mismatch", binary("MatMul", "mm_bad", {2, 3, 8}, {7, 4}),
        {"mm_bad", "mismatch|incompatible|does not match|!="});
  c.add("add_broadcast_mismatch", binary("Add", "add_bad", {1, 3, 4}, {2, 4}),
        {"add_bad", "broadcast"});

  auto reshape = [](const std::string &name, std::vector<int64_t> shape) {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {2, 3, 4});
    initI64(g, name + ".shape", {int64_t(shape.size())}, shape);
    node(g, "Reshape", name, {"x", name + ".shape"}, {"y"});
    output(g, "y");
    return m;
  };
  c.add("reshape_two_minus_one", reshape("reshape_2neg", {-1, -1}),
        {"reshape_2neg", "-1"});
  c.add("reshape_wrong_count", reshape("reshape_cnt", {5, 5}),
        {"reshape_cnt", "element|count|size"});

  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "a", {1, 3});
    input(g, "b", {1, 3});
    attrInt(node(g, "Concat", "concat_ax", {"a", "b"}, {"y"}), "axis", 2);
    output(g, "y");
    c.add("concat_axis_out_of_range", m, {"concat_ax", "axis"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "a", {1, 3});
    input(g, "b", {2, 4});
    attrInt(node(g, "Concat", "concat_shape", {"a", "b"}, {"y"}), "axis", 1);
    output(g, "y");
    c.add("concat_shape_mismatch", m,
          {"concat_shape", "mismatch|incompatible|does not match|differ|!="});
  }
  c.add("softmax_axis_out_of_range",
        unaryModel("Softmax", "softmax_ax", {1, 10},
                   [](GraphProto &, NodeProto *n) { attrInt(n, "axis", 5); }),
        {"softmax_ax", "axis"});
  c.add("flatten_axis_out_of_range",
        unaryModel("Flatten", "flatten_ax", {1, 3, 4},
                   [](GraphProto &, NodeProto *n) { attrInt(n, "axis", -9); }),
        {"flatten_ax", "axis"});
  c.add("transpose_perm_wrong_length",
        unaryModel("Transpose", "transpose_len", {1, 3, 4},
                   [](GraphProto &, NodeProto *n) { attrInts(n, "perm", {1, 0}); }),
        {"transpose_len", "perm"});
  c.add("transpose_perm_duplicate",
        unaryModel("Transpose", "transpose_dup", {1, 3, 4},
                   [](GraphProto &, NodeProto *n) { attrInts(n, "perm", {0, 1, 1}); }),
        {"transpose_dup", "perm"});
  c.add("transpose_perm_out_of_range",
        unaryModel("Transpose", "transpose_big", {1, 3, 4},
                   [](GraphProto &, NodeProto *n) { attrInts(n, "perm", {0, 1, 7}); }),
        {"transpose_big", "perm"});
  c.add("squeeze_axis_out_of_range",
        unaryModel("Squeeze", "squeeze_ax", {1, 3, 4},
                   [](GraphProto &g, NodeProto *n) {
                     initI64(g, "squeeze_ax.axes", {1}, {6});
                     n->add_input("squeeze_ax.axes");
                   }),
        {"squeeze_ax", "axis|axes"});
  c.add("pad_unknown_mode",
        unaryModel("Pad", "pad_mode", {1, 3, 4, 4},
                   [](GraphProto &g, NodeProto *n) {
                     initI64(g, "pad_mode.pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
                     n->add_input("pad_mode.pads");
                     attrString(n, "mode", "wrap_around");
                   }),
        {"pad_mode", "mode"});
  c.add("batchnorm_scale_length",
        [] {
          ModelProto m = newModel();
          auto &g = *m.mutable_graph();
          input(g, "x", {1, 3, 4, 4});
          for (const char *p : {"s", "b", "m", "v"})
            initF(g, std::string("bn_len.") + p, {std::string(p) == "s" ? 5 : 3});
          node(g, "BatchNormalization", "bn_len",
               {"x", "bn_len.s", "bn_len.b", "bn_len.m", "bn_len.v"}, {"y"});
          output(g, "y");
          return m;
        }(),
        {"bn_len", "channel|scale|mismatch|does not match"});
  {
    // x -> Shape -> Gather(index 7 of a rank-3 shape) -> Unsqueeze -> Reshape.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {2, 3, 4});
    initI64(g, "pick_dim.idx", {}, {7});
    initI64(g, "unsq.axes", {1}, {0});
    node(g, "Shape", "shape_of_x", {"x"}, {"shp"});
    attrInt(node(g, "Gather", "pick_dim", {"shp", "pick_dim.idx"}, {"d"}), "axis", 0);
    node(g, "Unsqueeze", "unsq", {"d", "unsq.axes"}, {"d1"});
    node(g, "Reshape", "reshape_dyn", {"x", "d1"}, {"y"});
    output(g, "y");
    c.add("gather_index_out_of_range", m, {"pick_dim", "out of range|index|bounds"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 8});
    input(g, "lo", {});
    initF(g, "hi", {});
    node(g, "Clip", "clip_dyn", {"x", "lo", "hi"}, {"y"});
    output(g, "y");
    c.add("clip_min_not_constant", m, {"clip_dyn", "constant"});
  }
}

void externalCases(Corpus &c) {
  const fs::path &dir = c.dir();
  // 16 bytes: exactly the 4 floats the tensors declare.
  std::ofstream(dir / "ext_small.bin", std::ios::binary) << std::string(16, '\x01');

  c.add("external_absolute_path", externalModel("/etc/passwd", "", "16"),
        {"ext.w", "external data", "outside|absolute"});
  c.add("external_dotdot", externalModel("../ext_small.bin", "", ""),
        {"ext.w", "external data", "outside"});
  c.add("external_inner_dotdot", externalModel("a/../../x.bin", "", ""),
        {"ext.w", "external data", "outside"});
  // A link inside the folder that resolves outside it.
  fs::remove(dir / "escape_link.bin");
  fs::create_symlink("/etc/passwd", dir / "escape_link.bin");
  c.add("external_symlink_escape", externalModel("escape_link.bin", "", "16"),
        {"ext.w", "external data", "outside"});
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

int writeBad(const fs::path &dir) {
  fs::create_directories(dir);
  Corpus c(dir);
  // Controls, not cases: valid models the driver expects to import, so that
  // a case fails for its defect and not for what it shares with them.
  validNet().SerializeToOstream(
      std::make_unique<std::ofstream>(dir / "valid_net.onnx", std::ios::binary).get());
  std::ofstream(dir / "ext_small.bin", std::ios::binary) << std::string(16, '\x01');
  externalModel("ext_small.bin", "0", "16")
      .SerializeToOstream(
          std::make_unique<std::ofstream>(dir / "valid_external.onnx", std::ios::binary).get());
  fileCases(c);
  graphCases(c);
  tensorCases(c);
  convCases(c);
  shapeCases(c);
  externalCases(c);
  return c.finish();
}

} // namespace

int main(int argc, char **argv) {
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
