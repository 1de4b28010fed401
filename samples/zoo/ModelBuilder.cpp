//===- ModelBuilder.cpp - Writes ONNX graphs the way exporters do ---------===//

#include "samples/zoo/ModelBuilder.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace kiln::zoo {

static_assert(std::endian::native == std::endian::little,
              "raw_data is little-endian; the zoo writes host floats");

namespace {
// Parameters that are not weights: biases and BN shifts are small, as a
// trained network's are.
constexpr double BiasStddev = 0.01;

int64_t product(const std::vector<int64_t> &dims, size_t from = 0) {
  int64_t p = 1;
  for (size_t i = from; i < dims.size(); ++i)
    p *= dims[i];
  return p;
}
} // namespace

int64_t windowOutput(int64_t in, const Window &w, int axis) {
  int64_t span = in + 2 * w.pad[axis] + w.extraEnd[axis] - w.kernel[axis];
  return span < 0 ? 0 : span / w.stride[axis] + 1;
}

// ONNX order: all begins, then all ends.
static std::vector<int64_t> onnxPads(const Window &w) {
  return {w.pad[0], w.pad[1], w.pad[0] + w.extraEnd[0], w.pad[1] + w.extraEnd[1]};
}

ModelBuilder::ModelBuilder(int64_t opset, uint64_t seed, std::string model)
    : graph_(model_.mutable_graph()), opset_(opset), seed_(seed), modelName_(std::move(model)) {
  model_.set_ir_version(onnx::IR_VERSION);
  auto *op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
}

//===-- Graph interface ---------------------------------------------------===//

static void setShape(onnx::ValueInfoProto *vi, const std::vector<int64_t> &dims,
                     const std::string &batchParam) {
  auto *tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto *shape = tt->mutable_shape();
  for (size_t i = 0; i < dims.size(); ++i) {
    auto *d = shape->add_dim();
    if (dims[i] < 0)
      d->set_dim_param(batchParam);
    else
      d->set_dim_value(dims[i]);
  }
}

Tensor ModelBuilder::input(const std::string &name, std::vector<int64_t> dims,
                           const std::string &batchParam) {
  setShape(graph_->add_input(), dims, batchParam);
  graph_->mutable_input()->rbegin()->set_name(name);
  Tensor t{name, std::move(dims), nullptr};
  if (calibrate_) {
    // Enough images that the last stage (1/32 of the input) still has ~49
    // positions (7x7, as at 224x224) per channel to average over.
    int64_t last =
        std::max<int64_t>(1, (t.dims[2] + 31) / 32) * std::max<int64_t>(1, (t.dims[3] + 31) / 32);
    int64_t images = std::min<int64_t>(64, (49 + last - 1) / last);
    auto batch =
        std::make_shared<Activations>(Activations::zeros(images, t.dims[1], t.dims[2], t.dims[3]));
    Rng r = rng("calibration images");
    for (float &v : batch->data)
      v = r.uniformSigned();
    t.act = std::move(batch);
  }
  return observe(std::move(t));
}

Tensor ModelBuilder::observe(Tensor t) {
  if (t.act && !t.act->data.empty()) {
    auto [lo, hi] = std::minmax_element(t.act->data.begin(), t.act->data.end());
    ranges_[t.name] = {*lo, *hi};
  }
  return t;
}

void ModelBuilder::output(const Tensor &t, const std::string &batchParam) {
  auto *vi = graph_->add_output();
  vi->set_name(t.name);
  setShape(vi, t.dims, batchParam);
}

float *ModelBuilder::initializer(const std::string &name, const std::vector<int64_t> &dims) {
  onnx::TensorProto *t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    t->add_dims(d);
  int64_t count = product(dims);
  parameters_ += count;
  // Generated in place: VGG's 553 MB exist once, in the protobuf.
  std::string *raw = t->mutable_raw_data();
  raw->resize(size_t(count) * sizeof(float));
  return reinterpret_cast<float *>(raw->data());
}

onnx::NodeProto &ModelBuilder::node(const std::string &opType, const Names &n,
                                    const std::vector<std::string> &inputs) {
  onnx::NodeProto *node = graph_->add_node();
  node->set_name(n.node);
  node->set_op_type(opType);
  for (const std::string &in : inputs)
    node->add_input(in);
  node->add_output(n.output);
  return *node;
}

void ModelBuilder::renameLastOutput(Tensor &t, const std::string &name) {
  assert(graph_->node_size() > 0 && *graph_->node().rbegin()->output().begin() == t.name &&
         "only the newest tensor can be renamed");
  graph_->mutable_node()->rbegin()->set_output(0, name);
  if (auto r = ranges_.find(t.name); r != ranges_.end()) {
    auto range = r->second;
    ranges_.erase(r);
    ranges_[name] = range;
  }
  t.name = name;
}

onnx::AttributeProto *ModelBuilder::attr(onnx::NodeProto &n, const std::string &name,
                                         onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}

void ModelBuilder::attrInt(onnx::NodeProto &n, const std::string &name, int64_t v) {
  attr(n, name, onnx::AttributeProto::INT)->set_i(v);
}

void ModelBuilder::attrFloat(onnx::NodeProto &n, const std::string &name, double v) {
  attr(n, name, onnx::AttributeProto::FLOAT)->set_f(float(v));
}

void ModelBuilder::attrInts(onnx::NodeProto &n, const std::string &name,
                            const std::vector<int64_t> &v) {
  auto *a = attr(n, name, onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}

//===-- Ops ---------------------------------------------------------------===//

void ModelBuilder::checkSpatial(const Names &n, const Tensor &x, Tensor &y) {
  if (y.dims[2] >= 1 && y.dims[3] >= 1)
    return;
  if (error_.empty())
    error_ = fmt::format("node '{}': its {}x{} input is smaller than its window; "
                         "use a larger --size",
                         n.node, x.dims[2], x.dims[3]);
  y.dims[2] = std::max<int64_t>(y.dims[2], 1);
  y.dims[3] = std::max<int64_t>(y.dims[3], 1);
}

Tensor ModelBuilder::conv(const Names &n, const Tensor &x, const std::string &weight,
                          const std::string &bias, int64_t outChannels, const Window &w,
                          int64_t group) {
  int64_t inChannels = x.dims[1];
  assert(inChannels % group == 0 && outChannels % group == 0);
  int64_t inPerGroup = inChannels / group;
  int64_t taps = w.kernel[0] * w.kernel[1], fanIn = inPerGroup * taps;

  Tensor y{n.output, x.dims, nullptr};
  y.dims[1] = outChannels;
  y.dims[2] = windowOutput(x.dims[2], w, 0);
  y.dims[3] = windowOutput(x.dims[3], w, 1);
  checkSpatial(n, x, y);

  // He initialization.
  float *wd = initializer(weight, {outChannels, inPerGroup, w.kernel[0], w.kernel[1]});
  Rng r = rng(weight);
  double stddev = std::sqrt(2.0 / double(fanIn));
  for (int64_t i = 0, e = outChannels * fanIn; i < e; ++i)
    wd[i] = float(r.normal() * stddev);
  std::vector<std::string> inputs = {x.name, weight};
  float *bd = nullptr;
  if (!bias.empty()) {
    bd = initializer(bias, {outChannels});
    Rng rb = rng(bias);
    for (int64_t o = 0; o < outChannels; ++o)
      bd[o] = float(rb.normal() * BiasStddev);
    inputs.push_back(bias);
  }
  if (x.act)
    y.act = std::make_shared<Activations>(
        conv2d(*x.act, wd, bd, outChannels, w, group, y.dims[2], y.dims[3]));

  onnx::NodeProto &node = this->node("Conv", n, inputs);
  attrInts(node, "dilations", {1, 1});
  attrInt(node, "group", group);
  attrInts(node, "kernel_shape", {w.kernel[0], w.kernel[1]});
  attrInts(node, "pads", onnxPads(w));
  attrInts(node, "strides", {w.stride[0], w.stride[1]});
  return observe(std::move(y));
}

Tensor ModelBuilder::batchNorm(const Names &n, const Tensor &x, const std::string &scale,
                               const std::string &shift, const std::string &mean,
                               const std::string &var, double gammaScale, double epsilon,
                               double momentum) {
  int64_t c = x.dims[1];
  float *gamma = initializer(scale, {c});
  float *beta = initializer(shift, {c});
  float *runMean = initializer(mean, {c});
  float *runVar = initializer(var, {c});
  assert(x.act && "call calibrate() before building a model with BN");
  std::vector<double> dataMean, dataVar;
  channelMoments(*x.act, dataMean, dataVar);
  Rng rg = rng(scale), rb = rng(shift), rm = rng(mean), rv = rng(var);
  for (int64_t i = 0; i < c; ++i) {
    // The statistics of the data reaching this BN, perturbed: the mean by up
    // to 0.1 standard deviations, the variance by a factor in [0.5, 1.5].
    double sigma2 = std::max(dataVar[i], 1e-6);
    gamma[i] = float(gammaScale * (1.0 + rg.uniform(-0.1, 0.1)));
    beta[i] = float(rb.uniform(-0.05, 0.05));
    runMean[i] = float(dataMean[i] + rm.uniform(-0.1, 0.1) * std::sqrt(sigma2));
    runVar[i] = float(sigma2 * rv.uniform(0.5, 1.5));
  }
  Tensor y{n.output, x.dims, nullptr};
  auto act = std::make_shared<Activations>(*x.act);
  batchNormInPlace(*act, gamma, beta, runMean, runVar, epsilon);
  y.act = std::move(act);
  onnx::NodeProto &node = this->node("BatchNormalization", n, {x.name, scale, shift, mean, var});
  attrFloat(node, "epsilon", epsilon);
  attrFloat(node, "momentum", momentum);
  return observe(std::move(y));
}

Tensor ModelBuilder::relu(const Names &n, const Tensor &x) {
  Tensor y{n.output, x.dims, nullptr};
  if (x.act) {
    auto act = std::make_shared<Activations>(*x.act);
    reluInPlace(*act);
    y.act = std::move(act);
  }
  node("Relu", n, {x.name});
  return observe(std::move(y));
}

Tensor ModelBuilder::add(const Names &n, const Tensor &a, const Tensor &b) {
  assert(a.dims == b.dims && "the zoo adds same-shaped tensors");
  Tensor y{n.output, a.dims, nullptr};
  if (a.act && b.act) {
    auto act = std::make_shared<Activations>(*a.act);
    addInPlace(*act, *b.act);
    y.act = std::move(act);
  }
  node("Add", n, {a.name, b.name});
  return observe(std::move(y));
}

Tensor ModelBuilder::pool(const char *opType, const Names &n, const Tensor &x, const Window &w) {
  Tensor y{n.output, x.dims, nullptr};
  y.dims[2] = windowOutput(x.dims[2], w, 0);
  y.dims[3] = windowOutput(x.dims[3], w, 1);
  checkSpatial(n, x, y);
  if (x.act)
    y.act = std::make_shared<Activations>(std::string_view(opType) == "MaxPool"
                                              ? maxPool2d(*x.act, w, y.dims[2], y.dims[3])
                                              : avgPool2d(*x.act, w, y.dims[2], y.dims[3]));
  onnx::NodeProto &node = this->node(opType, n, {x.name});
  if (opset_ >= 10)
    attrInt(node, "ceil_mode", 0);
  if (opset_ >= 10 && std::string_view(opType) == "MaxPool")
    attrInts(node, "dilations", {1, 1});
  attrInts(node, "kernel_shape", {w.kernel[0], w.kernel[1]});
  attrInts(node, "pads", onnxPads(w));
  attrInts(node, "strides", {w.stride[0], w.stride[1]});
  return observe(std::move(y));
}

Tensor ModelBuilder::maxPool(const Names &n, const Tensor &x, const Window &w) {
  return pool("MaxPool", n, x, w);
}

Tensor ModelBuilder::averagePool(const Names &n, const Tensor &x, const Window &w) {
  return pool("AveragePool", n, x, w);
}

Tensor ModelBuilder::globalAveragePool(const Names &n, const Tensor &x) {
  Tensor y{n.output, x.dims, nullptr};
  y.dims[2] = y.dims[3] = 1;
  node("GlobalAveragePool", n, {x.name});
  if (x.act) {
    auto act = std::make_shared<Activations>(Activations::zeros(x.act->n, x.act->c, 1, 1));
    int64_t hw = x.act->h * x.act->w;
    for (int64_t i = 0; i < x.act->n; ++i)
      for (int64_t c = 0; c < x.act->c; ++c) {
        double sum = 0;
        const float *p = x.act->plane(i, c);
        for (int64_t k = 0; k < hw; ++k)
          sum += p[k];
        *act->plane(i, c) = float(sum / double(hw));
      }
    y.act = std::move(act);
  }
  return observe(std::move(y));
}

Tensor ModelBuilder::lrn(const Names &n, const Tensor &x, int64_t size, double alpha, double beta,
                         double bias) {
  Tensor y{n.output, x.dims, nullptr}; // no BN follows LRN in the zoo
  onnx::NodeProto &node = this->node("LRN", n, {x.name});
  attrFloat(node, "alpha", alpha);
  attrFloat(node, "beta", beta);
  attrFloat(node, "bias", bias);
  attrInt(node, "size", size);
  return y;
}

Tensor ModelBuilder::flatten(const Names &n, const Tensor &x) {
  Tensor y{n.output, {x.dims[0], product(x.dims, 1)}, nullptr};
  attrInt(node("Flatten", n, {x.name}), "axis", 1);
  if (x.act) // the same values as [n, c*h*w, 1, 1]
    y.act = std::make_shared<Activations>(Activations{
        x.act->n, x.act->c * x.act->h * x.act->w, 1, 1, x.act->data});
  return observe(std::move(y));
}

Tensor ModelBuilder::reshape(const Names &n, const Tensor &x, const std::string &shape,
                             std::vector<int64_t> resultDims) {
  Tensor y{n.output, std::move(resultDims), nullptr};
  onnx::NodeProto &node = this->node("Reshape", n, {x.name, shape});
  if (opset_ >= 14)
    attrInt(node, "allowzero", 0);
  return y;
}

Tensor ModelBuilder::gemm(const Names &n, const Tensor &x, const std::string &weight,
                          const std::string &bias, int64_t outFeatures, double stddev) {
  int64_t inFeatures = x.dims[1];
  if (stddev == 0)
    stddev = std::sqrt(2.0 / double(inFeatures));
  float *wd = initializer(weight, {outFeatures, inFeatures});
  Rng r = rng(weight);
  for (int64_t i = 0, e = outFeatures * inFeatures; i < e; ++i)
    wd[i] = float(r.normal() * stddev);
  std::vector<std::string> inputs = {x.name, weight};
  float *bd = nullptr;
  if (!bias.empty()) {
    bd = initializer(bias, {outFeatures});
    Rng rb = rng(bias);
    for (int64_t i = 0; i < outFeatures; ++i)
      bd[i] = float(rb.normal() * BiasStddev);
    inputs.push_back(bias);
  }
  onnx::NodeProto &node = this->node("Gemm", n, inputs);
  attrFloat(node, "alpha", 1.0);
  attrFloat(node, "beta", 1.0);
  attrInt(node, "transB", 1);
  Tensor y{n.output, {x.dims[0], outFeatures}, nullptr};
  if (x.act && x.act->c * x.act->h * x.act->w == inFeatures) {
    auto act = std::make_shared<Activations>(Activations::zeros(x.act->n, outFeatures, 1, 1));
    for (int64_t i = 0; i < x.act->n; ++i)
      for (int64_t o = 0; o < outFeatures; ++o) {
        const float *in = x.act->plane(i, 0), *wo = wd + o * inFeatures;
        double sum = bd ? bd[o] : 0.0;
        for (int64_t k = 0; k < inFeatures; ++k)
          sum += double(in[k]) * double(wo[k]);
        *act->plane(i, o) = float(sum);
      }
    y.act = std::move(act);
  }
  return observe(std::move(y));
}

Tensor ModelBuilder::dropout(const Names &n, const Tensor &x, double ratio) {
  onnx::NodeProto &node = this->node("Dropout", n, {x.name});
  // Opset 12 made the ratio an optional input; its default is 0.5.
  if (opset_ < 12)
    attrFloat(node, "ratio", ratio);
  else
    assert(ratio == 0.5 && "opset >= 12: only the default ratio is written");
  return observe(Tensor{n.output, x.dims, x.act});
}

Tensor ModelBuilder::softmax(const Names &n, const Tensor &x) {
  assert(x.dims.size() == 2 && "same meaning before and after opset 13");
  attrInt(node("Softmax", n, {x.name}), "axis", 1);
  return Tensor{n.output, x.dims, nullptr};
}

std::string ModelBuilder::constantI64(const Names &n, const std::vector<int64_t> &values,
                                      bool scalar) {
  assert((!scalar || values.size() == 1) && "a scalar has one value");
  onnx::NodeProto &node = this->node("Constant", n, {});
  auto *a = attr(node, "value", onnx::AttributeProto::TENSOR);
  onnx::TensorProto *t = a->mutable_t();
  t->set_data_type(onnx::TensorProto::INT64);
  if (!scalar)
    t->add_dims(int64_t(values.size()));
  std::string *raw = t->mutable_raw_data();
  raw->resize(values.size() * sizeof(int64_t));
  std::memcpy(raw->data(), values.data(), raw->size());
  return n.output;
}

} // namespace kiln::zoo
