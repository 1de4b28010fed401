//===- Types.h - Element types, shapes and tensor types ----------*- C++ -*-===//
//
// Every value in kiln's IR has a static TensorType: an element type and a
// shape with known, non-negative dimensions. float32 is what kernels compute
// in; int64 carries shape arithmetic; the other types exist so that the
// importer can name what it does not support instead of misreading it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_TYPES_H
#define KILN_IR_TYPES_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

enum class DType : uint8_t { F32, F16, F64, I8, I32, I64, U8, Bool };

/// Size of one element in bytes.
size_t dtypeSize(DType t);
/// Lower-case name as printed in the IR: f32, i64, ...
const char *dtypeName(DType t);

using Dims = std::vector<int64_t>;

/// Resource limits for untrusted models, stated once. The importer checks
/// them before it allocates anything sized by the file.
namespace limits {
inline constexpr int64_t MaxRank = 8;
inline constexpr int64_t MaxElements = int64_t(1) << 32;      // per tensor
inline constexpr int64_t MaxTotalBytes = int64_t(16) << 30;   // all tensors
inline constexpr int64_t MaxFileBytes = int64_t(4) << 30;     // model file
inline constexpr int64_t MaxNodes = 1 << 20;

// Constant folding runs the reference interpreter's plain loops at compile
// time; a node beyond these budgets is left to the compiled code.
/// Result elements of a node folded at import: the importer folds shape
/// arithmetic of a model not yet checked, so a hostile shape cannot make it
/// allocate gigabytes (a Dropout mask it makes is bounded alike).
inline constexpr int64_t MaxImportFoldElements = int64_t(1) << 20;
/// Result elements of a node fold-constants folds: 512 MiB of f32, above
/// VGG-16's 103 M-element fc6 weight that exporters may leave transposed; a
/// larger constant would rather be computed at run time than stored.
inline constexpr int64_t MaxFoldElements = int64_t(1) << 27;
/// Work of a node either folder folds, in multiply-adds (element operations
/// for ops without any; ref::evaluationMacs): about a second of the
/// reference's loops (measured: its Conv and MatMul run 1.4-2.6 G
/// multiply-adds/s on one core). A Conv of constants costing 430 G
/// multiply-adds would hold the compiler for minutes; left as a node, it runs
/// on the compiled, vectorized and threaded kernels.
inline constexpr int64_t MaxFoldMacs = int64_t(1) << 30;
} // namespace limits

/// Product of dims, or std::nullopt when it overflows int64 or exceeds
/// limits::MaxElements, or a dim is negative.
std::optional<int64_t> checkedElementCount(const Dims &dims);

struct TensorType {
  DType dtype = DType::F32;
  Dims dims;

  int64_t rank() const { return int64_t(dims.size()); }
  /// Element count. Shapes in a verified graph never overflow.
  int64_t numElements() const;
  int64_t numBytes() const { return numElements() * int64_t(dtypeSize(dtype)); }
  bool operator==(const TensorType &o) const = default;
  /// "f32[1,3,224,224]"
  std::string str() const;
};

/// How a 4-D activation is laid out in memory. The logical shape is always
/// NCHW; layout only changes where elements live, so the reference
/// interpreter ignores it and the code generator honours it.
struct Layout {
  enum Kind : uint8_t { Plain, NCHWc } kind = Plain;
  int32_t block = 0; // channels per block for NCHWc (16 for AVX-512, ...)

  bool operator==(const Layout &o) const = default;
  /// "nchw" or "nchw16c"
  std::string str() const;
};

/// Bytes a value of this type occupies in the given layout: blocked layouts
/// round the channel dimension up to a whole block.
int64_t storageBytes(const TensorType &t, const Layout &l);

} // namespace kiln

#endif // KILN_IR_TYPES_H
