//===- ShapeFlags.cpp - --batch, --input-shape and --dim ------------------===//

#include "tools/kiln/ShapeFlags.h"

#include "compiler/ir/Diagnostics.h"

#include <charconv>
#include <fmt/format.h>

namespace kiln::cli {

namespace {

bool parseInt(std::string_view s, int64_t &out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

/// "1x3x640x640" -> {1,3,640,640}; values are checked against the model by
/// the importer, which names the input.
bool parseDims(std::string_view s, Dims &out) {
  out.clear();
  while (true) {
    size_t x = s.find('x');
    int64_t d;
    if (!parseInt(s.substr(0, x), d))
      return false;
    out.push_back(d);
    if (x == std::string_view::npos)
      return true;
    s.remove_prefix(x + 1);
  }
}

} // namespace

void ShapeFlags::declare(Args &args) {
  args.option("--batch", &batch, "N", "the leading dimension when it is symbolic (default 1)");
  args.list("--input-shape", &inputShapes, "[NAME=]D0xD1..",
            "an input's shape, binding its symbolic dimensions; repeatable (no NAME:\n"
            "                               the model's only input)");
  args.list("--dim", &dims, "SYMBOL=N", "a symbolic dimension's value wherever it appears; repeatable");
}

int ShapeFlags::apply(const std::string &command, const std::string &model,
                      driver::CompileOptions &opts) const {
  if (batch != std::numeric_limits<int64_t>::min()) {
    if (batch < 1)
      return usageError(command, fmt::format("--batch must be at least 1, got {}", batch));
    opts.batch = batch;
  }
  for (const std::string &spec : inputShapes) {
    // Dimensions never hold '=', names may.
    size_t eq = spec.rfind('=');
    std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
    Dims dims;
    if (!parseDims(eq == std::string::npos ? spec : spec.substr(eq + 1), dims))
      return usageError(command, fmt::format("--input-shape '{}': expected [NAME=]D0xD1x... "
                                             "with integer dimensions",
                                             displayName(spec)));
    if (!opts.inputShapes.emplace(name, dims).second)
      return usageError(command, name.empty()
                                     ? std::string("--input-shape without a name is given twice")
                                     : fmt::format("--input-shape is given twice for '{}'",
                                                   displayName(name)));
  }
  for (const std::string &spec : dims) {
    size_t eq = spec.rfind('=');
    int64_t value;
    if (eq == std::string::npos || eq == 0 || !parseInt(spec.substr(eq + 1), value))
      return usageError(command, fmt::format("--dim '{}': expected SYMBOL=VALUE",
                                             displayName(spec)));
    if (!opts.dims.emplace(spec.substr(0, eq), value).second)
      return usageError(command, fmt::format("--dim '{}' is given twice",
                                             displayName(spec.substr(0, eq))));
  }
  opts.note = [model](const std::string &line) {
    fmt::print(stderr, "note: {}: {}\n", displayName(model), line);
  };
  return -1;
}

} // namespace kiln::cli
