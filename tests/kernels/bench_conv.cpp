//===- bench_conv.cpp - kiln-kernel-bench: kernel GFLOP/s on model layers -===//
//
// Times the native kernels (L = KILN_LANES of this machine) on the VGG-16 and
// ResNet-50 layer shapes with 1 and 2 threads (static halves of the work
// items, two spinning threads) and prints GFLOP/s against the machine's peak
// (PERFORMANCE.md: ~205 GFLOP/s per core). Not a test: timings are noisy on a
// shared machine; compare rows of one run.
//
//   kiln-kernel-bench [filter-substring] [--peak GFLOPS_PER_CORE] [--cpu-time] [--1t]
//                     [--cold N]
//
// --cpu-time: the 1-thread conv column uses the thread's CPU time (for a
// machine shared with other jobs). --1t: skip the 2-thread column. --cold N:
// each direct-conv run reads the next of N copies of the weights, so with N
// large enough they come from memory, as in a model (each layer's weights are
// read once per inference); the default 1 keeps them in cache. Each
// Winograd-capable 3x3 layer gets a second row (effective GFLOP/s, as direct
// FLOPs / time) and Winograd's error vs the direct kernel on He-initialized
// weights and ReLU inputs.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/kernels/Conv.h"
#include "compiler/codegen/kernels/Gemm.h"
#include "compiler/codegen/kernels/Vec.h"
#include "compiler/codegen/kernels/Winograd.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

bool cpuTime = false;
bool oneThread = false; // --1t: skip the 2-thread column
int coldCopies = 1;      // --cold N: rotate N copies of the conv weights
using Clock = std::chrono::steady_clock;

/// Two workers: the caller runs the first half, a spinning thread the second.
class TwoThreads {
public:
  TwoThreads() : worker([this] { loop(); }) {}
  ~TwoThreads() {
    stop = true;
    gen.fetch_add(1);
    worker.join();
  }
  void run(const std::function<void(int64_t, int64_t)> &f, int64_t items) {
    const int64_t mid = items / 2;
    job = [&] { f(mid, items); };
    done.store(false);
    gen.fetch_add(1, std::memory_order_release);
    f(0, mid);
    while (!done.load(std::memory_order_acquire))
      ;
  }

private:
  void loop() {
    uint64_t seen = 0;
    while (true) {
      uint64_t g;
      while ((g = gen.load(std::memory_order_acquire)) == seen)
        ;
      seen = g;
      if (stop)
        return;
      job();
      done.store(true, std::memory_order_release);
    }
  }
  std::function<void()> job;
  std::atomic<uint64_t> gen{0};
  std::atomic<bool> done{true};
  bool stop = false;
  std::thread worker;
};

double threadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/// Median seconds of `f` over repetitions lasting ~0.4 s (at least 3). With
/// `cpu`, the calling thread's CPU time instead of wall time: on a loaded
/// shared machine that is what the kernel itself costs.
double timeIt(const std::function<void()> &f, bool cpu = false) {
  f(); // warm up: page faults, caches
  std::vector<double> t;
  auto start = Clock::now();
  while (t.size() < 3 ||
         (std::chrono::duration<double>(Clock::now() - start).count() < 0.4 &&
          t.size() < 200)) {
    auto t0 = Clock::now();
    double c0 = threadCpuSeconds();
    f();
    t.push_back(cpu ? threadCpuSeconds() - c0
                    : std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// A float array on a cache-line boundary.
class AlignedFloats {
public:
  explicit AlignedFloats(size_t n)
      : p_(static_cast<float *>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64))) {}
  ~AlignedFloats() { std::free(p_); }
  AlignedFloats(const AlignedFloats &) = delete;
  AlignedFloats &operator=(const AlignedFloats &) = delete;
  float *data() { return p_; }

private:
  float *p_;
};

struct ConvLayer {
  const char *name;
  int64_t C, H, M, K, S, P;
  bool plain = false;
  int64_t pool = 0; // 0 none, 2: 2x2/2 max, 3: 3x3/2 pad 1 max
};

std::vector<float> randomVec(size_t n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

struct Row {
  double gflop, t1, t2;
};

void printRow(const char *name, const Row &r, double peak, const char *unit = "GFLOP/s") {
  fmt::print("{:<24} {:>7.3f} {:>8.3f} {:>8.1f} {:>5.0f}% {:>8.3f} {:>8.1f} {:>5.0f}%\n",
             name, r.gflop, r.t1 * 1e3, r.gflop / r.t1, 100 * r.gflop / r.t1 / peak,
             r.t2 * 1e3, r.gflop / r.t2, 100 * r.gflop / r.t2 / (2 * peak));
}

/// He-initialized weights (uniform with variance 2 / fan_in) and ReLU'd
/// inputs: the magnitudes of a trained network's layers.
std::vector<float> heWeights(size_t n, int64_t fanIn) {
  std::mt19937 rng(2);
  const float a = std::sqrt(6.0f / (float)fanIn);
  std::uniform_real_distribution<float> d(-a, a);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(rng);
  return v;
}

struct ConvRows {
  Row direct;
  bool hasWino = false;
  Row wino;
  double winoErr = 0; ///< max|wino - direct| / max|direct|
};

ConvRows benchConv(const ConvLayer &l, TwoThreads &pool) {
  const int64_t L = KILN_LANES;
  KilnConvParams p{};
  p.l1d_bytes = 32 * 1024, p.l2_bytes = 1024 * 1024; // CacheSizes' defaults
  p.L = L, p.N = 1, p.C = l.C, p.H = p.W = l.H, p.M = l.M;
  p.KH = p.KW = l.K, p.SH = p.SW = l.S, p.PT = p.PL = l.P, p.DH = p.DW = 1;
  p.G = 1, p.OH = p.OW = (l.H + 2 * l.P - l.K) / l.S + 1;
  p.input_blocked = !l.plain, p.has_bias = 1, p.activation = KILN_ACT_RELU;
  int64_t outHW = p.OH;
  KilnConvParams unpooled = p;
  if (l.pool) {
    p.pool_kind = KILN_POOL_MAX;
    p.pool_kh = p.pool_kw = l.pool, p.pool_sh = p.pool_sw = 2;
    p.pool_pt = p.pool_pl = p.pool_pb = p.pool_pr = l.pool == 3 ? 1 : 0;
    p.pool_oh = p.pool_ow = l.pool == 3 ? (p.OH + 2 - 3) / 2 + 1 : p.OH / 2;
    outHW = p.pool_oh;
  }
  const int64_t Cb = (l.C + L - 1) / L, Mb = (l.M + L - 1) / L;
  auto in = randomVec(l.plain ? l.C * l.H * l.H : Cb * L * l.H * l.H);
  for (float &x : in)
    x = std::max(x, 0.0f);
  auto w = heWeights(l.M * l.C * l.K * l.K, l.C * l.K * l.K);
  const size_t packed = kiln_conv2d_packed_size(&p);
  std::vector<float> pw(packed * coldCopies), pb(kiln_conv2d_packed_bias_size(&p));
  for (int k = 0; k < coldCopies; ++k)
    kiln_conv2d_pack_weights(&p, w.data(), pw.data() + k * packed);
  kiln_conv2d_pack_bias(&p, nullptr, pb.data());
  std::vector<float> out(Mb * L * outHW * outHW);
  const int64_t items = kiln_conv2d_work_items(&p);
  int copy = 0; // which copy of the weights the next run reads
  auto f = [&](int64_t b, int64_t e) {
    kiln_conv2d_f32_nchwc(&p, in.data(), pw.data() + copy * packed, pb.data(), nullptr,
                          out.data(), b, e);
  };
  ConvRows r;
  r.direct.gflop = 2.0 * l.M * l.C * l.K * l.K * p.OH * p.OW * 1e-9;
  r.direct.t1 = timeIt([&] { copy = (copy + 1) % coldCopies; f(0, items); }, cpuTime);
  r.direct.t2 = oneThread ? NAN : timeIt([&] {
    copy = (copy + 1) % coldCopies;
    pool.run(f, items);
  });

  // Winograd on the same layer without the fused pool and activation.
  KilnConvParams q = unpooled;
  q.activation = KILN_ACT_NONE;
  if (!kiln_conv2d_winograd_supported(&q))
    return r;
  r.hasWino = true;
  std::vector<float> qw(kiln_conv2d_winograd_packed_size(&q));
  kiln_conv2d_winograd_pack_weights(&q, w.data(), qw.data());
  std::vector<float> qw9(kiln_conv2d_packed_size(&q));
  kiln_conv2d_pack_weights(&q, w.data(), qw9.data());
  std::vector<float> y(Mb * L * q.OH * q.OW), yRef(y.size());
  const int64_t wItems = kiln_conv2d_winograd_work_items(&q);
  auto g = [&](int64_t b, int64_t e) {
    kiln_conv2d_winograd_f32_nchwc(&q, in.data(), qw.data(), pb.data(), nullptr,
                                   y.data(), b, e);
  };
  kiln_conv2d_f32_nchwc(&q, in.data(), qw9.data(), pb.data(), nullptr, yRef.data(), 0,
                        kiln_conv2d_work_items(&q));
  r.wino.gflop = r.direct.gflop;
  r.wino.t1 = timeIt([&] { g(0, wItems); }, cpuTime);
  r.wino.t2 = oneThread ? NAN : timeIt([&] { pool.run(g, wItems); });
  double maxRef = 0, maxDiff = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    maxRef = std::max(maxRef, (double)std::fabs(yRef[i]));
    maxDiff = std::max(maxDiff, (double)std::fabs(y[i] - yRef[i]));
  }
  r.winoErr = maxDiff / maxRef;
  return r;
}

Row benchGemm(int64_t M, int64_t N, int64_t K, TwoThreads &pool) {
  KilnGemmParams p{};
  p.L = KILN_LANES, p.M = M, p.N = N, p.K = K, p.has_bias = 1;
  p.activation = KILN_ACT_RELU;
  auto a = randomVec(M * K), b = randomVec(K * N);
  // 64-byte aligned, as the weights are in a compiled model's object.
  AlignedFloats pbm(kiln_gemm_packed_size(&p));
  std::vector<float> pc(kiln_gemm_packed_bias_size(&p));
  kiln_gemm_pack_b(&p, b.data(), 1, 1.0, pbm.data());
  kiln_gemm_pack_bias(&p, nullptr, 0, 1.0, pc.data());
  std::vector<float> y(M * N);
  const int64_t items = kiln_gemm_work_items(&p);
  auto f = [&](int64_t b0, int64_t e) {
    kiln_gemm_f32_packed(&p, a.data(), pbm.data(), pc.data(), y.data(), b0, e);
  };
  Row r;
  r.gflop = 2.0 * M * N * K * 1e-9;
  r.t1 = timeIt([&] { f(0, items); });
  r.t2 = oneThread ? NAN : timeIt([&] { pool.run(f, items); });
  return r;
}

} // namespace

int main(int argc, char **argv) {
  std::string filter;
  double peak = 205;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--cpu-time"))
      cpuTime = true;
    else if (!std::strcmp(argv[i], "--1t"))
      oneThread = true;
    else if (!std::strcmp(argv[i], "--cold") && i + 1 < argc)
      coldCopies = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--peak") && i + 1 < argc)
      peak = std::atof(argv[++i]);
    else
      filter = argv[i];
  }
  const std::vector<ConvLayer> layers = {
      {"vgg.conv1_1", 3, 224, 64, 3, 1, 1, true},
      {"vgg.conv1_2+pool", 64, 224, 64, 3, 1, 1, false, 2},
      {"vgg.conv2_1", 64, 112, 128, 3, 1, 1},
      {"vgg.conv2_2+pool", 128, 112, 128, 3, 1, 1, false, 2},
      {"vgg.conv3_1", 128, 56, 256, 3, 1, 1},
      {"vgg.conv3_2", 256, 56, 256, 3, 1, 1},
      {"vgg.conv4_1", 256, 28, 512, 3, 1, 1},
      {"vgg.conv4_2", 512, 28, 512, 3, 1, 1},
      {"vgg.conv5_x", 512, 14, 512, 3, 1, 1},
      {"r50.conv1+pool", 3, 224, 64, 7, 2, 3, true, 3},
      {"r50.res2 1x1 64-64", 64, 56, 64, 1, 1, 0},
      {"r50.res2 3x3 64", 64, 56, 64, 3, 1, 1},
      {"r50.res2 1x1 64-256", 64, 56, 256, 1, 1, 0},
      {"r50.res2 1x1 256-64", 256, 56, 64, 1, 1, 0},
      {"r50.res3 1x1 256-128 @56", 256, 56, 128, 1, 1, 0},
      {"r50.res3 down 1x1/2", 256, 56, 512, 1, 2, 0},
      {"r50.res3 3x3/2 128", 128, 56, 128, 3, 2, 1},
      {"r50.res3 3x3 128", 128, 28, 128, 3, 1, 1},
      {"r50.res3 1x1 512-128", 512, 28, 128, 1, 1, 0},
      {"r50.res3 1x1 128-512", 128, 28, 512, 1, 1, 0},
      {"r50.res4 down 1x1/2", 512, 28, 1024, 1, 2, 0},
      {"r50.res4 3x3 256", 256, 14, 256, 3, 1, 1},
      {"r50.res4 1x1 1024-256", 1024, 14, 256, 1, 1, 0},
      {"r50.res4 1x1 256-1024", 256, 14, 1024, 1, 1, 0},
      {"r50.res5 3x3 512", 512, 7, 512, 3, 1, 1},
      {"r50.res5 1x1 2048-512", 2048, 7, 512, 1, 1, 0},
      {"r50.res5 1x1 512-2048", 512, 7, 2048, 1, 1, 0},
      {"r50.res5 down 1x1/2", 1024, 14, 2048, 1, 2, 0},
      {"alexnet.conv1 11x11/4", 3, 224, 64, 11, 4, 2, true},
      {"alexnet.conv2 5x5 64-192", 64, 27, 192, 5, 1, 2},
      {"alexnet.conv3 192-384", 192, 13, 384, 3, 1, 1},
      {"alexnet.conv4 384-256", 384, 13, 256, 3, 1, 1},
      {"alexnet.conv5 256-256", 256, 13, 256, 3, 1, 1},
  };
  TwoThreads pool;
  fmt::print("kiln-kernel-bench: L={}, peak {:.0f} GFLOP/s/core\n", KILN_LANES, peak);
  fmt::print("{:<24} {:>7} {:>8} {:>8} {:>6} {:>8} {:>8} {:>6}\n", "layer", "GFLOP",
             "ms 1t", "GFLOP/s", "peak", "ms 2t", "GFLOP/s", "peak");
  for (const ConvLayer &l : layers)
    if (filter.empty() || std::string(l.name).find(filter) != std::string::npos)
    {
      ConvRows r = benchConv(l, pool);
      printRow(l.name, r.direct, peak);
      if (r.hasWino) {
        printRow("  winograd F(4x4,3x3)", r.wino, peak);
        fmt::print("{:<24} error vs direct: {:.2e} of max|y|\n", "", r.winoErr);
      }
    }
  struct { const char *name; int64_t M, N, K; } fcs[] = {
      {"vgg.fc6 (batch 1)", 1, 4096, 25088},
      {"vgg.fc7 (batch 1)", 1, 4096, 4096},
      {"vgg.fc7 (batch 8)", 8, 4096, 4096},
      {"r50.fc (batch 1)", 1, 1000, 2048},
  };
  for (auto &fc : fcs) {
    if (!filter.empty() && std::string(fc.name).find(filter) == std::string::npos)
      continue;
    Row r = benchGemm(fc.M, fc.N, fc.K, pool);
    const double gb = 4.0 * fc.N * fc.K * 1e-9;
    printRow(fc.name, r, peak);
    fmt::print("{:<24} weights {:.0f} MB: {:.1f} GB/s 1t, {:.1f} GB/s 2t\n", "", gb * 1e3,
               gb / r.t1, gb / r.t2);
  }
}
