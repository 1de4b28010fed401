//===- ShapeCases.cpp - Bad attributes, shapes and int64 extremes ---------===//
//
// Cases the importer can only catch by checking each op's attributes and
// shapes: Conv/pool parameters, shape mismatches of the dense and data
// movement ops, and attribute values at the ends of int64.
//
//===----------------------------------------------------------------------===//

#include "tests/bad_models/Corpus.h"

#include <cstdint>

namespace kiln::badmodels {

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
  // 1-D Conv is supported (lifted to 2-D); 3-D is not.
  c.add("conv_3d_input", convModel("conv_3d", {4, 3, 3, 3, 3}, nullptr, {1, 3, 8, 8, 8}),
        {"conv_3d", "rank|3-d|unsupported"});
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
        {"fc_bad", "mismatch|incompatible|does not match|differ|!="});
  c.add("gemm_rank3", binary("Gemm", "fc_r3", {2, 8}, {8, 4, 1}),
        {"fc_r3", "rank|2-d|matrix"});
  c.add("matmul_mismatch", binary("MatMul", "mm_bad", {2, 3, 8}, {7, 4}),
        {"mm_bad", "mismatch|incompatible|does not match|differ|!="});
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
  {
    // Range's length depends on its operands: a graph input is refused.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "limit", {});
    initF(g, "start", {});
    initF(g, "delta", {});
    node(g, "Range", "range_dyn", {"start", "limit", "delta"}, {"y"});
    output(g, "y");
    c.add("range_limit_not_constant", m, {"range_dyn", "constant"});
  }
  {
    // Tile by 2^31 along both axes: 2^62 elements.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {2, 2});
    initI64(g, "tile_huge.r", {2}, {int64_t(1) << 31, int64_t(1) << 31});
    node(g, "Tile", "tile_huge", {"x", "tile_huge.r"}, {"y"});
    output(g, "y");
    c.add("tile_repeats_huge", m, {"tile_huge", "too many|repeats"});
  }
  {
    // GatherElements with indices wider than data off the axis would read
    // outside data.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {2, 3});
    initI64(g, "ge_wide.i", {3, 1}, {0, 0, 0});
    attrInt(node(g, "GatherElements", "ge_wide", {"x", "ge_wide.i"}, {"y"}), "axis", 1);
    output(g, "y");
    c.add("gather_elements_indices_too_wide", m, {"ge_wide", "exceed"});
  }
}

/// Integer extremes: attribute and index values chosen so that a naive
/// `-axis`, `x + pads` or `(k - 1) * dilation` overflows int64. The sanitizer
/// and fuzz builds turn any such overflow into a failure of this test.
void extremeCases(Corpus &c) {
  constexpr int64_t Min = INT64_MIN, Max = INT64_MAX, Big = int64_t(1) << 62;
  c.add("conv_pads_huge",
        convModel("conv_padbig", {4, 3, 3, 3},
                  [&](NodeProto *n) { attrInts(n, "pads", {Big, Big, Big, Big}); }),
        {"conv_padbig", "pads|too many|too large|overflow"});
  c.add("conv_pads_negative",
        convModel("conv_padneg", {4, 3, 3, 3},
                  [&](NodeProto *n) { attrInts(n, "pads", {-1, 0, 0, 0}); }),
        {"conv_padneg", "pads|negative"});
  c.add("conv_dilation_huge",
        convModel("conv_dilbig", {4, 3, 3, 3},
                  [&](NodeProto *n) { attrInts(n, "dilations", {Big, Big}); }),
        {"conv_dilbig", "dilation|empty|too large|overflow|does not fit"});
  c.add("conv_stride_huge",
        convModel("conv_strbig", {4, 3, 3, 3},
                  [&](NodeProto *n) { attrInts(n, "strides", {Max, Min}); }),
        {"conv_strbig", "stride"});
  c.add("softmax_axis_int64_min",
        unaryModel("Softmax", "softmax_min", {1, 10},
                   [&](GraphProto &, NodeProto *n) { attrInt(n, "axis", Min); }),
        {"softmax_min", "axis"});
  // Normalizations and ConvTranspose.
  c.add("layer_norm_scale_does_not_broadcast",
        [] {
          ModelProto m = newModel(17);
          auto &g = *m.mutable_graph();
          input(g, "x", {2, 3, 4});
          initF(g, "ln.s", {5});
          node(g, "LayerNormalization", "ln_scale", {"x", "ln.s"}, {"y"});
          output(g, "y");
          return m;
        }(),
        {"ln_scale", "does not broadcast"});
  c.add("conv_transpose_output_padding_not_below_stride",
        unaryModel("ConvTranspose", "ct_outpad", {1, 2, 4, 4},
                   [](GraphProto &g, NodeProto *n) {
                     initF(g, "ct.w", {2, 3, 3, 3});
                     n->add_input("ct.w");
                     attrInts(n, "strides", {2, 2});
                     attrInts(n, "output_padding", {2, 0});
                   }),
        {"ct_outpad", "output_padding"});
  c.add("conv_transpose_pads_leave_no_output",
        unaryModel("ConvTranspose", "ct_pads", {1, 2, 2, 2},
                   [](GraphProto &g, NodeProto *n) {
                     initF(g, "ct.w", {2, 3, 3, 3});
                     n->add_input("ct.w");
                     attrInts(n, "pads", {3, 3, 3, 3});
                   }),
        {"ct_pads", "leave no output"});
  c.add("concat_axis_int64_max",
        [&] {
          ModelProto m = newModel();
          auto &g = *m.mutable_graph();
          input(g, "a", {1, 3});
          attrInt(node(g, "Concat", "concat_max", {"a", "a"}, {"y"}), "axis", Max);
          output(g, "y");
          return m;
        }(),
        {"concat_max", "axis"});
  c.add("transpose_perm_int64_min",
        unaryModel("Transpose", "transpose_min", {1, 3, 4},
                   [&](GraphProto &, NodeProto *n) { attrInts(n, "perm", {0, Min, 1}); }),
        {"transpose_min", "perm"});
  c.add("unsqueeze_axes_duplicate",
        unaryModel("Unsqueeze", "unsq_dup", {3, 4},
                   [&](GraphProto &g, NodeProto *n) {
                     initI64(g, "unsq_dup.axes", {2}, {0, 0});
                     n->add_input("unsq_dup.axes");
                   }),
        {"unsq_dup", "axes|axis|duplicate|repeated"});
  c.add("pad_huge",
        unaryModel("Pad", "pad_big", {1, 3, 4, 4},
                   [&](GraphProto &g, NodeProto *n) {
                     initI64(g, "pad_big.pads", {8}, {0, 0, Big, Big, 0, 0, Big, Big});
                     n->add_input("pad_big.pads");
                   }),
        {"pad_big", "too many|too large|overflow|exceeds|pads"});
  c.add("reshape_minus_two",
        [&] {
          ModelProto m = newModel();
          auto &g = *m.mutable_graph();
          input(g, "x", {2, 3, 4});
          initI64(g, "reshape_m2.shape", {2}, {-2, 12});
          node(g, "Reshape", "reshape_m2", {"x", "reshape_m2.shape"}, {"y"});
          output(g, "y");
          return m;
        }(),
        {"reshape_m2", "-2"});
  {
    // Shape -> Gather(INT64_MIN): a naive `index + size` stays negative, a
    // naive `-index` overflows.
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {2, 3, 4});
    initI64(g, "pick_min.idx", {1}, {Min});
    node(g, "Shape", "shape_of_x", {"x"}, {"shp"});
    attrInt(node(g, "Gather", "pick_min", {"shp", "pick_min.idx"}, {"d"}), "axis", 0);
    node(g, "Reshape", "reshape_dyn", {"x", "d"}, {"y"});
    output(g, "y");
    c.add("gather_index_int64_min", m, {"pick_min", "out of range|index|bounds"});
  }
  c.add("cast_to_unknown_type",
        unaryModel("Cast", "cast_bad", {1, 4},
                   [&](GraphProto &, NodeProto *n) { attrInt(n, "to", 999); }),
        {"cast_bad", "type|999"});
  c.add("lrn_size_zero",
        unaryModel("LRN", "lrn_zero", {1, 3, 4, 4},
                   [&](GraphProto &, NodeProto *n) { attrInt(n, "size", 0); }),
        {"lrn_zero", "size"});
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    node(g, "Add", "self_loop", {"x", "self_out"}, {"self_out"});
    output(g, "self_out");
    c.add("self_loop", m, {"cycle|not defined|self_out"});
  }
  {
    ModelProto m = validNet();
    m.mutable_graph()->mutable_input(0)->clear_type();
    c.add("input_without_type", m, {"'x'", "type|not a tensor"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    auto *sp = g.add_sparse_initializer();
    sp->mutable_values()->set_name("sparse.w");
    sp->mutable_values()->set_data_type(TensorProto::FLOAT);
    sp->add_dims(1);
    sp->add_dims(4);
    node(g, "Add", "add_sparse", {"x", "sparse.w"}, {"y"});
    output(g, "y");
    c.add("sparse_initializer", m, {"sparse"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    auto *t = g.add_initializer();
    t->set_name("strings.w");
    t->set_data_type(TensorProto::STRING);
    t->add_dims(4);
    for (int i = 0; i < 4; ++i)
      t->add_string_data("s");
    node(g, "Add", "add_strings", {"x", "strings.w"}, {"y"});
    output(g, "y");
    c.add("string_initializer", m, {"strings.w", "type|string"});
  }
  c.add("external_length_overflow_in_file",
        externalModel("ext_small.bin", "8", std::to_string(Max - 4)),
        {"ext.w", "external data", "overflow|past the end|beyond|out of range|exceeds|expected"});
  c.add("external_offset_plus_length_overflow",
        externalModel("ext_small.bin", std::to_string(Max - 4), "16"),
        {"ext.w", "external data", "overflow|past the end|beyond|out of range|exceeds"});
  c.add("external_negative_offset", externalModel("ext_small.bin", "-16", "16"),
        {"ext.w", "external data", "offset"});
  c.add("external_length_not_a_number", externalModel("ext_small.bin", "0", "16 bytes"),
        {"ext.w", "external data", "length"});
  c.add("external_length_mismatch", externalModel("ext_small.bin", "0", "8"),
        {"ext.w", "external data", "length|expected|bytes"});
  c.add("external_location_is_folder", externalModel(".", "0", "16"),
        {"ext.w", "external data"});

  // Quantization (docs/INT8.md).
  auto int8Init = [](GraphProto &g, const std::string &name, int type,
                     std::vector<int64_t> dims, std::vector<int32_t> vals) {
    auto *t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims)
      t->add_dims(d);
    for (int32_t v : vals)
      t->add_int32_data(v);
  };
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4});
    initF(g, "q_fzp.scale", {});
    initF(g, "q_fzp.zero", {});
    node(g, "QuantizeLinear", "q_fzp", {"x", "q_fzp.scale", "q_fzp.zero"}, {"y"});
    output(g, "y", TensorProto::UINT8);
    c.add("quantize_float_zero_point", m, {"q_fzp", "zero point"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4}, TensorProto::UINT8);
    initF(g, "dq_axis.scale", {3});
    int8Init(g, "dq_axis.zero", TensorProto::UINT8, {3}, {0, 0, 0});
    node(g, "DequantizeLinear", "dq_axis", {"x", "dq_axis.scale", "dq_axis.zero"}, {"y"});
    output(g, "y");
    c.add("dequantize_scale_fits_no_axis", m, {"dq_axis", "scale"});
  }
  {
    ModelProto m = newModel();
    auto &g = *m.mutable_graph();
    input(g, "x", {1, 4}, TensorProto::INT8);
    initF(g, "dq_big.scale", {});
    int8Init(g, "q8.zero", TensorProto::INT8, {}, {1000});
    node(g, "DequantizeLinear", "dq_big", {"x", "dq_big.scale", "q8.zero"}, {"y"});
    output(g, "y");
    c.add("int8_int32_data_out_of_range", m, {"q8.zero", "does not fit"});
  }
}

} // namespace kiln::badmodels
