//===- Printer.cpp - Text, JSON and Graphviz views of a graph -------------===//

#include "compiler/ir/Printer.h"

#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

namespace kiln {

namespace {

/// Lower-case ONNX name, as fusions are listed: "MaxPool" -> "maxpool".
std::string lowerOpName(OpKind op) {
  std::string s = opName(op);
  for (char &c : s)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool isPlainName(const std::string &s) {
  if (s.empty())
    return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '.' || c == '/' || c == ':' || c == '-'))
      return false;
  return true;
}

/// Escapes for a double-quoted string in text, dot and C: control bytes,
/// quotes and backslashes; UTF-8 passes through.
std::string quoteEscaped(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", char(c));
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += char(c);
  }
  return out + "\"";
}

/// %name for activations, @name for constants; quoted when not plain.
std::string ref(const Value *v) {
  char sigil = v->isConstant() ? '@' : '%';
  return isPlainName(v->name) ? fmt::format("{}{}", sigil, v->name)
                              : fmt::format("{}{}", sigil, quoteEscaped(v->name));
}

std::string formatDouble(double d) {
  if (std::isinf(d))
    return d > 0 ? "inf" : "-inf";
  return fmt::format("{}", d);
}

/// Window-shaped lists print as 3x3, everything else as [a,b,c].
std::string formatAttr(const std::string &name, const AttrValue &v) {
  struct Visitor {
    const std::string &name;
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return formatDouble(d); }
    std::string operator()(const std::string &s) const { return quoteEscaped(s); }
    std::string operator()(const std::vector<int64_t> &l) const {
      bool window = name == "kernel" || name == "strides" || name == "dilations";
      if (window && !l.empty())
        return fmt::format("{}", fmt::join(l, "x"));
      return fmt::format("[{}]", fmt::join(l, ","));
    }
    std::string operator()(const std::vector<double> &l) const {
      std::vector<std::string> parts;
      for (double d : l)
        parts.push_back(formatDouble(d));
      return fmt::format("[{}]", fmt::join(parts, ","));
    }
  };
  return std::visit(Visitor{name}, v);
}

std::string formatAttrs(const Attrs &attrs) {
  std::vector<std::string> parts;
  for (const auto &[k, v] : attrs.all())
    parts.push_back(fmt::format("{}={}", k, formatAttr(k, v)));
  return fmt::format("{}", fmt::join(parts, " "));
}

std::string formatFusion(const Fusion &f) {
  std::string s = lowerOpName(f.op);
  if (!f.attrs.all().empty())
    s += fmt::format("{{{}}}", formatAttrs(f.attrs));
  return s;
}

std::string formatPlacement(const Value *v) {
  std::string s;
  if (v->layout.kind != Layout::Plain)
    s += " " + v->layout.str();
  if (v->viewOf)
    s += fmt::format(" view-of {}", ref(v->viewOf));
  else if (v->offset >= 0)
    s += fmt::format(" ws+{}", v->offset);
  return s;
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

/// JSON string literal. Invalid UTF-8 bytes become U+FFFD so that the
/// output is always valid JSON whatever the model's names hold.
std::string json(const std::string &s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
    } else if (c < 0x80) {
      out += char(c);
      ++i;
    } else {
      int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (int k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok) {
        out.append(s, i, len);
        i += len;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
  }
  return out + "\"";
}

std::string jsonDouble(double d) {
  if (std::isinf(d))
    return d > 0 ? "1e999" : "-1e999"; // parsers read these as +-infinity
  if (std::isnan(d))
    return "null";
  return fmt::format("{}", d);
}

std::string jsonAttr(const AttrValue &v) {
  struct Visitor {
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return jsonDouble(d); }
    std::string operator()(const std::string &s) const { return json(s); }
    std::string operator()(const std::vector<int64_t> &l) const {
      return fmt::format("[{}]", fmt::join(l, ","));
    }
    std::string operator()(const std::vector<double> &l) const {
      std::vector<std::string> parts;
      for (double d : l)
        parts.push_back(jsonDouble(d));
      return fmt::format("[{}]", fmt::join(parts, ","));
    }
  };
  return std::visit(Visitor{}, v);
}

std::string jsonAttrs(const Attrs &a) {
  std::vector<std::string> parts;
  for (const auto &[k, v] : a.all())
    parts.push_back(fmt::format("{}:{}", json(k), jsonAttr(v)));
  return fmt::format("{{{}}}", fmt::join(parts, ","));
}

std::string jsonTensor(const Value *v) {
  return fmt::format("{{\"name\":{},\"dtype\":\"{}\",\"shape\":[{}]}}", json(v->name),
                     dtypeName(v->type.dtype), fmt::join(v->type.dims, ","));
}

std::string jsonNames(const std::vector<Value *> &vs) {
  std::vector<std::string> parts;
  for (const Value *v : vs)
    parts.push_back(json(v->name));
  return fmt::format("[{}]", fmt::join(parts, ","));
}

/// A Graphviz label of several lines: each escaped, joined by dot's "\n".
std::string dotLabel(const std::vector<std::string> &lines) {
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i)
      out += "\\n";
    for (unsigned char c : lines[i]) {
      if (c == '"' || c == '\\')
        out += fmt::format("\\{}", char(c));
      else if (c < 0x20 || c == 0x7f)
        out += ' ';
      else
        out += char(c);
    }
  }
  return out + "\"";
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string printText(const Graph &g) {
  std::string out = fmt::format("graph {} {{\n", quoteEscaped(g.name));
  for (const Value *in : g.inputs)
    out += fmt::format("  input  {} : {}\n", ref(in), in->type.str());
  for (const Value *o : g.outputs)
    out += fmt::format("  output {} : {}\n", ref(o), o->type.str());
  int64_t constBytes = 0, constCount = 0;
  for (const auto &v : g.values())
    if (v->isConstant()) {
      constBytes += v->type.numBytes();
      ++constCount;
    }
  out += fmt::format("  constants: {} ({:.1f} MB)\n", constCount, constBytes / 1e6);
  if (g.workspaceBytes > 0)
    out += fmt::format("  workspace: {} bytes\n", g.workspaceBytes);
  out += "\n";
  for (const auto &n : g.nodes()) {
    std::vector<std::string> results, operands;
    for (const Value *v : n->outputs)
      results.push_back(ref(v));
    for (const Value *v : n->inputs)
      operands.push_back(ref(v));
    std::string line = fmt::format("  {} = {}({})", fmt::join(results, ", "),
                                   opName(n->op), fmt::join(operands, ", "));
    std::string attrs = formatAttrs(n->attrs);
    if (!n->fused.empty()) {
      std::vector<std::string> fused;
      for (const Fusion &f : n->fused)
        fused.push_back(formatFusion(f));
      attrs += fmt::format("{}fused=[{}]", attrs.empty() ? "" : " ", fmt::join(fused, ","));
    }
    if (!attrs.empty())
      line += fmt::format(" {{{}}}", attrs);
    std::vector<std::string> types;
    for (const Value *v : n->outputs)
      types.push_back(v->type.str() + formatPlacement(v));
    line += fmt::format(" : {}", fmt::join(types, ", "));
    if (n->name != (n->outputs.empty() ? "" : n->outputs[0]->name))
      line += fmt::format("  # {}", quoteEscaped(n->name));
    out += line + "\n";
  }
  out += "}\n";
  return out;
}

std::string printJson(const Graph &g) {
  std::vector<std::string> inputs, outputs, constants, nodes;
  for (const Value *v : g.inputs)
    inputs.push_back(jsonTensor(v));
  for (const Value *v : g.outputs)
    outputs.push_back(jsonTensor(v));
  for (const auto &v : g.values())
    if (v->isConstant())
      constants.push_back(jsonTensor(v.get()));
  for (const auto &n : g.nodes()) {
    std::vector<std::string> fused, offsets, layouts;
    for (const Fusion &f : n->fused)
      fused.push_back(json(lowerOpName(f.op)));
    std::string shape = n->outputs.empty()
                            ? "[]"
                            : fmt::format("[{}]", fmt::join(n->outputs[0]->type.dims, ","));
    for (const Value *v : n->outputs) {
      const Value *root = v->viewOf ? v->viewOf : v;
      offsets.push_back(fmt::format("{}", root->offset));
      layouts.push_back(json(v->layout.str()));
    }
    nodes.push_back(fmt::format(
        "{{\"name\":{},\"op\":{},\"inputs\":{},\"outputs\":{},\"attrs\":{},"
        "\"shape\":{},\"dtype\":\"{}\",\"fused\":[{}],\"fused_attrs\":[{}],"
        "\"layout\":[{}],\"offset\":[{}]}}",
        json(n->name), json(opName(n->op)), jsonNames(n->inputs), jsonNames(n->outputs),
        jsonAttrs(n->attrs), shape,
        n->outputs.empty() ? "f32" : dtypeName(n->outputs[0]->type.dtype),
        fmt::join(fused, ","),
        [&] {
          std::vector<std::string> a;
          for (const Fusion &f : n->fused)
            a.push_back(jsonAttrs(f.attrs));
          return fmt::format("{}", fmt::join(a, ","));
        }(),
        fmt::join(layouts, ","), fmt::join(offsets, ",")));
  }
  return fmt::format("{{\"name\":{},\"inputs\":[{}],\"outputs\":[{}],\"constants\":[{}],"
                     "\"workspace_bytes\":{},\"nodes\":[\n{}\n]}}\n",
                     json(g.name), fmt::join(inputs, ","), fmt::join(outputs, ","),
                     fmt::join(constants, ","), g.workspaceBytes, fmt::join(nodes, ",\n"));
}

std::string printDot(const Graph &g) {
  // Activations are edges; constants are folded into the node label's count.
  std::unordered_map<const Value *, std::string> producerId;
  std::string out = fmt::format("digraph {} {{\n  rankdir=TB;\n  node [shape=box, "
                                "style=rounded, fontname=\"Helvetica\"];\n",
                                dotLabel({g.name.empty() ? "kiln" : g.name}));
  int id = 0;
  for (const Value *in : g.inputs) {
    std::string nid = fmt::format("in{}", id++);
    producerId[in] = nid;
    out += fmt::format("  {} [shape=ellipse, label={}];\n", nid,
                       dotLabel({in->name, in->type.str()}));
  }
  for (const auto &n : g.nodes()) {
    std::string nid = fmt::format("n{}", id++);
    std::string op = opName(n->op);
    for (const Fusion &f : n->fused)
      op += "+" + lowerOpName(f.op);
    std::vector<std::string> label = {op, n->name};
    if (!n->outputs.empty())
      label.push_back(n->outputs[0]->type.str() + formatPlacement(n->outputs[0]));
    out += fmt::format("  {} [label={}];\n", nid, dotLabel(label));
    for (const Value *v : n->outputs)
      producerId[v] = nid;
    for (const Value *v : n->inputs) {
      auto it = producerId.find(v);
      if (it != producerId.end())
        out += fmt::format("  {} -> {};\n", it->second, nid);
    }
  }
  for (const Value *o : g.outputs) {
    std::string nid = fmt::format("out{}", id++);
    out += fmt::format("  {} [shape=ellipse, label={}];\n", nid,
                       dotLabel({o->name, o->type.str()}));
    auto it = producerId.find(o);
    if (it != producerId.end())
      out += fmt::format("  {} -> {};\n", it->second, nid);
  }
  out += "}\n";
  return out;
}

} // namespace kiln
