//===- OpAttrs.cpp - Typed readers of canonical attributes ----------------===//

#include "compiler/ir/OpAttrs.h"

#include "compiler/codegen/kernels/generic/Generic.h"

#include <cassert>

namespace kiln {

int64_t elementwiseCode(OpKind op, const Attrs &a) {
  switch (op) {
  case OpKind::Add: case OpKind::Sum: return KILN_BIN_ADD;
  case OpKind::Sub: return KILN_BIN_SUB;
  case OpKind::Mul: return KILN_BIN_MUL;
  case OpKind::Div: return KILN_BIN_DIV;
  case OpKind::Pow: return KILN_BIN_POW;
  case OpKind::Max: return KILN_BIN_MAX;
  case OpKind::Min: return KILN_BIN_MIN;
  case OpKind::Mean: return KILN_BIN_MEAN;
  case OpKind::Mod: return a.getInt("fmod", 0) ? KILN_BIN_FMOD : KILN_BIN_MOD;
  case OpKind::Equal: return KILN_BIN_EQUAL;
  case OpKind::Less: return KILN_BIN_LESS;
  case OpKind::Greater: return KILN_BIN_GREATER;
  case OpKind::LessOrEqual: return KILN_BIN_LESS_EQUAL;
  case OpKind::GreaterOrEqual: return KILN_BIN_GREATER_EQUAL;
  case OpKind::And: return KILN_BIN_AND;
  case OpKind::Or: return KILN_BIN_OR;
  case OpKind::Xor: return KILN_BIN_XOR;
  case OpKind::Not: return KILN_BIN_NOT;
  case OpKind::Where: return KILN_BIN_WHERE;
  case OpKind::BitShift:
    return a.has("direction") && a.getString("direction") == "RIGHT" ? KILN_BIN_SHIFT_RIGHT
                                                                     : KILN_BIN_SHIFT_LEFT;
  case OpKind::PRelu: return KILN_BIN_PRELU;
  default: break;
  }
  assert(false && "not an ElementwiseBinary op");
  return KILN_BIN_ADD;
}

bool elementwiseAccepts(OpKind op, DType t) {
  const bool number = t == DType::F32 || t == DType::I64 || t == DType::I32 ||
                      t == DType::I8 || t == DType::U8;
  switch (op) {
  case OpKind::And: case OpKind::Or: case OpKind::Xor: case OpKind::Not:
    return t == DType::Bool;
  case OpKind::BitShift: return t == DType::U8; // unsigned only; kiln has no u16..u64
  case OpKind::Mean: case OpKind::PRelu: return t == DType::F32;
  case OpKind::Pow: return t == DType::F32 || t == DType::I32 || t == DType::I64;
  case OpKind::Equal: return number || t == DType::Bool;
  case OpKind::Where: return number || t == DType::Bool;
  default: return number;
  }
}

DType elementwiseResult(OpKind op, DType t) {
  switch (op) {
  case OpKind::Equal: case OpKind::Less: case OpKind::Greater: case OpKind::LessOrEqual:
  case OpKind::GreaterOrEqual: case OpKind::And: case OpKind::Or: case OpKind::Xor:
  case OpKind::Not:
    return DType::Bool;
  default: return t;
  }
}

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
