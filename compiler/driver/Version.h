//===- Version.h - What made the code: kiln, its revision, LLVM --*- C++ -*-===//
//
// `kiln --version` prints these, and the generated header names them (no
// timestamps: the same model and flags give the same bytes).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_VERSION_H
#define KILN_DRIVER_VERSION_H

#include "compiler/codegen/Target.h"

#include <string>

namespace kiln::driver {

struct VersionInfo {
  std::string kiln;     ///< the project's version, "0.1.0"
  std::string revision; ///< git revision at build time, "-dirty" if modified; "unknown"
  std::string llvm;     ///< LLVM's version, "16.0.6"
};

const VersionInfo &versionInfo();

/// One line: "kiln 0.1.0 (git e01a8d6f3b2c), LLVM 16.0.6".
std::string versionLine();

/// The target features that decide which kernels run, as set for `t`:
/// "+avx512f +avx512bw +avx512dq +avx512vl +avx2 +fma" ("" when none).
std::string kernelFeatures(const codegen::Target &t);

} // namespace kiln::driver

#endif // KILN_DRIVER_VERSION_H
