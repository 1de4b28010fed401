//===- Options.cpp - One set of compile options, CLI to codegen -----------===//

#include "compiler/driver/Options.h"

namespace kiln::driver {

namespace {
/// The layout's channel block: the target's vectors unless overridden.
int lanesFor(const CompileOptions &opts, const codegen::Target &target) {
  return opts.vectorLanes > 0 ? opts.vectorLanes : target.vectorLanes;
}
} // namespace

PassOptions passOptions(const CompileOptions &opts, const codegen::Target &target) {
  PassOptions po;
  po.vectorLanes = lanesFor(opts, target);
  po.verifyEach = opts.verifyEach;
  po.winograd = opts.winograd;
  po.keepValues = opts.keepValues;
  return po;
}

codegen::LoweringOptions loweringOptions(const CompileOptions &opts,
                                         const codegen::Target &target) {
  codegen::LoweringOptions lo;
  lo.vectorLanes = target.vectorLanes; // the kernels' variant: the target's own
  lo.caches = target.caches;
  lo.fastKernels = opts.fastKernels;
  return lo;
}

codegen::JitOptions jitOptions(const CompileOptions &opts) {
  codegen::JitOptions jo;
  jo.optLevel = opts.optLevel;
  jo.cpu = opts.target.cpu;
  jo.features = opts.target.features;
  jo.profile = opts.profile;
  jo.profileCpuTime = opts.profileCpuTime;
  return jo;
}

} // namespace kiln::driver
