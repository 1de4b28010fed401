//===- ObjectWriter.cpp - Object, assembly and IR files -------------------===//

#include "compiler/codegen/ObjectWriter.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::codegen {

llvm::Error writeModule(llvm::Module &m, llvm::TargetMachine &tm,
                        const std::string &path, EmitKind kind) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec,
                          kind == EmitKind::Object ? llvm::sys::fs::OF_None
                                                   : llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s", path.c_str(),
                                   ec.message().c_str());
  if (kind == EmitKind::LLVM) {
    m.print(os, nullptr);
  } else {
    llvm::legacy::PassManager pm;
    auto type = kind == EmitKind::Object ? llvm::CGFT_ObjectFile
                                         : llvm::CGFT_AssemblyFile;
    if (tm.addPassesToEmitFile(pm, os, nullptr, type))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the target cannot emit this file type");
    pm.run(m);
  }
  os.flush();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write %s: %s",
                                   path.c_str(), os.error().message().c_str());
  return llvm::Error::success();
}

} // namespace kiln::codegen
