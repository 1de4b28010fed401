//===- OpAttrs.cpp - Typed readers of canonical attributes ----------------===//

#include "compiler/ir/OpAttrs.h"

#include <cassert>

namespace kiln {

namespace {
Window2d window(const Attrs &a) {
  const auto &k = a.getInts("kernel"), &s = a.getInts("strides"),
             &p = a.getInts("pads");
  assert(k.size() == 2 && s.size() == 2 && p.size() == 4 && "2-D windows");
  Window2d w{k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3]};
  if (a.has("dilations")) {
    const auto &d = a.getInts("dilations");
    assert(d.size() == 2 && "2-D windows");
    w.dh = d[0];
    w.dw = d[1];
  }
  return w;
}
} // namespace

ConvAttrs convAttrs(const Attrs &a) { return {window(a), a.getInt("group")}; }

PoolAttrs poolAttrs(const Attrs &a) {
  return {window(a), a.getInt("ceil_mode", 0) != 0,
          a.getInt("count_include_pad", 0) != 0};
}

} // namespace kiln
