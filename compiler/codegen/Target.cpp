//===- Target.cpp - The machine generated code runs on --------------------===//

#include "compiler/codegen/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Function.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Host.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <fmt/format.h>

#include <mutex>

namespace kiln::codegen {

void initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

namespace {

std::string hostFeatures() {
  llvm::StringMap<bool> map;
  if (!llvm::sys::getHostCPUFeatures(map))
    return "";
  // Sorted, so that the string (and the generated code) is deterministic.
  std::vector<std::string> names;
  for (auto &kv : map)
    names.push_back((kv.second ? "+" : "-") + kv.first().str());
  std::sort(names.begin(), names.end(),
            [](const std::string &a, const std::string &b) {
              return a.substr(1) < b.substr(1);
            });
  std::string s;
  for (const std::string &n : names)
    s += (s.empty() ? "" : ",") + n;
  return s;
}

std::string joinFeatures(const std::string &a, const std::string &b) {
  if (a.empty())
    return b;
  if (b.empty())
    return a;
  return a + "," + b;
}

} // namespace

llvm::Expected<Target> resolveTarget(const TargetOptions &opts) {
  initializeLLVMTargets();
  Target t;
  std::string hostTriple = llvm::sys::getProcessTriple();
  llvm::Triple triple(llvm::Triple::normalize(
      opts.triple.empty() ? hostTriple : opts.triple));
  t.isHost = triple.getArch() == llvm::Triple(hostTriple).getArch() &&
             triple.getOS() == llvm::Triple(hostTriple).getOS();
  t.triple = triple.str();
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(t.triple, err);
  if (!target)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unsupported target '%s': %s",
                                   opts.triple.c_str(), err.c_str());
  switch (triple.getArch()) {
  case llvm::Triple::x86_64:
    t.arch = "x86_64";
    break;
  case llvm::Triple::aarch64:
    t.arch = "aarch64";
    break;
  default:
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unsupported target '%s': kiln generates code for x86_64 and aarch64",
        t.triple.c_str());
  }

  // CPU and features. On the host, the CPU name may be unknown to LLVM 16
  // (Zen 5 is "generic"): then name an x86-64 micro-architecture level and
  // take the exact features from the CPU itself.
  std::string cpu = opts.cpu;
  std::string features;
  if (cpu.empty() && t.isHost) {
    cpu = llvm::sys::getHostCPUName().str();
    features = hostFeatures();
  }
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    features = hostFeatures();
  }
  if (cpu.empty())
    cpu = "generic";
  std::unique_ptr<llvm::MCSubtargetInfo> probe(
      target->createMCSubtargetInfo(t.triple, cpu, ""));
  if (!probe || (cpu != "generic" && !probe->isCPUStringValid(cpu))) {
    if (!opts.cpu.empty() && opts.cpu != "native")
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "unknown CPU '%s' for target '%s'",
                                     opts.cpu.c_str(), t.triple.c_str());
    cpu = "generic";
  }
  features = joinFeatures(features, opts.features);
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(t.triple, cpu, features));
  if (t.arch == "x86_64" && cpu == "generic") {
    // "generic" would tune for an old core; name the feature level instead.
    if (sti->checkFeatures("+avx512f,+avx512bw,+avx512dq,+avx512vl"))
      cpu = "x86-64-v4";
    else if (sti->checkFeatures("+avx2,+fma,+bmi2"))
      cpu = "x86-64-v3";
    else
      cpu = "x86-64";
  }
  t.cpu = cpu;
  t.features = features;

  if (t.arch == "x86_64") {
    if (sti->checkFeatures("+avx512f"))
      t.vectorLanes = 16;
    else if (sti->checkFeatures("+avx2") || sti->checkFeatures("+avx"))
      t.vectorLanes = 8;
    else
      t.vectorLanes = 4;
  } else {
    t.vectorLanes = 4; // NEON (SVE is not used)
  }
  t.vectorBits = t.vectorLanes * 32;
  return t;
}

llvm::CodeGenOpt::Level codeGenOptLevel(int optLevel) {
  return optLevel <= 0   ? llvm::CodeGenOpt::None
         : optLevel == 1 ? llvm::CodeGenOpt::Less
         : optLevel == 2 ? llvm::CodeGenOpt::Default
                         : llvm::CodeGenOpt::Aggressive;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
Target::createTargetMachine(llvm::CodeGenOpt::Level opt) const {
  initializeLLVMTargets();
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s",
                                   err.c_str());
  llvm::TargetOptions to;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, opt));
  if (!tm)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a target machine for '%s'",
                                   triple.c_str());
  return tm;
}

void Target::applyTo(llvm::Function &f) const {
  f.addFnAttr("target-cpu", cpu);
  f.addFnAttr("target-features", features);
  f.removeFnAttr("tune-cpu");
  std::string bits = std::to_string(vectorBits);
  f.addFnAttr("prefer-vector-width", bits);
  f.addFnAttr("min-legal-vector-width", bits);
}

std::string Target::describe() const {
  return fmt::format("{} cpu={} lanes={}{}", triple, cpu, vectorLanes,
                     isHost ? " (host)" : "");
}

} // namespace kiln::codegen
