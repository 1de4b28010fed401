//===- Bench.cpp - kiln bench: latency of compiled code -------------------===//
//
//   kiln bench resnet50.onnx --threads 2 --iterations 50
//
// Compiles the model for this host (the same code `kiln compile` writes),
// runs it on a seeded random input, and reports median/min/max latency,
// GFLOP/s and the share of this machine's fp32 peak, which it measures
// itself with independent FMA chains at the widest vector width the CPU has.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/ShapeFlags.h"

#include "compiler/ir/Cost.h"
#include "compiler/driver/Driver.h"
#include "compiler/driver/TensorIO.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace kiln::cli {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// The calling thread's CPU time in ms (`bench --cpu-time`).
double threadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

//===----------------------------------------------------------------------===//
// Peak: 16 independent FMA chains per thread, widest vectors available.
//===----------------------------------------------------------------------===//

typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V4 __attribute__((vector_size(16)));

template <typename V> __attribute__((always_inline)) inline double fmaChains(int64_t iterations) {
  V acc[16];
  V a = V{} + 1.0000001f, b = V{} + 1e-7f;
  for (int c = 0; c < 16; ++c)
    acc[c] = b * float(c);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < 16; ++c)
      acc[c] = acc[c] * a + b;
    asm volatile("" : "+m"(acc)); // keep the chains from being folded
  }
  float lanes[sizeof(V) / sizeof(float)];
  double sink = 0;
  for (int c = 0; c < 16; ++c) {
    __builtin_memcpy(lanes, &acc[c], sizeof(V));
    sink += lanes[0];
  }
  return sink;
}

#if defined(__x86_64__)
__attribute__((target("avx512f,fma"))) double fmaChains512(int64_t n) { return fmaChains<V16>(n); }
__attribute__((target("avx2,fma"))) double fmaChains256(int64_t n) { return fmaChains<V8>(n); }
#endif
double fmaChains128(int64_t n) { return fmaChains<V4>(n); }

/// GFLOP/s of `threads` threads each running FMA chains for ~0.2 s.
double measurePeakGflops(int threads) {
  int lanes = 4;
  double (*chains)(int64_t) = fmaChains128;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f"))
    lanes = 16, chains = fmaChains512;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    lanes = 8, chains = fmaChains256;
#endif
  const int64_t iterations = 20'000'000;
  std::vector<double> gflops(size_t(threads), 0.0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      double best = 0;
      for (int rep = 0; rep < 3; ++rep) {
        auto t0 = Clock::now();
        volatile double sink = chains(iterations);
        (void)sink;
        double s = msSince(t0) / 1e3;
        best = std::max(best, 2.0 * 16 * lanes * double(iterations) / s / 1e9);
      }
      gflops[size_t(t)] = best;
    });
  for (auto &w : workers)
    w.join();
  double total = 0;
  for (double g : gflops)
    total += g;
  return total;
}

struct Stats {
  double median, min, max;
};

Stats summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  return {median, ms.front(), ms.back()};
}

int fail(const std::string &file, llvm::Error err) {
  fmt::print(stderr, "error: {}: {}\n", file, llvm::toString(std::move(err)));
  return 1;
}

} // namespace

int benchMain(int argc, char **argv) {
  Args args("bench", "MODEL",
            "Measure the latency of kiln's compiled code for a model on this machine:\n"
            "median, min and max over the iterations, GFLOP/s and the share of the\n"
            "machine's fp32 peak (measured at start-up with FMA chains).");
  int64_t threads = 1, iterations = 50, warmup = 5, seed = 1;
  ShapeFlags shapes;
  bool profile = false, noPeak = false, cpuTime = false;
  std::vector<std::string> pos;
  args.option("--threads", &threads, "N", "threads in the pool (default 1; 0: all cores)");
  args.option("--iterations", &iterations, "N", "timed runs (default 50)");
  args.option("--warmup", &warmup, "N", "untimed runs first (default 5)");
  shapes.declare(args);
  args.option("--seed", &seed, "S", "seed of the random input (default 1)");
  args.flag("--profile", &profile, "per-layer table: time, GFLOP/s, share of the total");
  args.flag("--no-peak", &noPeak, "skip measuring the machine's peak");
  args.flag("--cpu-time", &cpuTime,
            "time with the thread's CPU time, not the wall clock (needs --threads 1):\n"
            "steadier on a shared machine, blind to waiting for memory held by others");
  args.positionals(&pos, 1, 1);
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  if (iterations < 1 || threads < 0 || warmup < 0)
    return usageError("bench", "--iterations must be >= 1, --threads and --warmup >= 0");
  if (cpuTime && threads != 1)
    return usageError("bench", "--cpu-time needs --threads 1 (the layers must run on the caller)");
  const std::string &path = pos[0];

  driver::CompileOptions opts;
  if (int rc = shapes.apply("bench", path, opts); rc >= 0)
    return rc;
  opts.profile = profile;
  opts.profileCpuTime = cpuTime;
  auto graph = driver::importModel(path, opts);
  if (!graph)
    return fail(path, graph.takeError());
  // Counted as imported, before fusion changes result shapes.
  const double flops = graphFlops(**graph);

  auto target = driver::resolveTarget(opts);
  if (!target)
    return fail(path, target.takeError());
  auto t0 = Clock::now();
  if (auto err = driver::optimize(**graph, opts, *target))
    return fail(path, std::move(err));
  auto model = driver::jitModel(**graph, opts, *target);
  if (!model)
    return fail(path, model.takeError());
  double compileMs = msSince(t0);

  kiln_pool *pool = kiln_pool_create(int(threads));
  int poolThreads = kiln_pool_threads(pool);
  // Buffers in each tensor's own element type.
  std::vector<std::vector<char>> inBytes, outBytes;
  std::vector<const void *> in;
  std::vector<void *> out;
  for (size_t i = 0; i < (*graph)->inputs.size(); ++i) {
    inBytes.push_back(
        tensorBytes(driver::randomTensor((*graph)->inputs[i]->type, uint64_t(seed), i)));
    inBytes.back().resize(std::max<size_t>(inBytes.back().size(), 1)); // never null
    in.push_back(inBytes.back().data());
  }
  for (const Value *o : (*graph)->outputs)
    outBytes.emplace_back(std::max<size_t>(size_t(o->type.numBytes()), 1));
  for (auto &o : outBytes)
    out.push_back(o.data());
  void *workspace = kiln_workspace_alloc((*model)->workspaceSize());

  for (int64_t i = 0; i < warmup; ++i)
    if (kiln_status s = (*model)->run(in.data(), out.data(), workspace, pool); s != KILN_OK) {
      fmt::print(stderr, "error: {}: run failed: {}\n", path, kiln_status_string(s));
      return 1;
    }
  (*model)->resetProfile();
  std::vector<double> ms;
  for (int64_t i = 0; i < iterations; ++i) {
    auto start = Clock::now();
    double cpuStart = cpuTime ? threadCpuMs() : 0.0;
    (*model)->run(in.data(), out.data(), workspace, pool);
    ms.push_back(cpuTime ? threadCpuMs() - cpuStart : msSince(start));
  }
  Stats s = summarize(ms);
  double gflops = flops / (s.median * 1e-3) / 1e9;

  fmt::print("model      {}\n", path);
  fmt::print("target     {}\n", (*model)->target().describe());
  fmt::print("threads    {}\n", poolThreads);
  fmt::print("compile    {:.0f} ms ({} layers, {} distinct kernels)\n", compileMs,
             (*model)->numLayers(), (*model)->numTasks());
  fmt::print("workspace  {:.2f} MB\n", double((*model)->workspaceSize()) / 1e6);
  fmt::print("latency    median {:.3f} ms  min {:.3f} ms  max {:.3f} ms  ({} runs{})\n",
             s.median, s.min, s.max, iterations, cpuTime ? ", thread CPU time" : "");
  fmt::print("compute    {:.2f} GFLOP per run, {:.1f} GFLOP/s\n", flops / 1e9, gflops);
  if (!noPeak) {
    double peak = measurePeakGflops(poolThreads);
    fmt::print("peak       {:.0f} GFLOP/s fp32 on {} thread(s) (measured): {:.0f}% of peak\n",
               peak, poolThreads, 100.0 * gflops / peak);
  }
  if (profile) {
    auto layers = (*model)->profile();
    double total = 0;
    for (const auto &l : layers)
      total += l.ms;
    fmt::print("\n{:>4}  {:<40} {:<22} {:>9} {:>9} {:>7}\n", "#", "layer", "kernel",
               "ms/run", "GFLOP/s", "share");
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto &l = layers[i];
      double perRun = l.calls ? l.ms / double(l.calls) : 0.0;
      std::string name = l.name.size() > 40 ? "..." + l.name.substr(l.name.size() - 37) : l.name;
      std::string rate = l.flops > 0 ? fmt::format("{:.1f}", l.flops / (perRun * 1e-3) / 1e9) : "-";
      fmt::print("{:>4}  {:<40} {:<22} {:>9.3f} {:>9} {:>6.1f}%\n", i, name,
                 l.kernel.substr(0, 22), perRun, rate, total > 0 ? 100.0 * l.ms / total : 0.0);
    }
  }
  kiln_workspace_free(workspace);
  kiln_pool_destroy(pool);
  return 0;
}

} // namespace kiln::cli
