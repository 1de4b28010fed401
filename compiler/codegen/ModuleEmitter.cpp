//===- ModuleEmitter.cpp - A ModelPlan as an LLVM module ------------------===//

#include "compiler/codegen/ModuleEmitter.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <kiln/runtime.h>

#include <fmt/format.h>
#include <map>
#include <set>

namespace kiln::codegen {

// NAME_info is emitted as LLVM structs {ptr, i32, ptr, i64, i32} and
// {ptr, i32, i32, ptr, ptr, i64}; both targets are LP64, so natural
// alignment gives the C layout.
static_assert(sizeof(kiln_tensor_info) == 40 && offsetof(kiln_tensor_info, shape) == 16 &&
              offsetof(kiln_tensor_info, dtype) == 32);
static_assert(sizeof(kiln_model_info) == 40 && offsetof(kiln_model_info, inputs) == 16);

kiln_dtype kilnDtype(DType t) {
  // f64 is refused by lowerGraph (compiledBoundaryType).
  assert(kernelDtype(t) >= 0 && "no kiln_dtype for this element type");
  return kiln_dtype(kernelDtype(t)); // the same codes (Lowering.cpp)
}

const char *kilnDtypeName(DType t) {
  switch (kilnDtype(t)) {
  case KILN_DTYPE_F32: return "KILN_DTYPE_F32";
  case KILN_DTYPE_I64: return "KILN_DTYPE_I64";
  case KILN_DTYPE_BOOL: return "KILN_DTYPE_BOOL";
  case KILN_DTYPE_I32: return "KILN_DTYPE_I32";
  case KILN_DTYPE_I8: return "KILN_DTYPE_I8";
  case KILN_DTYPE_U8: return "KILN_DTYPE_U8";
  case KILN_DTYPE_F16: return "KILN_DTYPE_F16";
  }
  return "?";
}

/// The name of a <kiln/runtime.h> function, spelt through its declaration:
/// a misspelling does not compile.
#define RUNTIME_SYMBOL(fn) (static_cast<void>(sizeof(&fn)), #fn)

namespace {

class Emitter {
public:
  Emitter(ModelPlan &plan, const Target &target, llvm::LLVMContext &ctx,
          const EmitOptions &opts)
      : plan_(plan), target_(target), ctx_(ctx), opts_(opts),
        m_(std::make_unique<llvm::Module>(opts.name, ctx)), b_(ctx) {}

  llvm::Expected<EmittedModel> run(llvm::TargetMachine &tm);

private:
  void emitWeights();
  llvm::Function *taskFor(const Layer &l);
  llvm::FunctionCallee kernelDecl(const Layer &l);
  /// NAME_run: the argument checks, then one kiln_parallel_for per layer.
  void emitRun();
  /// NAME_run's arguments, loaded and checked.
  struct RunArgs {
    std::vector<llvm::Value *> inputs, outputs;
    llvm::Value *workspace = nullptr, *pool = nullptr;
  };
  /// Returns KILN_ERROR_NULL_ARGUMENT on a null pointer and
  /// KILN_ERROR_MISALIGNED on a workspace not 64-byte aligned; leaves the
  /// builder where every check has passed.
  RunArgs emitArgumentChecks(llvm::Function *run);
  /// Fills the buffer array of each layer and runs its task over its work
  /// items (and the JIT's profiling hooks).
  void emitLayerCalls(llvm::Function *run, const RunArgs &args);
  void emitWorkspaceSize();
  void emitInfo();
  llvm::Constant *cString(const std::string &s, const std::string &name);
  void progress(const char *stage, size_t i, size_t n) {
    if (opts_.progress)
      opts_.progress(stage, i, n);
  }

  ModelPlan &plan_;
  const Target &target_;
  llvm::LLVMContext &ctx_;
  const EmitOptions &opts_;
  std::unique_ptr<llvm::Module> m_;
  std::unique_ptr<llvm::Module> weightsModule_;
  llvm::IRBuilder<> b_;
  std::vector<llvm::GlobalVariable *> weights_;
  std::map<std::pair<std::string, std::vector<uint64_t>>, llvm::Function *> tasks_;
  std::vector<std::string> kernelNames_;
  std::vector<std::string> weightSymbols_;
};

llvm::Type *i8(llvm::LLVMContext &c) { return llvm::Type::getInt8Ty(c); }
llvm::Type *i32(llvm::LLVMContext &c) { return llvm::Type::getInt32Ty(c); }
llvm::Type *i64(llvm::LLVMContext &c) { return llvm::Type::getInt64Ty(c); }
llvm::PointerType *ptr(llvm::LLVMContext &c) {
  return llvm::PointerType::getUnqual(c);
}

void Emitter::emitWeights() {
  if (opts_.externalWeights) {
    weightsModule_ = std::make_unique<llvm::Module>(opts_.name + "_weights", ctx_);
    weightsModule_->setTargetTriple(m_->getTargetTriple());
    weightsModule_->setDataLayout(m_->getDataLayout());
  }
  const WeightStorage storage = opts_.weightStorage;
  for (size_t i = 0; i < plan_.weights.size(); ++i) {
    progress("weights", i, plan_.weights.size());
    Weight &w = plan_.weights[i];
    if (storage != WeightStorage::Placeholders)
      w.materialize(); // the bytes are needed now
    auto *ty = llvm::ArrayType::get(i8(ctx_), w.bytes);
    std::string name = fmt::format("{}_weight{}", opts_.name, i);
    if (storage == WeightStorage::External) {
      // Defined by the caller at the data's own address: promise no more
      // alignment than it has.
      auto addr = reinterpret_cast<uintptr_t>(w.data);
      uint64_t align = addr ? std::min<uint64_t>(64, addr & (~addr + 1)) : 64;
      auto *g = new llvm::GlobalVariable(*m_, ty, true,
                                         llvm::GlobalValue::ExternalLinkage,
                                         nullptr, name);
      g->setAlignment(llvm::Align(align));
      weights_.push_back(g);
      weightSymbols_.push_back(name);
      continue;
    }
    llvm::Constant *init;
    if (storage == WeightStorage::Placeholders) {
      // Zeros the object writer streams without storing them; the bytes are
      // written over them in the file (patchWeights). Externally
      // initialized: the optimizer must not fold loads to the zeros.
      init = llvm::ConstantAggregateZero::get(ty);
      weightSymbols_.push_back(name);
    } else {
      init = llvm::ConstantDataArray::getRaw(llvm::StringRef(w.data, w.bytes),
                                             w.bytes, i8(ctx_));
    }
    auto placeholder = [&](llvm::GlobalVariable *g) {
      if (storage != WeightStorage::Placeholders)
        return;
      g->setExternallyInitialized(true);
      g->setSection(".rodata.kiln_weights");
    };
    llvm::GlobalVariable *g;
    if (opts_.externalWeights) {
      auto *def = new llvm::GlobalVariable(*weightsModule_, ty, true,
                                           llvm::GlobalValue::ExternalLinkage,
                                           init, name);
      def->setAlignment(llvm::Align(64));
      placeholder(def);
      g = new llvm::GlobalVariable(*m_, ty, true,
                                   llvm::GlobalValue::ExternalLinkage, nullptr,
                                   name);
    } else {
      g = new llvm::GlobalVariable(*m_, ty, true,
                                   llvm::GlobalValue::InternalLinkage, init,
                                   name);
      // Placeholders must stay distinct (no unnamed_addr: never merged).
      if (storage == WeightStorage::Constants)
        g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
      placeholder(g);
    }
    g->setAlignment(llvm::Align(64));
    weights_.push_back(g);
    if (storage == WeightStorage::Constants)
      w.release(); // the module holds the only copy now
  }
}

llvm::FunctionCallee Emitter::kernelDecl(const Layer &l) {
  std::vector<llvm::Type *> args = {ptr(ctx_)};
  if (l.abi == KernelAbi::BufArray)
    args.push_back(ptr(ctx_));
  else
    args.insert(args.end(), l.buffers.size(), ptr(ctx_));
  args.push_back(i64(ctx_));
  args.push_back(i64(ctx_));
  auto *fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), args, false);
  if (std::find(kernelNames_.begin(), kernelNames_.end(), l.kernel) ==
      kernelNames_.end())
    kernelNames_.push_back(l.kernel);
  return m_->getOrInsertFunction(l.kernel, fty);
}

llvm::Function *Emitter::taskFor(const Layer &l) {
  auto key = std::make_pair(l.kernel, l.params);
  if (l.abi == KernelAbi::PointerArgs)
    key.second.push_back(l.buffers.size()); // arity is part of the signature
  if (auto it = tasks_.find(key); it != tasks_.end())
    return it->second;
  size_t id = tasks_.size();
  // Params: an internal constant the kernel's loads fold against.
  auto *pty = llvm::ArrayType::get(i64(ctx_), l.params.size());
  std::vector<llvm::Constant *> words;
  for (uint64_t w : l.params)
    words.push_back(llvm::ConstantInt::get(i64(ctx_), w));
  auto *params = new llvm::GlobalVariable(
      *m_, pty, true, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantArray::get(pty, words), fmt::format("params.{}", id));
  params->setAlignment(llvm::Align(8));
  params->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);

  auto *fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                      {ptr(ctx_), i64(ctx_), i64(ctx_)}, false);
  auto *f = llvm::Function::Create(fty, llvm::GlobalValue::InternalLinkage,
                                   fmt::format("task.{}", id), *m_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  auto *bb = llvm::BasicBlock::Create(ctx_, "entry", f);
  b_.SetInsertPoint(bb);
  llvm::Value *bufs = f->getArg(0);
  std::vector<llvm::Value *> args = {params};
  if (l.abi == KernelAbi::BufArray) {
    args.push_back(bufs);
  } else {
    for (size_t i = 0; i < l.buffers.size(); ++i)
      args.push_back(b_.CreateAlignedLoad(
          ptr(ctx_), b_.CreateConstInBoundsGEP1_64(ptr(ctx_), bufs, i),
          llvm::Align(8)));
  }
  args.push_back(f->getArg(1));
  args.push_back(f->getArg(2));
  b_.CreateCall(kernelDecl(l), args);
  b_.CreateRetVoid();
  tasks_[key] = f;
  return f;
}

void Emitter::emitRun() {
  auto *fty = llvm::FunctionType::get(
      i32(ctx_), {ptr(ctx_), ptr(ctx_), ptr(ctx_), ptr(ctx_)}, false);
  auto *f = llvm::Function::Create(fty, llvm::GlobalValue::ExternalLinkage,
                                   opts_.name + "_run", *m_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  RunArgs args = emitArgumentChecks(f);
  emitLayerCalls(f, args);
  b_.CreateRet(llvm::ConstantInt::get(i32(ctx_), KILN_OK));
}

Emitter::RunArgs Emitter::emitArgumentChecks(llvm::Function *f) {
  llvm::Value *inputs = f->getArg(0), *outputs = f->getArg(1);
  RunArgs a;
  a.workspace = f->getArg(2);
  a.pool = f->getArg(3);
  auto *entry = llvm::BasicBlock::Create(ctx_, "entry", f);
  auto *fail = llvm::BasicBlock::Create(ctx_, "null_argument", f);
  b_.SetInsertPoint(fail);
  b_.CreateRet(llvm::ConstantInt::get(i32(ctx_), KILN_ERROR_NULL_ARGUMENT));

  // Every pointer, then the workspace alignment.
  b_.SetInsertPoint(entry);
  auto check = [&](llvm::Value *p, const char *what) {
    auto *ok = llvm::BasicBlock::Create(ctx_, what, f);
    b_.CreateCondBr(b_.CreateIsNull(p), fail, ok);
    b_.SetInsertPoint(ok);
  };
  // The arrays may be null when empty (a model without inputs).
  if (!plan_.inputs.empty())
    check(inputs, "inputs_ok");
  if (!plan_.outputs.empty())
    check(outputs, "outputs_ok");
  for (size_t i = 0; i < plan_.inputs.size(); ++i) {
    a.inputs.push_back(b_.CreateAlignedLoad(
        ptr(ctx_), b_.CreateConstInBoundsGEP1_64(ptr(ctx_), inputs, i),
        llvm::Align(8)));
    check(a.inputs.back(), "input_ok");
  }
  for (size_t i = 0; i < plan_.outputs.size(); ++i) {
    a.outputs.push_back(b_.CreateAlignedLoad(
        ptr(ctx_), b_.CreateConstInBoundsGEP1_64(ptr(ctx_), outputs, i),
        llvm::Align(8)));
    check(a.outputs.back(), "output_ok");
  }
  if (plan_.workspaceBytes > 0) {
    check(a.workspace, "workspace_ok");
    auto *aligned = llvm::BasicBlock::Create(ctx_, "aligned", f);
    auto *misaligned = llvm::BasicBlock::Create(ctx_, "misaligned", f);
    llvm::Value *low =
        b_.CreateAnd(b_.CreatePtrToInt(a.workspace, i64(ctx_)), 63);
    b_.CreateCondBr(b_.CreateICmpNE(low, b_.getInt64(0)), misaligned, aligned);
    b_.SetInsertPoint(misaligned);
    b_.CreateRet(llvm::ConstantInt::get(i32(ctx_), KILN_ERROR_MISALIGNED));
    b_.SetInsertPoint(aligned);
  }
  return a;
}

void Emitter::emitLayerCalls(llvm::Function *f, const RunArgs &a) {
  size_t maxBufs = 1;
  for (const Layer &l : plan_.layers)
    maxBufs = std::max(maxBufs, l.buffers.size());
  auto *arrTy = llvm::ArrayType::get(ptr(ctx_), maxBufs);
  llvm::BasicBlock &entry = f->getEntryBlock();
  llvm::IRBuilder<> allocaBuilder(&entry, entry.begin());
  llvm::AllocaInst *bufs = allocaBuilder.CreateAlloca(arrTy, nullptr, "bufs");
  bufs->setAlignment(llvm::Align(16));

  llvm::FunctionCallee parallelFor = m_->getOrInsertFunction(
      RUNTIME_SYMBOL(kiln_parallel_for),
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                              {ptr(ctx_), i64(ctx_), ptr(ctx_), ptr(ctx_)},
                              false));
  // Profiling hooks (JIT only): the state pointer is a constant.
  llvm::FunctionCallee profileBegin, profileLayer;
  llvm::Value *state = nullptr;
  if (opts_.profileState) {
    state = llvm::ConstantExpr::getIntToPtr(
        b_.getInt64(reinterpret_cast<uintptr_t>(opts_.profileState)), ptr(ctx_));
    profileBegin = m_->getOrInsertFunction(
        JitProfileBeginSymbol,
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr(ctx_)}, false));
    profileLayer = m_->getOrInsertFunction(
        JitProfileLayerSymbol,
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                {ptr(ctx_), i64(ctx_)}, false));
    b_.CreateCall(profileBegin, {state});
  }
  for (size_t li = 0; li < plan_.layers.size(); ++li) {
    progress("layers", li, plan_.layers.size());
    const Layer &l = plan_.layers[li];
    llvm::BasicBlock *cur = b_.GetInsertBlock();
    llvm::Function *task = taskFor(l);
    b_.SetInsertPoint(cur);
    for (size_t j = 0; j < l.buffers.size(); ++j) {
      const BufferRef &r = l.buffers[j];
      llvm::Value *p = nullptr;
      switch (r.kind) {
      case BufferRef::Null:
        p = llvm::ConstantPointerNull::get(ptr(ctx_));
        break;
      case BufferRef::Input:
        p = a.inputs[size_t(r.index)];
        break;
      case BufferRef::Output:
        p = a.outputs[size_t(r.index)];
        break;
      case BufferRef::Workspace:
        p = b_.CreateConstInBoundsGEP1_64(i8(ctx_), a.workspace,
                                          uint64_t(r.index));
        break;
      case BufferRef::Weight:
        p = weights_[size_t(r.index)];
        break;
      }
      b_.CreateAlignedStore(p, b_.CreateConstInBoundsGEP2_64(arrTy, bufs, 0, j),
                            llvm::Align(8));
    }
    b_.CreateCall(parallelFor,
                  {a.pool, b_.getInt64(l.workItems), task, bufs});
    if (state)
      b_.CreateCall(profileLayer, {state, b_.getInt64(li)});
  }
}

void Emitter::emitWorkspaceSize() {
  auto *f = llvm::Function::Create(llvm::FunctionType::get(i64(ctx_), false),
                                   llvm::GlobalValue::ExternalLinkage,
                                   opts_.name + "_workspace_size", *m_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
  b_.CreateRet(b_.getInt64(uint64_t(plan_.workspaceBytes)));
}

llvm::Constant *Emitter::cString(const std::string &s, const std::string &name) {
  auto *init = llvm::ConstantDataArray::getString(ctx_, s, true);
  auto *g = new llvm::GlobalVariable(*m_, init->getType(), true,
                                     llvm::GlobalValue::PrivateLinkage, init, name);
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  g->setAlignment(llvm::Align(1));
  return g;
}

void Emitter::emitInfo() {
  auto *tensorTy = llvm::StructType::create(
      ctx_, {ptr(ctx_), i32(ctx_), ptr(ctx_), i64(ctx_), i32(ctx_)},
      "kiln_tensor_info");
  auto dtypeOf = [](DType t) { return kilnDtype(t); };
  auto *modelTy = llvm::StructType::create(
      ctx_, {ptr(ctx_), i32(ctx_), i32(ctx_), ptr(ctx_), ptr(ctx_), i64(ctx_)},
      "kiln_model_info");
  auto tensors = [&](const std::vector<TensorInfo> &ts, const char *kind) {
    std::vector<llvm::Constant *> elems;
    for (size_t i = 0; i < ts.size(); ++i) {
      const TensorInfo &t = ts[i];
      std::vector<uint64_t> dims(t.dims.begin(), t.dims.end());
      auto *shapeInit = llvm::ConstantDataArray::get(ctx_, dims);
      auto *shape = new llvm::GlobalVariable(
          *m_, shapeInit->getType(), true, llvm::GlobalValue::PrivateLinkage,
          shapeInit, fmt::format("{}.{}.shape", kind, i));
      shape->setAlignment(llvm::Align(8));
      int64_t elements = 1;
      for (int64_t d : t.dims)
        elements *= d;
      elems.push_back(llvm::ConstantStruct::get(
          tensorTy, {cString(t.name, fmt::format("{}.{}.name", kind, i)),
                     b_.getInt32(uint32_t(t.dims.size())), shape,
                     b_.getInt64(uint64_t(elements)),
                     b_.getInt32(uint32_t(dtypeOf(t.dtype)))}));
    }
    auto *arrTy = llvm::ArrayType::get(tensorTy, elems.size());
    auto *g = new llvm::GlobalVariable(*m_, arrTy, true,
                                       llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(arrTy, elems),
                                       fmt::format("{}s", kind));
    g->setAlignment(llvm::Align(8));
    return g;
  };
  auto *info = llvm::ConstantStruct::get(
      modelTy, {cString(opts_.name, "model.name"),
                b_.getInt32(uint32_t(plan_.inputs.size())),
                b_.getInt32(uint32_t(plan_.outputs.size())),
                tensors(plan_.inputs, "input"), tensors(plan_.outputs, "output"),
                b_.getInt64(uint64_t(plan_.workspaceBytes))});
  auto *g = new llvm::GlobalVariable(*m_, modelTy, true,
                                     llvm::GlobalValue::ExternalLinkage, info,
                                     opts_.name + "_info");
  g->setAlignment(llvm::Align(8));
}

llvm::Expected<EmittedModel> Emitter::run(llvm::TargetMachine &tm) {
  m_->setTargetTriple(target_.triple);
  m_->setDataLayout(tm.createDataLayout());
  m_->setPICLevel(llvm::PICLevel::BigPIC);
  emitWeights();
  emitRun();
  emitWorkspaceSize();
  emitInfo();

  progress("linking kernels", 0, 1);
  if (auto e = linkKernels(*m_, target_))
    return e;
  for (const std::string &k : kernelNames_) {
    llvm::Function *f = m_->getFunction(k);
    if (!f || f->isDeclaration())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "kernel %s is missing from the %s bitcode",
                                     k.c_str(), target_.arch.c_str());
  }
  // The kernels' (empty) linker options become a section GNU as does not
  // know in --emit asm output.
  if (llvm::NamedMDNode *opts = m_->getNamedMetadata("llvm.linker.options"))
    m_->eraseNamedMetadata(opts);
  // Everything but the three entry points is internal: kernels vanish once
  // inlined into their tasks.
  std::set<std::string> exported = {opts_.name + "_run",
                                    opts_.name + "_workspace_size"};
  for (llvm::Function &f : *m_) {
    if (f.isDeclaration())
      continue;
    if (!exported.count(f.getName().str()))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
    target_.applyTo(f);
    // Freestanding kernels carry "no-builtins"; inside the model, LLVM may
    // use memcpy/memset (the C library provides them).
    f.removeFnAttr("no-builtins");
  }
  for (llvm::GlobalVariable &g : m_->globals())
    if (!g.isDeclaration() && g.getName() != opts_.name + "_info" &&
        !g.hasLocalLinkage())
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
#ifndef NDEBUG
  if (llvm::verifyModule(*m_, &llvm::errs()))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "internal error: invalid module");
#endif
  if (opts_.optLevel >= 1) {
    progress("specializing", 0, 1);
    std::vector<llvm::Function *> tasks;
    for (auto &kv : tasks_)
      tasks.push_back(kv.second);
    specializeTasks(*m_, tasks, tm);
  }
  progress("optimizing", 0, 1);
  optimizeModule(*m_, tm, opts_.optLevel);

  EmittedModel r;
  r.layers = plan_.layers.size();
  r.tasks = tasks_.size();
  r.workspaceBytes = plan_.workspaceBytes;
  r.inputs = plan_.inputs;
  r.outputs = plan_.outputs;
  r.code = std::move(m_);
  r.weights = std::move(weightsModule_);
  if (opts_.weightStorage != WeightStorage::Constants) {
    r.weightData = std::move(plan_.weights);
    r.weightSymbols = std::move(weightSymbols_);
  }
  return r;
}

} // namespace

llvm::Expected<EmittedModel> emitModel(ModelPlan &&plan, const Target &target,
                                       llvm::TargetMachine &tm,
                                       llvm::LLVMContext &ctx,
                                       const EmitOptions &opts) {
  ModelPlan owned = std::move(plan);
  Emitter e(owned, target, ctx, opts);
  return e.run(tm);
}

} // namespace kiln::codegen
