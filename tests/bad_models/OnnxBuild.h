//===- OnnxBuild.h - Small helpers to write ONNX graphs by hand -*- C++ -*-===//
//
// Just enough of a builder over the ONNX protobuf API for the bad-model
// corpus and the hostile-names model. Deliberately independent of kiln's
// libraries (and of samples/zoo): the corpus must not share the importer's
// assumptions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_BAD_MODELS_ONNXBUILD_H
#define KILN_TESTS_BAD_MODELS_ONNXBUILD_H

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::badmodels {

using onnx::AttributeProto;
using onnx::GraphProto;
using onnx::ModelProto;
using onnx::NodeProto;
using onnx::TensorProto;

constexpr int64_t Mi = int64_t(1) << 20;

inline ModelProto newModel(int64_t opset = 13) {
  ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("kiln-make-bad-models");
  if (opset > 0) {
    auto *o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
  }
  m.mutable_graph()->set_name("bad");
  return m;
}

inline void setType(onnx::ValueInfoProto *vi, int elemType,
             const std::vector<int64_t> &dims) {
  auto *t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  auto *shape = t->mutable_shape();
  for (int64_t d : dims)
    shape->add_dim()->set_dim_value(d);
}

inline void input(GraphProto &g, const std::string &name, std::vector<int64_t> dims,
           int elemType = TensorProto::FLOAT) {
  auto *vi = g.add_input();
  vi->set_name(name);
  setType(vi, elemType, dims);
}

/// Outputs declare only their element type: kiln infers shapes.
inline void output(GraphProto &g, const std::string &name,
            int elemType = TensorProto::FLOAT) {
  auto *vi = g.add_output();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
}

inline int64_t count(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// A float initializer with raw_data; values are a small deterministic ramp.
inline TensorProto *initF(GraphProto &g, const std::string &name,
                   std::vector<int64_t> dims) {
  auto *t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(TensorProto::FLOAT);
  for (int64_t d : dims)
    t->add_dims(d);
  std::vector<float> v(size_t(count(dims)));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = float(int(i % 7) - 3) * 0.125f;
  t->set_raw_data(std::string(reinterpret_cast<const char *>(v.data()),
                              v.size() * sizeof(float)));
  return t;
}

inline TensorProto *initI64(GraphProto &g, const std::string &name,
                     std::vector<int64_t> dims, std::vector<int64_t> vals) {
  auto *t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(TensorProto::INT64);
  for (int64_t d : dims)
    t->add_dims(d);
  for (int64_t v : vals)
    t->add_int64_data(v);
  return t;
}

inline NodeProto *node(GraphProto &g, const std::string &op, const std::string &name,
                std::vector<std::string> ins, std::vector<std::string> outs) {
  auto *n = g.add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto &i : ins)
    n->add_input(i);
  for (auto &o : outs)
    n->add_output(o);
  return n;
}

inline void attrInt(NodeProto *n, const std::string &name, int64_t v) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(AttributeProto::INT);
  a->set_i(v);
}

inline void attrInts(NodeProto *n, const std::string &name, std::vector<int64_t> v) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}

inline void attrFloat(NodeProto *n, const std::string &name, float v) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(AttributeProto::FLOAT);
  a->set_f(v);
}

inline void attrString(NodeProto *n, const std::string &name, const std::string &v) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(AttributeProto::STRING);
  a->set_s(v);
}

/// x[1,3,8,8] -> Conv `name` (weight `wDims`, attributes by `attrs`) -> y.
inline ModelProto convModel(const std::string &name, std::vector<int64_t> wDims,
                     const std::function<void(NodeProto *)> &attrs,
                     std::vector<int64_t> xDims = {1, 3, 8, 8}) {
  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  input(g, "x", xDims);
  initF(g, name + ".w", wDims);
  NodeProto *n = node(g, "Conv", name, {"x", name + ".w"}, {"y"});
  if (attrs)
    attrs(n);
  output(g, "y");
  return m;
}

/// x[xDims] -> `op` named `name` -> y; extra initializer inputs appended.
inline ModelProto unaryModel(const std::string &op, const std::string &name,
                      std::vector<int64_t> xDims,
                      const std::function<void(GraphProto &, NodeProto *)> &f =
                          nullptr) {
  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  input(g, "x", xDims);
  NodeProto *n = node(g, op, name, {"x"}, {"y"});
  if (f)
    f(g, n);
  output(g, "y");
  return m;
}

/// The small valid net other cases start from:
/// x[1,3,8,8] -> Conv(4,3x3) -> Relu -> Flatten -> Gemm(10) -> y.
inline ModelProto validNet() {
  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  input(g, "x", {1, 3, 8, 8});
  initF(g, "conv.w", {4, 3, 3, 3});
  initF(g, "conv.b", {4});
  initF(g, "fc.w", {10, 4 * 6 * 6});
  initF(g, "fc.b", {10});
  NodeProto *c = node(g, "Conv", "conv", {"x", "conv.w", "conv.b"}, {"c"});
  attrInts(c, "kernel_shape", {3, 3});
  node(g, "Relu", "relu", {"c"}, {"r"});
  node(g, "Flatten", "flatten", {"r"}, {"f"});
  NodeProto *fc = node(g, "Gemm", "fc", {"f", "fc.w", "fc.b"}, {"y"});
  attrInt(fc, "transB", 1);
  output(g, "y");
  return m;
}

/// An initializer whose payload lives in an external file.
inline TensorProto *externalInit(GraphProto &g, const std::string &name,
                          std::vector<int64_t> dims,
                          const std::string &location, const std::string &offset,
                          const std::string &length) {
  auto *t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(TensorProto::FLOAT);
  for (int64_t d : dims)
    t->add_dims(d);
  t->set_data_location(TensorProto::EXTERNAL);
  auto kv = [&](const char *k, const std::string &v) {
    if (v.empty())
      return;
    auto *e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  kv("location", location);
  kv("offset", offset);
  kv("length", length);
  return t;
}

/// x[1,4] + external initializer `w`[4] -> y.
inline ModelProto externalModel(const std::string &location, const std::string &offset,
                         const std::string &length) {
  ModelProto m = newModel();
  auto &g = *m.mutable_graph();
  input(g, "x", {1, 4});
  externalInit(g, "ext.w", {4}, location, offset, length);
  node(g, "Add", "add_ext", {"x", "ext.w"}, {"y"});
  output(g, "y");
  return m;
}

} // namespace kiln::badmodels

#endif // KILN_TESTS_BAD_MODELS_ONNXBUILD_H
