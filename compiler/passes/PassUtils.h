//===- PassUtils.h - Small graph-editing helpers shared by passes -*- C++ -*-===//
//
// Rewrites that several passes need: who reads a value, moving a node,
// letting a node absorb the one that consumes its result, making constants.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSUTILS_H
#define KILN_PASSES_PASSUTILS_H

#include "compiler/ir/IR.h"
#include "compiler/ir/OpAttrs.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// The one node reading `v`, or null when `v` has no reader, several
/// readers, or is a graph output (then its storage is the caller's).
Node *soleUser(const Graph &g, const Value *v);

/// Position of `n` in the graph's topological order.
size_t nodeIndex(const Graph &g, const Node *n);

/// Removes `n`, whose outputs must be unused.
void eraseNode(Graph &g, Node *n);

/// Moves `n` to just before `before`; returns the node at its new place
/// (the old pointer is invalid afterwards).
Node *moveBefore(Graph &g, Node *n, Node *before);

/// `consumer` reads `producer`'s only output and is its only reader; the
/// consumer disappears and the producer's result takes the consumer's type.
/// The surviving value keeps the producer's name unless the consumer's
/// output is a graph output, whose name is the API's.
void absorbConsumer(Graph &g, Node *producer, Node *consumer);

/// A new f32 constant named after `base`.
Value *addF32Constant(Graph &g, const std::string &base, Dims dims,
                      std::vector<float> data);

/// The epilogue form of an activation node (a row of Activations.def: the
/// fusion carries its attributes A and B), or nullopt for other ops and
/// UNFUSED_ACTIVATION rows.
std::optional<Fusion> activationFusion(const Node &n);

/// The Mul computing x * gate(x), where `gate` is a one-operand node on x
/// read by that Mul alone, and the Mul does not broadcast; else null.
Node *selfGatingMul(const Graph &g, const Node &gate);

bool isActivationFusion(OpKind op);
bool isPoolFusion(OpKind op);
/// True when `n` has a fused activation or pool, after which the epilogue
/// order (bias, add, activation, pool) admits nothing but a pool.
bool hasActivationOrPoolFusion(const Node &n);

/// Whether assign-layout runs Conv `conv` on NCHW<block>c: an f32 activation
/// result, constant weights, and one group or whole blocks of channels per
/// group (a depthwise conv is not). select-conv-algorithm sends the others
/// to the generic kernel.
bool convRunsBlocked(const Node &conv, int64_t block);

} // namespace kiln

#endif // KILN_PASSES_PASSUTILS_H
