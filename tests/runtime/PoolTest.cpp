//===- PoolTest.cpp - kiln_pool and kiln_parallel_for ---------------------===//
//
// The contract generated code relies on: every item of a loop is handed out
// exactly once, in contiguous ranges that match the documented static split,
// on a pool that several application threads may share.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace {

/// Records each call's range and how often each item was visited.
struct Recorder {
  explicit Recorder(int64_t count) : visits(count) {}
  std::vector<std::atomic<int>> visits;
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> ranges;
};

void record(void *ctx, int64_t begin, int64_t end) {
  auto *r = static_cast<Recorder *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    r->visits[i].fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(r->mutex);
  r->ranges.emplace_back(begin, end);
}

/// The split kiln_parallel_for documents.
std::vector<std::pair<int64_t, int64_t>> expectedRanges(int64_t count,
                                                        int threads) {
  int64_t parts = std::min<int64_t>(count, threads);
  int64_t q = count / parts, r = count % parts;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t t = 0; t < parts; ++t)
    ranges.emplace_back(t * q + std::min(t, r),
                        (t + 1) * q + std::min(t + 1, r));
  return ranges;
}

void checkLoop(kiln_pool *pool, int64_t count) {
  Recorder rec(count);
  kiln_parallel_for(pool, count, record, &rec);
  for (int64_t i = 0; i < count; ++i)
    REQUIRE_MESSAGE(rec.visits[i].load() == 1, "item " << i << " of " << count);
  std::sort(rec.ranges.begin(), rec.ranges.end());
  if (count <= 0) {
    CHECK(rec.ranges.empty());
    return;
  }
  CHECK(rec.ranges == expectedRanges(count, kiln_pool_threads(pool)));
}

} // namespace

TEST_CASE("every item is visited exactly once, in the documented ranges") {
  for (int threads : {1, 2, 3, 4, 7, 8}) {
    kiln_pool *pool = kiln_pool_create(threads);
    REQUIRE(pool != nullptr);
    CHECK(kiln_pool_threads(pool) == threads);
    for (int64_t count : {0, 1, 2, 3, 5, 7, 8, 9, 16, 17, 100, 1000, 4099}) {
      CAPTURE(threads);
      CAPTURE(count);
      checkLoop(pool, count);
    }
    kiln_pool_destroy(pool);
  }
}

TEST_CASE("fewer items than threads leaves some threads without work") {
  kiln_pool *pool = kiln_pool_create(8);
  REQUIRE(pool != nullptr);
  Recorder rec(3);
  kiln_parallel_for(pool, 3, record, &rec);
  CHECK(rec.ranges.size() == 3); // never called with an empty range
  for (auto [b, e] : rec.ranges)
    CHECK(e - b == 1);
  kiln_pool_destroy(pool);
}

TEST_CASE("negative counts do nothing") {
  kiln_pool *pool = kiln_pool_create(2);
  Recorder rec(0);
  kiln_parallel_for(pool, -5, record, &rec);
  kiln_parallel_for(nullptr, -5, record, &rec);
  CHECK(rec.ranges.empty());
  kiln_pool_destroy(pool);
}

TEST_CASE("a NULL pool runs the loop inline, in one call") {
  CHECK(kiln_pool_threads(nullptr) == 1);
  Recorder rec(37);
  std::thread::id caller = std::this_thread::get_id();
  struct Ctx {
    Recorder *rec;
    std::thread::id caller;
    bool sameThread = true;
  } ctx{&rec, caller};
  kiln_parallel_for(
      nullptr, 37,
      [](void *p, int64_t b, int64_t e) {
        auto *c = static_cast<Ctx *>(p);
        c->sameThread &= std::this_thread::get_id() == c->caller;
        record(c->rec, b, e);
      },
      &ctx);
  CHECK(ctx.sameThread);
  REQUIRE(rec.ranges.size() == 1);
  CHECK(rec.ranges[0] == std::make_pair<int64_t, int64_t>(0, 37));
}

TEST_CASE("the caller runs range 0; workers run the others unless late") {
  kiln_pool *pool = kiln_pool_create(4);
  REQUIRE(pool != nullptr);
  struct Ctx {
    std::thread::id caller;
    std::thread::id ran[4];
  } ctx{std::this_thread::get_id(), {}};
  kiln_parallel_for(
      pool, 4,
      [](void *p, int64_t b, int64_t e) {
        static_cast<Ctx *>(p)->ran[b] = std::this_thread::get_id();
      },
      &ctx);
  CHECK(ctx.ran[0] == ctx.caller);
  // The caller takes over ranges whose worker had not started yet, so a
  // range runs on the caller or on its own worker, never another worker's.
  for (int t = 1; t < 4; ++t)
    for (int u = 1; u < t; ++u)
      if (ctx.ran[t] != ctx.caller)
        CHECK(ctx.ran[t] != ctx.ran[u]);
  kiln_pool_destroy(pool);
}

TEST_CASE("writes made inside the loop are visible after it returns") {
  kiln_pool *pool = kiln_pool_create(3);
  std::vector<int64_t> data(10000, 0);
  // Many back-to-back loops, as between layers, each reading the last.
  for (int round = 1; round <= 200; ++round) {
    kiln_parallel_for(
        pool, static_cast<int64_t>(data.size()),
        [](void *p, int64_t b, int64_t e) {
          auto *d = static_cast<std::vector<int64_t> *>(p);
          for (int64_t i = b; i < e; ++i)
            (*d)[i] += i;
        },
        &data);
    REQUIRE(data[9999] == 9999 * round);
  }
  for (int64_t i = 0; i < 10000; ++i)
    REQUIRE(data[i] == i * 200);
  kiln_pool_destroy(pool);
}

TEST_CASE("a nested loop on the same pool runs inline instead of deadlocking") {
  kiln_pool *pool = kiln_pool_create(2);
  struct Ctx {
    kiln_pool *pool;
    std::atomic<int64_t> sum{0};
  } ctx{pool};
  kiln_parallel_for(
      pool, 4,
      [](void *p, int64_t b, int64_t e) {
        auto *c = static_cast<Ctx *>(p);
        for (int64_t i = b; i < e; ++i)
          kiln_parallel_for(
              c->pool, 10,
              [](void *q, int64_t ib, int64_t ie) {
                static_cast<Ctx *>(q)->sum += ie - ib;
              },
              c);
      },
      &ctx);
  CHECK(ctx.sum == 40);
  kiln_pool_destroy(pool);
}

TEST_CASE("four application threads share one pool") {
  kiln_pool *pool = kiln_pool_create(3);
  REQUIRE(pool != nullptr);
  constexpr int Apps = 4, Rounds = 300;
  constexpr int64_t Count = 999;
  std::atomic<int> failures{0};
  std::vector<std::thread> apps;
  for (int a = 0; a < Apps; ++a)
    apps.emplace_back([&, a] {
      std::vector<int64_t> out(Count);
      for (int round = 0; round < Rounds; ++round) {
        struct Job {
          int64_t *out;
          int64_t salt;
        } job{out.data(), a * 100000 + round};
        kiln_parallel_for(
            pool, Count,
            [](void *p, int64_t b, int64_t e) {
              auto *j = static_cast<Job *>(p);
              for (int64_t i = b; i < e; ++i)
                j->out[i] = i * 7 + j->salt;
            },
            &job);
        for (int64_t i = 0; i < Count; ++i)
          if (out[i] != i * 7 + job.salt) {
            failures.fetch_add(1);
            break;
          }
      }
    });
  for (std::thread &t : apps)
    t.join();
  CHECK(failures.load() == 0);
  kiln_pool_destroy(pool);
}

TEST_CASE("threads <= 0 means one per available CPU") {
  unsigned cpus = std::thread::hardware_concurrency();
  for (int request : {0, -1}) {
    kiln_pool *pool = kiln_pool_create(request);
    REQUIRE(pool != nullptr);
    int threads = kiln_pool_threads(pool);
    CHECK(threads >= 1);
    if (cpus > 0)
      CHECK(threads <= static_cast<int>(cpus));
    checkLoop(pool, 1234);
    kiln_pool_destroy(pool);
  }
}

TEST_CASE("destroying a pool that never ran a loop, or a NULL pool") {
  kiln_pool_destroy(nullptr);
  for (int threads : {1, 2, 5})
    kiln_pool_destroy(kiln_pool_create(threads));
}

TEST_CASE("workers that fell asleep wake up for the next loop") {
  kiln_pool *pool = kiln_pool_create(2);
  checkLoop(pool, 10);
  // Longer than the spin window (100 us), so the worker is on the futex.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  checkLoop(pool, 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  checkLoop(pool, 3);
  kiln_pool_destroy(pool);
}
