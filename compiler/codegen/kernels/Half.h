//===- Half.h - IEEE binary16 <-> binary32, freestanding ---------*- C++ -*-===//
//
// float16 tensors cross a compiled model's boundary (and Cast) only: kiln
// computes in float32. These are the one conversion, in integer arithmetic so
// that they need no F16C/FP16 instructions and no compiler runtime call
// (__extendhfsf2); the kernels, the reference interpreter and the driver's
// tensor files all use them, so every path rounds alike.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KERNELS_HALF_H
#define KILN_CODEGEN_KERNELS_HALF_H

#include <stdint.h>

/// Exact: every binary16 value (subnormals, infinities, NaN payloads) is a
/// binary32 value.
static inline __attribute__((always_inline)) float kiln_f16_to_f32(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13); // inf, NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (man << 13); // normal: rebias 15 -> 127
  } else if (man == 0) {
    bits = sign; // +-0
  } else {
    // Subnormal: man * 2^-24, normalized.
    int shift = __builtin_clz(man) - 21; // leading zeros within the 10 bits, +1
    man = (man << shift) & 0x3ffu;
    bits = sign | (uint32_t(113 - shift) << 23) | (man << 13);
  }
  return __builtin_bit_cast(float, bits);
}

/// Round to nearest, ties to even (what ONNX Runtime and numpy give);
/// overflow gives infinity, NaN stays NaN (quiet).
static inline __attribute__((always_inline)) uint16_t kiln_f32_to_f16(float f) {
  uint32_t bits = __builtin_bit_cast(uint32_t, f);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) // NaN: keep the top payload bits, force quiet
    return uint16_t(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  if (abs >= 0x477ff000u) // >= 65520 rounds to infinity
    return uint16_t(sign | 0x7c00u);
  if (abs >= 0x38800000u) { // normal in f16 (>= 2^-14)
    uint32_t r = abs - (112u << 23);         // rebias 127 -> 15
    r += 0xfffu + ((r >> 13) & 1u);          // round to nearest even
    return uint16_t(sign | (r >> 13));
  }
  if (abs < 0x33000000u) // < 2^-25: rounds to zero
    return sign;
  // Subnormal in f16: value = m * 2^-24 with m rounded to nearest even.
  uint32_t e = abs >> 23;                    // 102..112
  uint32_t m = (abs & 0x7fffffu) | 0x800000u; // 24-bit significand
  uint32_t shift = 126 - e;                  // 14..24
  uint32_t half = 1u << (shift - 1);
  uint32_t q = m >> shift, rem = m & ((1u << shift) - 1);
  if (rem > half || (rem == half && (q & 1u)))
    ++q;
  return uint16_t(sign | q);
}

#endif // KILN_CODEGEN_KERNELS_HALF_H
