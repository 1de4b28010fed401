//===- InputShapes.cpp - Binding graph inputs' symbolic dimensions --------===//

#include "frontend/InputShapes.h"

#include "compiler/ir/Diagnostics.h"
#include "frontend/Tensors.h"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace kiln::frontend {

namespace {

using Source = BoundDim::Source;

/// "'a', 'b'" for the error messages.
std::string quotedList(const std::vector<std::string> &names) {
  std::vector<std::string> q;
  for (const std::string &n : names)
    q.push_back("'" + displayName(n) + "'");
  return fmt::format("{}", fmt::join(q, ", "));
}

/// A dimension the model fixes: a positive value, or a 0 after the leading
/// one (an empty tensor). A leading 0 is an exporter's unknown batch.
bool isFixed(const onnx::TensorShapeProto::Dimension &d, int axis) {
  return d.has_dim_value() && (d.dim_value() > 0 || (d.dim_value() == 0 && axis > 0));
}

/// The flag that gave a value, as the user wrote it.
std::string flagFor(Source s, const std::string &symbol, int64_t value) {
  switch (s) {
  case Source::InputShape:
    return "--input-shape";
  case Source::Dim:
    return fmt::format("--dim {}={}", displayName(symbol), value);
  case Source::Batch:
    return fmt::format("--batch {}", value);
  case Source::Default:
    break;
  }
  return "the default batch of 1";
}

} // namespace

llvm::Expected<InputShapeBinder>
InputShapeBinder::create(const onnx::GraphProto &g, const std::set<std::string> &initializers,
                         const ImportOptions &opts) {
  InputShapeBinder b(opts);
  std::vector<std::string> inputs;
  std::map<std::string, const onnx::ValueInfoProto *> byName;
  for (const auto &vi : g.input())
    if (!initializers.count(vi.name()) && byName.emplace(vi.name(), &vi).second)
      inputs.push_back(vi.name());

  for (const auto &[key, dims] : opts.inputShapes) {
    std::string name = key;
    if (name.empty()) {
      if (inputs.size() != 1)
        return inputError(fmt::format("--input-shape without a name needs a model with one "
                                      "input; this one has {}: {}",
                                      inputs.size(), quotedList(inputs)));
      name = inputs[0];
    }
    if (!byName.count(name))
      return inputError(fmt::format("--input-shape names '{}', which is not a graph input "
                                    "(the inputs are {})",
                                    displayName(name), quotedList(inputs)));
    if (!b.shapes_.emplace(name, dims).second)
      return inputError(fmt::format("--input-shape is given twice for graph input '{}'",
                                    displayName(name)));
  }

  // Symbols the inputs declare, and the values --input-shape gives them.
  std::set<std::string> symbols;
  for (const std::string &name : inputs) {
    const onnx::ValueInfoProto &vi = *byName[name];
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      continue;
    const auto &shape = vi.type().tensor_type().shape();
    auto given = b.shapes_.find(name);
    bool sameRank = given != b.shapes_.end() && int(given->second.size()) == shape.dim_size();
    for (int i = 0; i < shape.dim_size(); ++i) {
      const auto &d = shape.dim(i);
      if (d.has_dim_value() || d.dim_param().empty())
        continue;
      symbols.insert(d.dim_param());
      if (sameRank && !opts.dims.count(d.dim_param()))
        b.learned_.emplace(d.dim_param(), given->second[size_t(i)]);
    }
  }
  for (const auto &[symbol, value] : opts.dims)
    if (!symbols.count(symbol))
      return inputError(fmt::format(
          "--dim {}={}: no graph input has a dimension named '{}' ({})", displayName(symbol),
          value, displayName(symbol),
          symbols.empty() ? std::string("the inputs declare no symbols")
                          : "the inputs' symbols are " +
                                quotedList({symbols.begin(), symbols.end()})));
  return b;
}

llvm::Expected<TensorType> InputShapeBinder::bind(const onnx::ValueInfoProto &vi,
                                                  InputBinding &binding) const {
  auto type = graphInputType(vi);
  if (!type)
    return type.takeError();
  const std::string what = fmt::format("graph input '{}'", displayName(vi.name()));
  const auto &shape = vi.type().tensor_type().shape();
  const int rank = shape.dim_size();
  const Dims *given = nullptr;
  if (auto it = shapes_.find(vi.name()); it != shapes_.end())
    given = &it->second;
  if (given && int(given->size()) != rank)
    return inputError(fmt::format("{} has {} dimensions, --input-shape gives {}", what, rank,
                                  given->size()));

  binding.input = vi.name();
  binding.dims.clear();
  for (int i = 0; i < rank; ++i) {
    const auto &d = shape.dim(i);
    if (isFixed(d, i)) {
      if (given && (*given)[size_t(i)] != d.dim_value())
        return inputError(fmt::format("{}: dimension {} is {} in the model, --input-shape "
                                      "gives {}",
                                      what, i, d.dim_value(), (*given)[size_t(i)]));
      type->dims.push_back(d.dim_value());
      continue;
    }
    if (d.has_dim_value() && d.dim_value() < -1)
      return inputError(fmt::format("{}: dimension {} is {}", what, i, d.dim_value()));
    const std::string symbol = d.has_dim_value() ? "" : d.dim_param();
    const std::string label =
        symbol.empty() ? fmt::format("dimension {}", i)
                       : fmt::format("dimension {} ('{}')", i, displayName(symbol));

    // Every flag that gives this dimension a value must give the same one.
    std::optional<BoundDim> bound;
    auto offer = [&](int64_t value, Source source) -> llvm::Error {
      if (bound && bound->value != value)
        return inputError(fmt::format("{}: {} is {} by {} and {} by {}", what, label,
                                      bound->value, flagFor(bound->source, symbol, bound->value),
                                      value, flagFor(source, symbol, value)));
      if (!bound)
        bound = BoundDim{i, symbol, value, source};
      return llvm::Error::success();
    };
    if (given)
      if (auto e = offer((*given)[size_t(i)], Source::InputShape))
        return e;
    if (auto it = opts_->dims.find(symbol); !symbol.empty() && it != opts_->dims.end())
      if (auto e = offer(it->second, Source::Dim))
        return e;
    if (i == 0 && opts_->batch)
      if (auto e = offer(*opts_->batch, Source::Batch))
        return e;
    if (!bound) {
      if (auto it = learned_.find(symbol); !symbol.empty() && it != learned_.end())
        bound = BoundDim{i, symbol, it->second, Source::InputShape};
      else if (i == 0)
        bound = BoundDim{i, symbol, 1, Source::Default};
    }
    if (!bound) {
      // The flag that would bind it, with what is known so far filled in.
      std::vector<std::string> dims;
      for (int j = 0; j < rank; ++j)
        dims.push_back(j < i                        ? fmt::to_string(type->dims[size_t(j)])
                       : isFixed(shape.dim(j), j) ? fmt::to_string(shape.dim(j).dim_value())
                                                  : "N");
      std::string inputShape = fmt::format("--input-shape {}={}", displayName(vi.name()),
                                           fmt::join(dims, "x"));
      if (symbol.empty())
        return inputError(fmt::format("{}: dimension {} is unknown; bind it with {}", what, i,
                                      inputShape));
      return inputError(fmt::format("{}: {} is symbolic; bind it with --dim {}=N or {}", what,
                                    label, displayName(symbol), inputShape));
    }
    // A 0 only where the model declares one; nothing beyond the element limit.
    bool declaredEmpty = d.has_dim_value() && d.dim_value() == 0;
    if ((bound->value == 0 && !(declaredEmpty && bound->source == Source::InputShape)) ||
        bound->value < 0)
      return inputError(fmt::format("{}: {} cannot be {} ({}): a dimension is at least 1",
                                    what, label, bound->value,
                                    flagFor(bound->source, symbol, bound->value)));
    if (bound->value > limits::MaxElements)
      return inputError(fmt::format("{}: {} cannot be {} ({}): more than the limit of {} "
                                    "elements",
                                    what, label, bound->value,
                                    flagFor(bound->source, symbol, bound->value),
                                    limits::MaxElements));
    type->dims.push_back(bound->value);
    binding.dims.push_back(*bound);
  }
  if (!checkedElementCount(type->dims))
    return inputError(fmt::format("{}: shape [{}] has too many elements (the limit is {})",
                                  what, fmt::join(type->dims, ","), limits::MaxElements));
  binding.type = *type;
  return type;
}

} // namespace kiln::frontend
