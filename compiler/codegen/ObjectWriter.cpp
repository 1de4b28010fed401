//===- ObjectWriter.cpp - Object, assembly and IR files -------------------===//

#include "compiler/codegen/ObjectWriter.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <map>
#include <unistd.h>

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

llvm::Error patchWeights(const std::string &path,
                         const std::vector<std::string> &symbols,
                         std::vector<Weight> &weights) {
  assert(symbols.size() == weights.size() && "one symbol per weight");
  auto fail = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: %s", path.c_str(), what.str().c_str());
  };
  // File offsets of the placeholders, from the symbol table: the symbol's
  // offset in its section plus the section's offset in the file.
  std::map<std::string, std::pair<uint64_t, uint64_t>> where; // offset, size
  {
    auto bin = llvm::object::ObjectFile::createObjectFile(path);
    if (!bin)
      return bin.takeError();
    llvm::object::ObjectFile &obj = *bin->getBinary();
    if (!llvm::isa<llvm::object::ELFObjectFileBase>(obj))
      return fail("weight placeholders need an ELF object");
    const char *base = obj.getData().data();
    for (const llvm::object::SymbolRef &sym : obj.symbols()) {
      auto name = sym.getName();
      auto sec = sym.getSection();
      auto value = sym.getValue();
      if (!name || !sec || !value) {
        llvm::consumeError(name.takeError());
        llvm::consumeError(sec.takeError());
        llvm::consumeError(value.takeError());
        continue;
      }
      if (*sec == obj.section_end() || !(*sec)->getName() ||
          *(*sec)->getName() != ".rodata.kiln_weights")
        continue;
      auto contents = (*sec)->getContents();
      if (!contents)
        return contents.takeError();
      uint64_t size = llvm::object::ELFSymbolRef(sym).getSize();
      if (*value + size > contents->size())
        return fail("weight symbol " + *name + " is outside its section");
      where[name->str()] = {uint64_t(contents->data() - base) + *value, size};
    }
  }
  int fd;
  if (std::error_code ec = llvm::sys::fs::openFileForReadWrite(
          path, fd, llvm::sys::fs::CD_OpenExisting, llvm::sys::fs::OF_None))
    return fail("cannot reopen: " + ec.message());
  llvm::Error err = llvm::Error::success();
  for (size_t i = 0; i < weights.size() && !err; ++i) {
    // An empty weight (an empty constant: Shape of a zero-size slice) has
    // nothing to patch, and LLVM may place its zero-size global elsewhere.
    if (weights[i].bytes == 0)
      continue;
    auto it = where.find(symbols[i]);
    if (it == where.end()) {
      err = fail("no placeholder for " + symbols[i]);
      break;
    }
    Weight &w = weights[i];
    if (it->second.second != w.bytes) {
      err = fail("placeholder " + symbols[i] + " has the wrong size");
      break;
    }
    if (w.pack && w.bytes > 0) {
      // Packed straight into the file's pages: no buffer of its own.
      uint64_t off = it->second.first;
      uint64_t pageOff = off & ~uint64_t(llvm::sys::fs::mapped_file_region::alignment() - 1);
      std::error_code ec;
      llvm::sys::fs::mapped_file_region region(
          llvm::sys::fs::convertFDToNativeFile(fd),
          llvm::sys::fs::mapped_file_region::readwrite,
          size_t(off - pageOff + w.bytes), pageOff, ec);
      if (ec) {
        err = fail("cannot map the weights: " + ec.message());
        break;
      }
      w.pack(region.data() + (off - pageOff));
      w.release();
      continue;
    }
    w.materialize();
    for (size_t done = 0; done < w.bytes;) {
      ssize_t n = ::pwrite(fd, w.data + done, w.bytes - done,
                           off_t(it->second.first + done));
      if (n <= 0) {
        err = fail("cannot write the weights");
        break;
      }
      done += size_t(n);
    }
    w.release();
  }
  if (::close(fd) != 0 && !err)
    err = fail("cannot write the weights");
  return err;
}

} // namespace kiln::codegen
