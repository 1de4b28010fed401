//===- ModelBuilder.h - Build small ONNX models in C++ for tests -*- C++ -*-===//
//
//   ModelBuilder m(13);
//   m.input("x", {1, 3, 8, 8});
//   m.initializer("w", {4, 3, 3, 3}, std::vector<float>(108, 0.5f));
//   m.node("Conv", {"x", "w"}, {"y"}).ints("pads", {1, 1, 1, 1});
//   m.output("y");
//   auto g = m.import();
//
// Header-only; link the test with onnx_proto and protobuf.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_FRONTEND_MODELBUILDER_H
#define KILN_TESTS_FRONTEND_MODELBUILDER_H

#include "frontend/OnnxImporter.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <variant>
#include <vector>

namespace kiln::test {

/// Adds attributes to a node: m.node(...).i("group", 2).f("alpha", 0.1f).
class NodeRef {
public:
  explicit NodeRef(onnx::NodeProto *n) : n_(n) {}
  onnx::NodeProto &proto() { return *n_; }

  NodeRef &i(const std::string &name, int64_t v) {
    auto *a = add(name, onnx::AttributeProto::INT);
    a->set_i(v);
    return *this;
  }
  NodeRef &f(const std::string &name, float v) {
    auto *a = add(name, onnx::AttributeProto::FLOAT);
    a->set_f(v);
    return *this;
  }
  NodeRef &s(const std::string &name, const std::string &v) {
    auto *a = add(name, onnx::AttributeProto::STRING);
    a->set_s(v);
    return *this;
  }
  NodeRef &ints(const std::string &name, const std::vector<int64_t> &v) {
    auto *a = add(name, onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
    return *this;
  }
  NodeRef &floats(const std::string &name, const std::vector<float> &v) {
    auto *a = add(name, onnx::AttributeProto::FLOATS);
    for (float x : v)
      a->add_floats(x);
    return *this;
  }
  NodeRef &t(const std::string &name, const onnx::TensorProto &v) {
    auto *a = add(name, onnx::AttributeProto::TENSOR);
    *a->mutable_t() = v;
    return *this;
  }
  NodeRef &domain(const std::string &d) {
    n_->set_domain(d);
    return *this;
  }

private:
  onnx::NodeProto *n_;
  onnx::AttributeProto *add(const std::string &name, onnx::AttributeProto::AttributeType t) {
    auto *a = n_->add_attribute();
    a->set_name(name);
    a->set_type(t);
    return a;
  }
};

/// A dimension of a graph input: a number or a symbol ("N").
using DimSpec = std::variant<int64_t, std::string>;

inline onnx::TensorProto makeTensor(const std::string &name, const std::vector<int64_t> &dims,
                                    const std::vector<float> &values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                             values.size() * sizeof(float)));
  return t;
}

inline onnx::TensorProto makeTensorI64(const std::string &name,
                                       const std::vector<int64_t> &dims,
                                       const std::vector<int64_t> &values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims)
    t.add_dims(d);
  for (int64_t v : values)
    t.add_int64_data(v);
  return t;
}

class ModelBuilder {
public:
  explicit ModelBuilder(int64_t opset = 13, const std::string &name = "test") {
    model.set_ir_version(7);
    model.set_producer_name("kiln-tests");
    if (opset > 0) {
      auto *imp = model.add_opset_import();
      imp->set_domain("");
      imp->set_version(opset);
    }
    model.mutable_graph()->set_name(name);
  }

  onnx::ModelProto model;
  onnx::GraphProto &graph() { return *model.mutable_graph(); }

  /// A graph input with symbolic dimensions, e.g. {std::string("N"), int64_t(3)}.
  ModelBuilder &symbolicInput(const std::string &name, const std::vector<DimSpec> &dims,
                              int32_t elemType = onnx::TensorProto::FLOAT) {
    auto *vi = graph().add_input();
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elemType);
    auto *shape = tt->mutable_shape();
    for (const DimSpec &d : dims) {
      auto *dim = shape->add_dim();
      if (auto *v = std::get_if<int64_t>(&d))
        dim->set_dim_value(*v);
      else
        dim->set_dim_param(std::get<std::string>(d));
    }
    return *this;
  }
  ModelBuilder &input(const std::string &name, const std::vector<int64_t> &dims,
                      int32_t elemType = onnx::TensorProto::FLOAT) {
    std::vector<DimSpec> spec(dims.begin(), dims.end());
    return symbolicInput(name, spec, elemType);
  }

  ModelBuilder &output(const std::string &name) {
    graph().add_output()->set_name(name);
    return *this;
  }

  onnx::TensorProto &initializer(const std::string &name, const std::vector<int64_t> &dims,
                                 const std::vector<float> &values) {
    return *graph().add_initializer() = makeTensor(name, dims, values);
  }
  onnx::TensorProto &initializerI64(const std::string &name,
                                    const std::vector<int64_t> &dims,
                                    const std::vector<int64_t> &values) {
    return *graph().add_initializer() = makeTensorI64(name, dims, values);
  }
  /// A float initializer of the given shape, filled with `value`.
  onnx::TensorProto &filled(const std::string &name, const std::vector<int64_t> &dims,
                            float value = 0.5f) {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return initializer(name, dims, std::vector<float>(size_t(n), value));
  }

  NodeRef node(const std::string &opType, const std::vector<std::string> &inputs,
               const std::vector<std::string> &outputs, const std::string &name = "") {
    auto *n = graph().add_node();
    n->set_op_type(opType);
    n->set_name(name);
    for (const auto &i : inputs)
      n->add_input(i);
    for (const auto &o : outputs)
      n->add_output(o);
    return NodeRef(n);
  }

  std::string serialize() const {
    std::string bytes;
    model.SerializeToString(&bytes);
    return bytes;
  }

  llvm::Expected<std::unique_ptr<Graph>> import(const std::string &baseDir = "",
                                                const ImportOptions &opts = {}) const {
    std::string bytes = serialize();
    return importOnnxBytes(bytes.data(), bytes.size(), baseDir, opts);
  }
};

/// The error text of a failed import, or "" when it succeeded.
inline std::string importError(llvm::Expected<std::unique_ptr<Graph>> r) {
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

} // namespace kiln::test

#endif // KILN_TESTS_FRONTEND_MODELBUILDER_H
