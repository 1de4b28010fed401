//===- OpDispatch.h - Per-op tables merged from per-family rows --*- C++ -*-===//
//
// Shape inference, the reference interpreter and the code generator each
// find an op's function the same way: every family file of that layer ends
// with a table of {OpKind, function} rows for the ops it handles, and the
// layer merges its tables once into an array indexed by OpKind. So an op's
// rule, kernel and lowering are each registered next to their code, and no
// central switch names the op. tests/ir/OpDispatchTest.cpp checks that every
// op has an entry in every layer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPDISPATCH_H
#define KILN_IR_OPDISPATCH_H

#include "compiler/ir/IR.h"

#include <array>
#include <cassert>
#include <initializer_list>
#include <span>

namespace kiln {

/// One array indexed by OpKind from family tables of rows with members `op`
/// and `Fn`; ops without a row hold a null function. An op listed twice is a
/// programming error.
template <typename Row, typename Fn>
std::array<Fn, NumOpKinds> indexByOp(std::initializer_list<std::span<const Row>> tables,
                                     Fn Row::*fn) {
  std::array<Fn, NumOpKinds> byOp{};
  for (std::span<const Row> table : tables)
    for (const Row &row : table) {
      assert(!byOp[size_t(row.op)] && "op registered twice");
      byOp[size_t(row.op)] = row.*fn;
    }
  return byOp;
}

} // namespace kiln

#endif // KILN_IR_OPDISPATCH_H
