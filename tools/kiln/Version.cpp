//===- Version.cpp - kiln version: what this kiln is and targets ----------===//
//
//   $ kiln --version
//   kiln 0.1.0
//   revision: e01a8d6f3b2c
//   LLVM: 16.0.6
//   host: x86_64-pc-linux-gnu cpu=znver4 lanes=16 (host), kernels for +avx512f ...
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"

#include "compiler/driver/Driver.h"
#include "compiler/driver/Version.h"

#include <fmt/format.h>

namespace kiln::cli {

int versionMain(int argc, char **argv) {
  Args args("version", "",
            "Print kiln's version, its git revision, LLVM's version and the host\n"
            "target the code is compiled for by default.");
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  const driver::VersionInfo &v = driver::versionInfo();
  fmt::print("kiln {}\nrevision: {}\nLLVM: {}\n", v.kiln, v.revision, v.llvm);
  auto host = driver::resolveTarget({});
  if (!host) {
    fmt::print("host: unsupported ({})\n", llvm::toString(host.takeError()));
    return 0;
  }
  std::string features = driver::kernelFeatures(*host);
  fmt::print("host: {}, kernels for {}\n", host->describe(),
             features.empty() ? std::string("baseline vectors") : features);
  return 0;
}

} // namespace kiln::cli
