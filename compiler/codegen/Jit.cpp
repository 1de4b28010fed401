//===- Jit.cpp - Compile a graph and run it in this process ---------------===//

#include "compiler/codegen/Jit.h"

#include "compiler/codegen/ModuleEmitter.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/MC/SubtargetFeature.h"
#include "llvm/Target/TargetMachine.h"

#include <cstring>

namespace kiln::codegen {

CompiledModel::~CompiledModel() { kiln_workspace_free(workspace_); }

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::compile(const Graph &g, const JitOptions &opts) {
  TargetOptions to;
  to.cpu = opts.cpu;
  to.features = opts.features;
  auto target = resolveTarget(to);
  if (!target)
    return target.takeError();
  LoweringOptions lo;
  lo.vectorLanes = target->vectorLanes;
  lo.fastKernels = opts.fastKernels;
  auto plan = lowerGraph(g, lo);
  if (!plan)
    return plan.takeError();

  auto cgLevel = opts.optLevel <= 0 ? llvm::CodeGenOpt::None
                 : opts.optLevel == 1 ? llvm::CodeGenOpt::Less
                 : opts.optLevel == 2 ? llvm::CodeGenOpt::Default
                                      : llvm::CodeGenOpt::Aggressive;
  auto tm = target->createTargetMachine(cgLevel);
  if (!tm)
    return tm.takeError();
  auto ctx = std::make_unique<llvm::LLVMContext>();
  EmitOptions eo;
  eo.name = "kiln_jit_model";
  eo.optLevel = opts.optLevel;
  auto emitted = emitModel(std::move(*plan), *target, **tm, *ctx, eo);
  if (!emitted)
    return emitted.takeError();

  std::unique_ptr<CompiledModel> cm(new CompiledModel());
  cm->target_ = *target;
  cm->inputs_ = emitted->inputs;
  cm->outputs_ = emitted->outputs;
  cm->layers_ = emitted->layers;
  cm->tasks_ = emitted->tasks;

  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(target->triple)};
  jtmb.setCPU(target->cpu);
  llvm::SubtargetFeatures features;
  features.addFeaturesVector(
      llvm::SubtargetFeatures(target->features).getFeatures());
  jtmb.addFeatures(features.getFeatures());
  jtmb.setCodeGenOptLevel(cgLevel);
  jtmb.setRelocationModel(llvm::Reloc::PIC_);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create();
  if (!jit)
    return jit.takeError();
  cm->jit_ = std::move(*jit);

  // The runtime and libc functions generated code may call.
  llvm::orc::JITDylib &jd = cm->jit_->getMainJITDylib();
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char *name, void *addr) {
    symbols[cm->jit_->mangleAndIntern(name)] = llvm::JITEvaluatedSymbol(
        llvm::pointerToJITTargetAddress(addr), llvm::JITSymbolFlags::Exported);
  };
  add("kiln_parallel_for", reinterpret_cast<void *>(&kiln_parallel_for));
  add("memcpy", reinterpret_cast<void *>(&::memcpy));
  add("memmove", reinterpret_cast<void *>(&::memmove));
  add("memset", reinterpret_cast<void *>(&::memset));
  if (auto e = jd.define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return e;

  if (auto e = cm->jit_->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(emitted->code), std::move(ctx))))
    return e;
  auto run = cm->jit_->lookup(eo.name + "_run");
  if (!run)
    return run.takeError();
  auto info = cm->jit_->lookup(eo.name + "_info");
  if (!info)
    return info.takeError();
  cm->run_ = run->toPtr<RunFn>();
  cm->info_ = info->toPtr<const kiln_model_info *>();
  cm->workspaceSize_ = cm->info_->workspace_size;
  return cm;
}

kiln_status CompiledModel::run(const float *const *inputs,
                               float *const *outputs, kiln_pool *pool) {
  if (!workspace_ && workspaceSize_ > 0) {
    workspace_ = kiln_workspace_alloc(workspaceSize_);
    if (!workspace_)
      return KILN_ERROR_OUT_OF_MEMORY;
  }
  return run_(inputs, outputs, workspace_, pool);
}

kiln_status CompiledModel::run(const float *const *inputs,
                               float *const *outputs, void *workspace,
                               kiln_pool *pool) {
  return run_(inputs, outputs, workspace, pool);
}

} // namespace kiln::codegen
