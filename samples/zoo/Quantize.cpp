//===- Quantize.cpp - QDQ quantization of a zoo model ---------------------===//

#include "samples/zoo/Quantize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <unordered_map>

namespace kiln::zoo {

namespace {

llvm::Error quantError(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "--quantize: " + message);
}

/// Scale and zero point of one tensor, or of each channel.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zeroPoint;
};

/// uint8, asymmetric, per tensor (ORT's compute_scale_zp): the range widened
/// to include 0, zero point rounded half to even.
QuantParams activationParams(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float scale = (hi - lo) / 255.0f;
  if (!(scale > 1e-30f))
    return {{1.0f}, {0}};
  float zp = std::nearbyint(-lo / scale);
  return {{scale}, {int64_t(std::clamp(zp, 0.0f, 255.0f))}};
}

class Quantizer {
public:
  Quantizer(onnx::ModelProto &m, const std::map<std::string, std::pair<float, float>> &ranges)
      : g_(*m.mutable_graph()), ranges_(ranges) {}

  llvm::Error run(int64_t &activations, int64_t &weights);

private:
  onnx::TensorProto *initializer(const std::string &name) {
    for (onnx::TensorProto &t : *g_.mutable_initializer())
      if (t.name() == name)
        return &t;
    return nullptr;
  }
  static float *floats(onnx::TensorProto &t) {
    return reinterpret_cast<float *>(t.mutable_raw_data()->data());
  }
  int64_t readers(const std::string &name) const {
    int64_t n = 0;
    for (const onnx::NodeProto &node : g_.node())
      n += std::count(node.input().begin(), node.input().end(), name);
    for (const onnx::ValueInfoProto &o : g_.output())
      n += o.name() == name;
    return n;
  }
  onnx::TensorProto &addInitializer(const std::string &name, int32_t type,
                                    const std::vector<int64_t> &dims, const void *data,
                                    size_t bytes) {
    onnx::TensorProto *t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(data, bytes);
    return *t;
  }
  void addParams(const std::string &base, const QuantParams &p, int32_t zpType, bool vector) {
    std::vector<int64_t> dims;
    if (vector)
      dims.push_back(int64_t(p.scale.size()));
    addInitializer(base + "_scale", onnx::TensorProto::FLOAT, dims, p.scale.data(),
                   p.scale.size() * sizeof(float));
    if (zpType == onnx::TensorProto::INT32) {
      std::vector<int32_t> z(p.zeroPoint.begin(), p.zeroPoint.end());
      addInitializer(base + "_zero_point", zpType, dims, z.data(), z.size() * 4);
    } else {
      std::vector<uint8_t> z;
      for (int64_t v : p.zeroPoint)
        z.push_back(uint8_t(v));
      addInitializer(base + "_zero_point", zpType, dims, z.data(), z.size());
    }
  }
  onnx::NodeProto makeNode(const std::string &op, const std::string &name,
                           std::vector<std::string> inputs, const std::string &output,
                           int64_t axis = -1) {
    onnx::NodeProto n;
    n.set_op_type(op);
    n.set_name(name);
    for (std::string &i : inputs)
      n.add_input(i);
    n.add_output(output);
    if (axis >= 0) {
      auto *a = n.add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
    }
    return n;
  }

  void foldBatchNorms();
  /// T -> Q -> DQ nodes appended to `out`; readers of T read dq(T).
  void emitQdq(const std::string &t, std::vector<onnx::NodeProto> &out);
  /// The int8 weight (and int32 bias) of Conv/Gemm `n` through DequantizeLinear.
  /// `x` names its activation input as the model wrote it.
  llvm::Error quantizeWeights(onnx::NodeProto &n, const std::string &x,
                              std::vector<onnx::NodeProto> &out);

  onnx::GraphProto &g_;
  const std::map<std::string, std::pair<float, float>> &ranges_;
  std::set<std::string> quantized_;                 // activation tensors
  std::unordered_map<std::string, QuantParams> params_;
  std::set<std::string> graphOutputs_;
  int64_t weights_ = 0;
};

// Conv(x, W, B?) -> y; BatchNormalization(y, gamma, beta, mean, var) -> z
//   ==> Conv(x, W * s, (B - mean) * s + beta) -> z, s = gamma / sqrt(var + eps)
void Quantizer::foldBatchNorms() {
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < g_.node_size(); ++i)
    for (const std::string &o : g_.node(i).output())
      producer[o] = i;
  std::vector<int> dead;
  for (int i = 0; i < g_.node_size(); ++i) {
    onnx::NodeProto &bn = *g_.mutable_node(i);
    if (bn.op_type() != "BatchNormalization" || bn.input_size() != 5)
      continue;
    auto it = producer.find(bn.input(0));
    if (it == producer.end())
      continue;
    onnx::NodeProto &conv = *g_.mutable_node(it->second);
    if (conv.op_type() != "Conv" || readers(conv.output(0)) != 1 ||
        graphOutputs_.count(conv.output(0)))
      continue;
    onnx::TensorProto *w = initializer(conv.input(1));
    onnx::TensorProto *gamma = initializer(bn.input(1)), *beta = initializer(bn.input(2));
    onnx::TensorProto *mean = initializer(bn.input(3)), *var = initializer(bn.input(4));
    if (!w || !gamma || !beta || !mean || !var)
      continue;
    double eps = 1e-5;
    for (const onnx::AttributeProto &a : bn.attribute())
      if (a.name() == "epsilon")
        eps = a.f();
    int64_t m = w->dims(0), per = 1;
    for (int d = 1; d < w->dims_size(); ++d)
      per *= w->dims(d);
    std::vector<float> bias(size_t(m), 0.0f);
    if (conv.input_size() > 2 && !conv.input(2).empty())
      if (onnx::TensorProto *b = initializer(conv.input(2)))
        std::memcpy(bias.data(), floats(*b), size_t(m) * 4);
    float *wd = floats(*w);
    for (int64_t c = 0; c < m; ++c) {
      double s = double(floats(*gamma)[c]) / std::sqrt(double(floats(*var)[c]) + eps);
      for (int64_t k = 0; k < per; ++k)
        wd[c * per + k] = float(double(wd[c * per + k]) * s);
      bias[size_t(c)] = float((double(bias[size_t(c)]) - double(floats(*mean)[c])) * s +
                              double(floats(*beta)[c]));
    }
    std::string biasName = bn.output(0) + "_fused_bias";
    addInitializer(biasName, onnx::TensorProto::FLOAT, {m}, bias.data(), bias.size() * 4);
    if (conv.input_size() > 2)
      conv.set_input(2, biasName);
    else
      conv.add_input(biasName);
    conv.set_output(0, bn.output(0));
    dead.push_back(i);
  }
  std::set<std::string> used;
  for (int i = 0; i < g_.node_size(); ++i)
    if (!std::count(dead.begin(), dead.end(), i))
      for (const std::string &in : g_.node(i).input())
        used.insert(in);
  auto *nodes = g_.mutable_node();
  for (auto d = dead.rbegin(); d != dead.rend(); ++d)
    nodes->erase(nodes->begin() + *d);
  auto *inits = g_.mutable_initializer();
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!used.count(inits->Get(i).name()))
      inits->erase(inits->begin() + i);
}

void Quantizer::emitQdq(const std::string &t, std::vector<onnx::NodeProto> &out) {
  const QuantParams &p = params_.at(t);
  addParams(t, p, onnx::TensorProto::UINT8, false);
  bool isOutput = graphOutputs_.count(t) > 0;
  std::string src = isOutput ? t + "_float" : t;
  std::string q = t + "_QuantizeLinear_Output";
  std::string dq = isOutput ? t : t + "_DequantizeLinear_Output";
  out.push_back(makeNode("QuantizeLinear", t + "_QuantizeLinear",
                         {src, t + "_scale", t + "_zero_point"}, q));
  out.push_back(makeNode("DequantizeLinear", t + "_DequantizeLinear",
                         {q, t + "_scale", t + "_zero_point"}, dq));
}

llvm::Error Quantizer::quantizeWeights(onnx::NodeProto &n, const std::string &x,
                                       std::vector<onnx::NodeProto> &out) {
  onnx::TensorProto *w = initializer(n.input(1));
  if (!w || w->data_type() != onnx::TensorProto::FLOAT || w->dims_size() < 2)
    return llvm::Error::success();
  if (n.op_type() == "Gemm")
    for (const onnx::AttributeProto &a : n.attribute())
      if (a.name() == "transB" && a.i() != 1)
        return quantError(fmt::format("Gemm '{}' without transB=1", n.name()));
  int64_t m = w->dims(0), per = 1;
  for (int d = 1; d < w->dims_size(); ++d)
    per *= w->dims(d);
  std::vector<int64_t> dims(w->dims().begin(), w->dims().end());
  const float *wd = floats(*w);
  QuantParams p;
  std::vector<int8_t> q(size_t(m * per));
  for (int64_t c = 0; c < m; ++c) {
    float amax = 0;
    for (int64_t k = 0; k < per; ++k)
      amax = std::max(amax, std::fabs(wd[c * per + k]));
    float scale = amax > 0 ? amax / 127.0f : 1.0f;
    p.scale.push_back(scale);
    p.zeroPoint.push_back(0);
    for (int64_t k = 0; k < per; ++k)
      q[size_t(c * per + k)] =
          int8_t(std::clamp(std::nearbyint(wd[c * per + k] / scale), -127.0f, 127.0f));
  }
  std::string name = w->name();
  addInitializer(name + "_quantized", onnx::TensorProto::INT8, dims, q.data(), q.size());
  std::vector<int8_t> zeros(size_t(m), 0);
  addInitializer(name + "_scale", onnx::TensorProto::FLOAT, {m}, p.scale.data(), size_t(m) * 4);
  addInitializer(name + "_zero_point", onnx::TensorProto::INT8, {m}, zeros.data(), size_t(m));
  out.push_back(makeNode("DequantizeLinear", name + "_DequantizeLinear",
                         {name + "_quantized", name + "_scale", name + "_zero_point"},
                         name + "_DequantizeLinear_Output", 0));
  n.set_input(1, name + "_DequantizeLinear_Output");
  ++weights_;

  // The bias: int32 at input_scale * weight_scale, when the input is quantized.
  if (n.input_size() < 3 || n.input(2).empty() || !quantized_.count(x))
    return llvm::Error::success();
  onnx::TensorProto *b = initializer(n.input(2));
  if (!b || b->data_type() != onnx::TensorProto::FLOAT)
    return llvm::Error::success();
  float inScale = params_.at(x).scale[0];
  const float *bd = floats(*b);
  QuantParams bp;
  std::vector<int32_t> bq(static_cast<size_t>(m));
  for (int64_t c = 0; c < m; ++c) {
    float s = inScale * p.scale[size_t(c)];
    bp.scale.push_back(s);
    bp.zeroPoint.push_back(0);
    bq[size_t(c)] = int32_t(std::clamp(double(std::nearbyint(bd[c] / s)), -2147483648.0,
                                       2147483647.0));
  }
  std::string bname = b->name();
  addInitializer(bname + "_quantized", onnx::TensorProto::INT32, {m}, bq.data(), bq.size() * 4);
  addParams(bname, bp, onnx::TensorProto::INT32, true);
  out.push_back(makeNode("DequantizeLinear", bname + "_DequantizeLinear",
                         {bname + "_quantized", bname + "_scale", bname + "_zero_point"},
                         bname + "_DequantizeLinear_Output", 0));
  n.set_input(2, bname + "_DequantizeLinear_Output");
  ++weights_;
  return llvm::Error::success();
}

llvm::Error Quantizer::run(int64_t &activations, int64_t &weights) {
  for (const onnx::ValueInfoProto &o : g_.output())
    graphOutputs_.insert(o.name());
  foldBatchNorms();

  // The activations to quantize: inputs and outputs of Conv and Gemm.
  for (const onnx::NodeProto &n : g_.node()) {
    if (n.op_type() != "Conv" && n.op_type() != "Gemm")
      continue;
    for (const std::string &t : {n.input(0), n.output(0)}) {
      auto r = ranges_.find(t);
      if (r == ranges_.end())
        continue;
      quantized_.insert(t);
      params_[t] = activationParams(r->second.first, r->second.second);
    }
  }

  // Rebuild the node list in order: Q/DQ after each quantized tensor's
  // producer (graph inputs first), weights' DQ before their reader.
  std::vector<onnx::NodeProto> out;
  for (const onnx::ValueInfoProto &in : g_.input())
    if (quantized_.count(in.name()))
      emitQdq(in.name(), out);
  std::vector<onnx::NodeProto> nodes(g_.node().begin(), g_.node().end());
  for (onnx::NodeProto &n : nodes) {
    std::string x = n.input_size() ? n.input(0) : "";
    for (int i = 0; i < n.input_size(); ++i)
      if (quantized_.count(n.input(i)))
        n.set_input(i, graphOutputs_.count(n.input(i))
                           ? n.input(i)
                           : n.input(i) + "_DequantizeLinear_Output");
    if (n.op_type() == "Conv" || n.op_type() == "Gemm")
      if (llvm::Error e = quantizeWeights(n, x, out))
        return e;
    std::vector<std::string> outs(n.output().begin(), n.output().end());
    for (size_t i = 0; i < outs.size(); ++i)
      if (quantized_.count(outs[i]) && graphOutputs_.count(outs[i]))
        n.set_output(int(i), outs[i] + "_float");
    out.push_back(n);
    for (const std::string &o : outs)
      if (quantized_.count(o))
        emitQdq(o, out);
  }
  g_.clear_node();
  for (onnx::NodeProto &n : out)
    *g_.add_node() = std::move(n);
  // Float weights now unread go.
  std::set<std::string> used;
  for (const onnx::NodeProto &n : g_.node())
    for (const std::string &in : n.input())
      used.insert(in);
  auto *inits = g_.mutable_initializer();
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!used.count(inits->Get(i).name()))
      inits->erase(inits->begin() + i);
  g_.clear_value_info(); // float shapes of renamed tensors; checkers infer them again
  activations = int64_t(quantized_.size());
  weights = weights_;
  return llvm::Error::success();
}

} // namespace

llvm::Error quantizeModel(onnx::ModelProto &model,
                          const std::map<std::string, std::pair<float, float>> &ranges,
                          int64_t &activations, int64_t &weights) {
  return Quantizer(model, ranges).run(activations, weights);
}

} // namespace kiln::zoo
