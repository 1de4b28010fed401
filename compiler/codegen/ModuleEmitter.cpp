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
#include <algorithm>
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
  /// Which layers get a task of their own, specialized to their params.
  void chooseSpecialized();
  /// The task a layer's kiln_parallel_for runs: specialized (its params an
  /// internal constant the kernel's loads fold against) or shared by every
  /// unspecialized layer of the same kernel and arity (params read at run
  /// time from the word after the layer's buffers).
  llvm::Function *taskFor(const Layer &l);
  bool specialized(const Layer &l) const;
  llvm::GlobalVariable *paramsFor(const Layer &l);
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
  /// The layer table and the loop over it: per layer, fill the buffer
  /// array and run the task over its work items (and the JIT's profiling
  /// hooks). The loop's code does not grow with the graph; the table does.
  void emitLayerLoop(llvm::Function *run, const RunArgs &args);
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
  using TaskKey = std::pair<std::string, std::vector<uint64_t>>;
  /// Kernel and params (plus arity for PointerArgs) of a layer.
  static TaskKey taskKey(const Layer &l);
  std::set<TaskKey> specialize_;
  std::map<TaskKey, llvm::Function *> tasks_;          ///< specialized
  std::map<std::pair<std::string, size_t>, llvm::Function *> sharedTasks_;
  std::map<std::vector<uint64_t>, llvm::GlobalVariable *> params_;
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

Emitter::TaskKey Emitter::taskKey(const Layer &l) {
  TaskKey key(l.kernel, l.params);
  if (l.abi == KernelAbi::PointerArgs)
    key.second.push_back(l.buffers.size()); // arity is part of the signature
  return key;
}

/// How many tasks of the generic kernels are specialized at most. A
/// specialized task folds its layer's params into the kernel's loops (which
/// halves the time of small elementwise layers) and costs LLVM 10-20 ms at
/// -O3; models have tens to a few hundred distinct ones (DenseNet-121: 790),
/// a hostile graph any number (a Concat of 100,000 inputs is 100,000 copies
/// at distinct offsets). Past the cap the layers doing the least work (no
/// multiply-adds, fewest bytes) share one task per kernel that reads its
/// params at run time: the same code before constant folding, so the same
/// results, and compile time bounded on any graph. The fast kernels are
/// always specialized (Emitter::specialized).
static constexpr size_t MaxSpecializedTasks = 512;

void Emitter::chooseSpecialized() {
  // Cost per distinct key: the multiply-adds and bytes of its layers.
  struct Cost {
    double macs = 0, bytes = 0;
  };
  std::map<TaskKey, Cost> cost;
  for (const Layer &l : plan_.layers) {
    if (l.abi == KernelAbi::PointerArgs)
      continue;
    Cost &c = cost[taskKey(l)];
    c.macs += l.macs;
    c.bytes += l.bytes;
  }
  std::vector<std::pair<const TaskKey *, Cost>> ranked;
  for (const auto &[key, c] : cost)
    ranked.push_back({&key, c});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
    return a.second.macs != b.second.macs ? a.second.macs > b.second.macs
                                          : a.second.bytes > b.second.bytes;
  });
  if (ranked.size() > MaxSpecializedTasks)
    ranked.resize(MaxSpecializedTasks);
  for (const auto &r : ranked)
    specialize_.insert(*r.first);
}

bool Emitter::specialized(const Layer &l) const {
  // The fast kernels' bodies hold every tile shape, layout and epilogue
  // variant: unspecialized, the optimizer would spend minutes on them.
  if (l.abi == KernelAbi::PointerArgs)
    return true;
  return opts_.optLevel >= 1 && specialize_.count(taskKey(l));
}

llvm::GlobalVariable *Emitter::paramsFor(const Layer &l) {
  if (auto it = params_.find(l.params); it != params_.end())
    return it->second;
  auto *pty = llvm::ArrayType::get(i64(ctx_), l.params.size());
  std::vector<llvm::Constant *> words;
  for (uint64_t w : l.params)
    words.push_back(llvm::ConstantInt::get(i64(ctx_), w));
  auto *g = new llvm::GlobalVariable(
      *m_, pty, true, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantArray::get(pty, words), fmt::format("params.{}", params_.size()));
  g->setAlignment(llvm::Align(8));
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  params_[l.params] = g;
  return g;
}

llvm::Function *Emitter::taskFor(const Layer &l) {
  const bool own = specialized(l);
  TaskKey key = taskKey(l);
  auto sharedKey = std::make_pair(l.kernel, l.buffers.size());
  if (own) {
    if (auto it = tasks_.find(key); it != tasks_.end())
      return it->second;
  } else if (auto it = sharedTasks_.find(sharedKey); it != sharedTasks_.end()) {
    return it->second;
  }
  auto *fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                      {ptr(ctx_), i64(ctx_), i64(ctx_)}, false);
  auto *f = llvm::Function::Create(
      fty, llvm::GlobalValue::InternalLinkage,
      own ? fmt::format("task.{}", tasks_.size())
          : fmt::format("task.shared.{}", sharedTasks_.size()),
      *m_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  auto *bb = llvm::BasicBlock::Create(ctx_, "entry", f);
  b_.SetInsertPoint(bb);
  llvm::Value *bufs = f->getArg(0);
  auto slot = [&](size_t i) {
    return b_.CreateAlignedLoad(
        ptr(ctx_), b_.CreateConstInBoundsGEP1_64(ptr(ctx_), bufs, i), llvm::Align(8));
  };
  // A shared task finds its params after the buffers (emitLayerLoop).
  llvm::Value *params = own ? static_cast<llvm::Value *>(paramsFor(l))
                            : slot(l.buffers.size());
  std::vector<llvm::Value *> args = {params};
  if (l.abi == KernelAbi::BufArray) {
    args.push_back(bufs);
  } else {
    for (size_t i = 0; i < l.buffers.size(); ++i)
      args.push_back(slot(i));
  }
  args.push_back(f->getArg(1));
  args.push_back(f->getArg(2));
  b_.CreateCall(kernelDecl(l), args);
  b_.CreateRetVoid();
  (own ? tasks_[key] : sharedTasks_[sharedKey]) = f;
  return f;
}

void Emitter::emitRun() {
  auto *fty = llvm::FunctionType::get(
      i32(ctx_), {ptr(ctx_), ptr(ctx_), ptr(ctx_), ptr(ctx_)}, false);
  auto *f = llvm::Function::Create(fty, llvm::GlobalValue::ExternalLinkage,
                                   opts_.name + "_run", *m_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  RunArgs args = emitArgumentChecks(f);
  emitLayerLoop(f, args);
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

void Emitter::emitLayerLoop(llvm::Function *f, const RunArgs &a) {
  // The table: per layer {task, work items, first ref, ref count}; per
  // buffer {kind, index, pointer} (the pointer of weights and of a shared
  // task's params; inputs, outputs and workspace offsets resolve at run
  // time). Read-only, like the rest of the object.
  auto *layerTy = llvm::StructType::create(
      ctx_, {ptr(ctx_), i64(ctx_), i64(ctx_), i64(ctx_)}, "kiln.layer");
  auto *refTy = llvm::StructType::create(ctx_, {i64(ctx_), i64(ctx_), ptr(ctx_)},
                                         "kiln.buffer_ref");
  enum : uint64_t { RefPointer = 0, RefInput = 1, RefOutput = 2, RefWorkspace = 3 };
  llvm::BasicBlock *body = b_.GetInsertBlock(); // taskFor moves the builder
  std::vector<llvm::Constant *> layers, refs;
  size_t maxRefs = 1;
  auto *null = llvm::ConstantPointerNull::get(ptr(ctx_));
  auto ref = [&](uint64_t kind, uint64_t index, llvm::Constant *p) {
    refs.push_back(llvm::ConstantStruct::get(
        refTy, {b_.getInt64(kind), b_.getInt64(index), p}));
  };
  for (size_t li = 0; li < plan_.layers.size(); ++li) {
    progress("layers", li, plan_.layers.size());
    const Layer &l = plan_.layers[li];
    llvm::Function *task = taskFor(l);
    size_t first = refs.size();
    for (const BufferRef &r : l.buffers) {
      switch (r.kind) {
      case BufferRef::Null: ref(RefPointer, 0, null); break;
      case BufferRef::Input: ref(RefInput, uint64_t(r.index), null); break;
      case BufferRef::Output: ref(RefOutput, uint64_t(r.index), null); break;
      case BufferRef::Workspace: ref(RefWorkspace, uint64_t(r.index), null); break;
      case BufferRef::Weight: ref(RefPointer, 0, weights_[size_t(r.index)]); break;
      }
    }
    if (!specialized(l))
      ref(RefPointer, 0, paramsFor(l));
    maxRefs = std::max(maxRefs, refs.size() - first);
    layers.push_back(llvm::ConstantStruct::get(
        layerTy, {task, b_.getInt64(uint64_t(l.workItems)), b_.getInt64(first),
                  b_.getInt64(refs.size() - first)}));
  }
  auto table = [&](llvm::StructType *ty, std::vector<llvm::Constant *> &elems,
                   const char *name) {
    auto *arr = llvm::ArrayType::get(ty, elems.size());
    auto *g = new llvm::GlobalVariable(*m_, arr, true,
                                       llvm::GlobalValue::InternalLinkage,
                                       llvm::ConstantArray::get(arr, elems), name);
    g->setAlignment(llvm::Align(8));
    return g;
  };
  llvm::GlobalVariable *layerTable = table(layerTy, layers, "layers");
  llvm::GlobalVariable *refTable = table(refTy, refs, "buffer_refs");
  b_.SetInsertPoint(body);

  llvm::FunctionCallee parallelFor = m_->getOrInsertFunction(
      RUNTIME_SYMBOL(kiln_parallel_for),
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                              {ptr(ctx_), i64(ctx_), ptr(ctx_), ptr(ctx_)},
                              false));
  // Profiling hooks (JIT only): the state pointer is a constant.
  llvm::FunctionCallee profileLayer;
  llvm::Value *state = nullptr;
  if (opts_.profileState) {
    state = llvm::ConstantExpr::getIntToPtr(
        b_.getInt64(reinterpret_cast<uintptr_t>(opts_.profileState)), ptr(ctx_));
    llvm::FunctionCallee profileBegin = m_->getOrInsertFunction(
        JitProfileBeginSymbol,
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr(ctx_)}, false));
    profileLayer = m_->getOrInsertFunction(
        JitProfileLayerSymbol,
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                {ptr(ctx_), i64(ctx_)}, false));
    b_.CreateCall(profileBegin, {state});
  }
  if (layers.empty())
    return;

  auto *arrTy = llvm::ArrayType::get(ptr(ctx_), maxRefs);
  llvm::BasicBlock &entry = f->getEntryBlock();
  llvm::IRBuilder<> allocaBuilder(&entry, entry.begin());
  llvm::AllocaInst *bufs = allocaBuilder.CreateAlloca(arrTy, nullptr, "bufs");
  bufs->setAlignment(llvm::Align(16));
  // The pointer arrays the caller passed (checked non-null above when used).
  llvm::Value *inputs = f->getArg(0), *outputs = f->getArg(1);

  auto *pre = b_.GetInsertBlock();
  auto *layerBB = llvm::BasicBlock::Create(ctx_, "layer", f);
  auto *refBB = llvm::BasicBlock::Create(ctx_, "ref", f);
  auto *refDone = llvm::BasicBlock::Create(ctx_, "ref.next", f);
  auto *callBB = llvm::BasicBlock::Create(ctx_, "call", f);
  auto *done = llvm::BasicBlock::Create(ctx_, "done", f);
  b_.CreateBr(layerBB);

  // layer: the i-th record.
  b_.SetInsertPoint(layerBB);
  llvm::PHINode *i = b_.CreatePHI(i64(ctx_), 2, "i");
  i->addIncoming(b_.getInt64(0), pre);
  auto field = [&](llvm::Type *ty, llvm::Value *table, llvm::Type *rowTy,
                   llvm::Value *row, unsigned k) {
    llvm::Value *at = b_.CreateInBoundsGEP(rowTy, table, {row, b_.getInt32(k)});
    return b_.CreateAlignedLoad(ty, at, llvm::Align(8));
  };
  llvm::Value *task = field(ptr(ctx_), layerTable, layerTy, i, 0);
  llvm::Value *work = field(i64(ctx_), layerTable, layerTy, i, 1);
  llvm::Value *first = field(i64(ctx_), layerTable, layerTy, i, 2);
  llvm::Value *count = field(i64(ctx_), layerTable, layerTy, i, 3);
  b_.CreateCondBr(b_.CreateICmpEQ(count, b_.getInt64(0)), callBB, refBB);

  // ref: bufs[j] = the j-th buffer of the layer.
  b_.SetInsertPoint(refBB);
  llvm::PHINode *j = b_.CreatePHI(i64(ctx_), 2, "j");
  j->addIncoming(b_.getInt64(0), layerBB);
  llvm::Value *row = b_.CreateAdd(first, j);
  llvm::Value *kind = field(i64(ctx_), refTable, refTy, row, 0);
  llvm::Value *index = field(i64(ctx_), refTable, refTy, row, 1);
  llvm::Value *pointer = field(ptr(ctx_), refTable, refTy, row, 2);
  auto *isIn = llvm::BasicBlock::Create(ctx_, "ref.input", f);
  auto *isOut = llvm::BasicBlock::Create(ctx_, "ref.output", f);
  auto *isWs = llvm::BasicBlock::Create(ctx_, "ref.workspace", f);
  llvm::SwitchInst *sw = b_.CreateSwitch(kind, refDone, 3);
  sw->addCase(b_.getInt64(RefInput), isIn);
  sw->addCase(b_.getInt64(RefOutput), isOut);
  sw->addCase(b_.getInt64(RefWorkspace), isWs);
  auto load = [&](llvm::Value *array) {
    return b_.CreateAlignedLoad(
        ptr(ctx_), b_.CreateInBoundsGEP(ptr(ctx_), array, index), llvm::Align(8));
  };
  b_.SetInsertPoint(isIn);
  llvm::Value *pIn = plan_.inputs.empty() ? static_cast<llvm::Value *>(null) : load(inputs);
  b_.CreateBr(refDone);
  b_.SetInsertPoint(isOut);
  llvm::Value *pOut = plan_.outputs.empty() ? static_cast<llvm::Value *>(null) : load(outputs);
  b_.CreateBr(refDone);
  b_.SetInsertPoint(isWs);
  llvm::Value *pWs = b_.CreateInBoundsGEP(i8(ctx_), a.workspace, index);
  b_.CreateBr(refDone);
  b_.SetInsertPoint(refDone);
  llvm::PHINode *p = b_.CreatePHI(ptr(ctx_), 4, "p");
  p->addIncoming(pointer, refBB);
  p->addIncoming(pIn, isIn);
  p->addIncoming(pOut, isOut);
  p->addIncoming(pWs, isWs);
  b_.CreateAlignedStore(p, b_.CreateInBoundsGEP(arrTy, bufs, {b_.getInt64(0), j}),
                        llvm::Align(8));
  llvm::Value *jNext = b_.CreateAdd(j, b_.getInt64(1));
  j->addIncoming(jNext, refDone);
  b_.CreateCondBr(b_.CreateICmpULT(jNext, count), refBB, callBB);

  b_.SetInsertPoint(callBB);
  b_.CreateCall(parallelFor, {a.pool, work, task, bufs});
  if (state)
    b_.CreateCall(profileLayer, {state, i});
  llvm::Value *iNext = b_.CreateAdd(i, b_.getInt64(1));
  i->addIncoming(iNext, callBB);
  b_.CreateCondBr(b_.CreateICmpULT(iNext, b_.getInt64(layers.size())), layerBB, done);
  b_.SetInsertPoint(done);
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
  chooseSpecialized();
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
  r.tasks = tasks_.size() + sharedTasks_.size();
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
