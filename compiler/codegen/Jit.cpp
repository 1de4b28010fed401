//===- Jit.cpp - Compile a graph and run it in this process ---------------===//

#include "compiler/codegen/Jit.h"

#include "compiler/ir/Cost.h"
#include "compiler/codegen/ModuleEmitter.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/MC/SubtargetFeature.h"
#include "llvm/Target/TargetMachine.h"

#include "compiler/ir/Diagnostics.h"

#include <cmath>
#include <cstring>
#include <ctime>

namespace kiln::codegen {

namespace {

// The hooks generated code calls when compiled with JitOptions::profile.
void profileBeginHook(void *state) {
  static_cast<CompiledModel *>(state)->profileBegin();
}
void profileLayerHook(void *state, int64_t layer) {
  static_cast<CompiledModel *>(state)->profileLayer(layer);
}

} // namespace

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
  lo.caches = target->caches;
  return compile(g, *target, lo, opts);
}

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::compile(const Graph &g, const Target &target,
                       const LoweringOptions &lowering, const JitOptions &opts) {
  auto plan = lowerGraph(g, lowering);
  if (!plan)
    return plan.takeError();

  // Created before emitting: with profiling, its address is baked into the
  // code.
  std::unique_ptr<CompiledModel> cm(new CompiledModel());
  for (const Layer &l : plan->layers) {
    LayerProfile p;
    if (l.node) {
      p.name = displayName(l.node->name);
      if (l.kernel != kernelName(Kernel::GenCopy))
        p.flops = nodeFlops(*l.node);
    }
    p.kernel = l.kernel;
    cm->profile_.push_back(std::move(p));
  }

  auto cgLevel = codeGenOptLevel(opts.optLevel);
  auto tm = target.createTargetMachine(cgLevel);
  if (!tm)
    return tm.takeError();
  auto ctx = std::make_unique<llvm::LLVMContext>();
  EmitOptions eo;
  eo.name = "kiln_jit_model";
  eo.optLevel = opts.optLevel;
  // The code reads the weights where lowering left them (no copy).
  eo.weightStorage = WeightStorage::External;
  if (opts.profile)
    eo.profileState = cm.get();
  cm->profileCpuTime_ = opts.profileCpuTime;
  auto emitted = emitModel(std::move(*plan), target, **tm, *ctx, eo);
  if (!emitted)
    return emitted.takeError();

  cm->target_ = target;
  cm->inputs_ = emitted->inputs;
  cm->outputs_ = emitted->outputs;
  cm->layers_ = emitted->layers;
  cm->tasks_ = emitted->tasks;

  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(target.triple)};
  jtmb.setCPU(target.cpu);
  llvm::SubtargetFeatures features;
  features.addFeaturesVector(
      llvm::SubtargetFeatures(target.features).getFeatures());
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
  // libm calls LLVM emits for intrinsics a target lacks instructions for
  // (floor without SSE4.1, fma without FMA3, ...).
  using F1 = float (*)(float);
  using F2 = float (*)(float, float);
  using F3 = float (*)(float, float, float);
  add("floorf", reinterpret_cast<void *>(static_cast<F1>(&::floorf)));
  add("ceilf", reinterpret_cast<void *>(static_cast<F1>(&::ceilf)));
  add("truncf", reinterpret_cast<void *>(static_cast<F1>(&::truncf)));
  add("roundf", reinterpret_cast<void *>(static_cast<F1>(&::roundf)));
  add("rintf", reinterpret_cast<void *>(static_cast<F1>(&::rintf)));
  add("nearbyintf", reinterpret_cast<void *>(static_cast<F1>(&::nearbyintf)));
  add("sqrtf", reinterpret_cast<void *>(static_cast<F1>(&::sqrtf)));
  add("fminf", reinterpret_cast<void *>(static_cast<F2>(&::fminf)));
  add("fmaxf", reinterpret_cast<void *>(static_cast<F2>(&::fmaxf)));
  add("fmaf", reinterpret_cast<void *>(static_cast<F3>(&::fmaf)));
  add("fmodf", reinterpret_cast<void *>(static_cast<F2>(&::fmodf))); // Mod fmod=1
  if (opts.profile) {
    add(JitProfileBeginSymbol, reinterpret_cast<void *>(&profileBeginHook));
    add(JitProfileLayerSymbol, reinterpret_cast<void *>(&profileLayerHook));
  }
  cm->weights_ = std::move(emitted->weightData);
  // An empty weight (a Gemm with K = 0) has no bytes and maybe no address;
  // its symbol still needs one, never read.
  alignas(64) static const char emptyWeight[64] = {};
  for (size_t i = 0; i < cm->weights_.size(); ++i) {
    const char *data = cm->weights_[i].data ? cm->weights_[i].data : emptyWeight;
    add(emitted->weightSymbols[i].c_str(), const_cast<char *>(data));
  }
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

kiln_status CompiledModel::run(const void *const *inputs,
                               void *const *outputs, kiln_pool *pool) {
  if (!workspace_ && workspaceSize_ > 0) {
    workspace_ = kiln_workspace_alloc(workspaceSize_);
    if (!workspace_)
      return KILN_ERROR_OUT_OF_MEMORY;
  }
  return run_(inputs, outputs, workspace_, pool);
}

kiln_status CompiledModel::run(const void *const *inputs,
                               void *const *outputs, void *workspace,
                               kiln_pool *pool) {
  return run_(inputs, outputs, workspace, pool);
}

void CompiledModel::resetProfile() {
  for (LayerProfile &p : profile_) {
    p.ms = 0;
    p.calls = 0;
  }
}

std::vector<LayerProfile> CompiledModel::profile() const { return profile_; }

namespace {
double profileClockMs(bool cpuTime) {
  if (cpuTime) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
  }
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

void CompiledModel::profileBegin() { markMs_ = profileClockMs(profileCpuTime_); }

void CompiledModel::profileLayer(int64_t layer) {
  const double now = profileClockMs(profileCpuTime_);
  LayerProfile &p = profile_[size_t(layer)];
  p.ms += now - markMs_;
  ++p.calls;
  markMs_ = now;
}

} // namespace kiln::codegen
