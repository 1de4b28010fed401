//===- KernelLibrary.cpp - Linking the embedded kernel bitcode ------------===//
//
// The blobs of the target's (arch, lanes) are loaded lazily and linked with
// LinkOnlyNeeded: only the kernels a model calls are ever parsed. The
// bitcode is target-independent within an architecture; every function gets
// the target's CPU, features and vector width afterwards (ModuleEmitter).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/KernelBitcode.h"
#include "compiler/codegen/ModuleEmitter.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Passes/OptimizationLevel.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Scalar/SCCP.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/Cloning.h"

namespace kiln::codegen {

llvm::Error linkKernels(llvm::Module &m, const Target &target) {
  llvm::Linker linker(m);
  bool any = false;
  for (const KernelBlob &blob : kernelBlobs()) {
    if (target.arch != blob.arch ||
        (blob.lanes != 0 && blob.lanes != target.vectorLanes))
      continue;
    any = true;
    llvm::MemoryBufferRef buf(
        llvm::StringRef(reinterpret_cast<const char *>(blob.data), blob.size),
        blob.source);
    // Lazy: the linker materializes only the functions `m` references.
    auto src = llvm::getLazyBitcodeModule(buf, m.getContext());
    if (!src)
      return src.takeError();
    (*src)->setTargetTriple(m.getTargetTriple());
    (*src)->setDataLayout(m.getDataLayout());
    if (linker.linkInModule(std::move(*src), llvm::Linker::LinkOnlyNeeded))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "cannot link kernel bitcode %s", blob.source);
  }
  if (!any)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no kernels built for %s with %d lanes",
                                   target.arch.c_str(), target.vectorLanes);
  return llvm::Error::success();
}

void specializeTasks(llvm::Module &m, llvm::ArrayRef<llvm::Function *> tasks,
                     llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::FunctionPassManager fpm;
  fpm.addPass(llvm::SCCPPass());
  fpm.addPass(llvm::SimplifyCFGPass());

  llvm::SetVector<llvm::Function *> kernels;
  for (llvm::Function *task : tasks) {
    std::vector<llvm::CallBase *> calls;
    for (llvm::BasicBlock &bb : *task)
      for (llvm::Instruction &i : bb)
        if (auto *cb = llvm::dyn_cast<llvm::CallBase>(&i))
          if (llvm::Function *f = cb->getCalledFunction();
              f && !f->isDeclaration())
            calls.push_back(cb);
    if (calls.empty())
      continue;
    for (llvm::CallBase *cb : calls) {
      kernels.insert(cb->getCalledFunction());
      llvm::InlineFunctionInfo ifi;
      (void)llvm::InlineFunction(*cb, ifi);
    }
    // Loads of the params fold to constants; the branches they decide (tile
    // shape, layout, fused pool...) fold away with the code they guard.
    fpm.run(*task, fam);
    fam.clear(*task, task->getName());
  }
  // The generic bodies are dead now: drop them before the pipeline spends
  // time on them.
  for (llvm::Function *k : kernels)
    if (k->use_empty() && k->hasLocalLinkage())
      k->eraseFromParent();
}

void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = optLevel >= 2;
  pto.SLPVectorization = optLevel >= 2;
  pto.LoopUnrolling = optLevel >= 1;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel <= 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = level == llvm::OptimizationLevel::O0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(m, mam);
}

} // namespace kiln::codegen
