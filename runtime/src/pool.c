/*===- pool.c - Static-partition thread pool for generated loops ----------===*\
|*                                                                          *|
|* One owner at a time (the `busy` word) hands each worker a range through  *|
|* the worker's own `seq` word, runs range 0 itself, and waits for the      *|
|* `pending` count to reach zero. Every hand-off is an atomic with release/ *|
|* acquire (seq_cst where a sleeper must not miss a wake-up), so the plain  *|
|* fields (fn, ctx, begin, end) are race-free by happens-before:            *|
|*                                                                          *|
|*   owner: write fn, ctx, pending, w->begin/end --release--> w->seq        *|
|*   worker: w->seq --acquire--> claim, read them, run,                     *|
|*           pending -= 1 --release-->                                      *|
|*   owner: pending == 0 --acquire--> results visible; busy = 0 --release-> *|
|*   next owner: busy 0 -> 1 --acquire--> may overwrite fn, ctx, ...        *|
|*                                                                          *|
|* Ranges are claimed before they run: hand-off number s of a worker's slot *|
|* is run by whoever moves `claimed` from s-1 to s, the worker or the owner *|
|* once it has finished range 0. So a worker that the OS has descheduled    *|
|* (a loaded machine) costs the loop its range's time, not a time slice,    *|
|* while the boundaries of the ranges stay static.                          *|
|*                                                                          *|
|* A thread that may sleep publishes a `sleeping` flag and re-reads the     *|
|* word it waits on, both seq_cst; the waker writes that word and then      *|
|* reads the flag, both seq_cst. In the single total order one of the two   *|
|* sees the other, so no wake-up is lost, and a thread that is spinning     *|
|* costs its waker no syscall.                                              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif

#include "kiln/runtime.h"
#include "sync.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct kiln_worker {
  /* Bumped by the owner to hand this worker [begin, end), or by destroy to
   * stop it. The worker sleeps on it. */
  _Alignas(KILN_FALSE_SHARING_BYTES) _Atomic uint32_t seq;
  /* 1 while the worker is about to sleep or sleeping on `seq`. */
  _Atomic uint32_t sleeping;
  /* The last hand-off whose range someone has started: seq - 1 while the
   * current range is unclaimed, seq once it is. */
  _Atomic uint32_t claimed;
  int64_t begin, end;
  kiln_pool *pool;
  pthread_t thread;
} kiln_worker;

struct kiln_pool {
  int threads; /* caller + workers */
  int started; /* workers actually running (threads - 1 once created) */
  kiln_worker *workers;
  _Atomic uint32_t stop;

  /* 0 when idle, 1 while some thread owns the workers for a loop. */
  _Alignas(KILN_FALSE_SHARING_BYTES) _Atomic uint32_t busy;
  /* The owner's loop; written only while `busy` is held. */
  kiln_task_fn fn;
  void *ctx;

  /* Workers still running the owner's loop. The owner sleeps on it. */
  _Alignas(KILN_FALSE_SHARING_BYTES) _Atomic uint32_t pending;
  /* 1 while the owner is about to sleep or sleeping on `pending`. */
  _Atomic uint32_t owner_sleeping;
};

/* Waits until *word != seen, spinning for KILN_SPIN_NS first; returns the
 * new value (read with at least acquire order). */
static uint32_t wait_for_change(_Atomic uint32_t *word, uint32_t seen,
                                _Atomic uint32_t *sleeping) {
  int64_t deadline = kiln_now_ns() + KILN_SPIN_NS;
  for (unsigned i = 1;; ++i) {
    uint32_t now = atomic_load_explicit(word, memory_order_acquire);
    if (now != seen)
      return now;
    kiln_cpu_relax();
    /* Reading the clock costs ~20 ns: do it every 64 pauses. */
    if (i % 64 == 0 && kiln_now_ns() > deadline)
      break;
  }
  for (;;) {
    atomic_store_explicit(sleeping, 1, memory_order_seq_cst);
    uint32_t now = atomic_load_explicit(word, memory_order_seq_cst);
    if (now != seen) {
      atomic_store_explicit(sleeping, 0, memory_order_relaxed);
      return now;
    }
    kiln_futex_wait(word, seen);
  }
}

/* Wakes the thread waiting on `word` if it may be asleep. `word` must have
 * just been changed with a seq_cst operation. */
static void wake_if_sleeping(_Atomic uint32_t *word,
                             _Atomic uint32_t *sleeping) {
  if (atomic_load_explicit(sleeping, memory_order_seq_cst))
    kiln_futex_wake(word, 1);
}

/* Claims hand-off `s` of `w` for the calling thread; false if taken. */
static int claim(kiln_worker *w, uint32_t s) {
  uint32_t expected = s - 1;
  return atomic_compare_exchange_strong_explicit(
      &w->claimed, &expected, s, memory_order_acq_rel, memory_order_relaxed);
}

static void finish_range(kiln_pool *pool) {
  if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_seq_cst) == 1)
    wake_if_sleeping(&pool->pending, &pool->owner_sleeping);
}

static void *worker_main(void *arg) {
  kiln_worker *w = (kiln_worker *)arg;
  kiln_pool *pool = w->pool;
  uint32_t seen = 0; /* seq's initial value, whether or not bumped yet */
  for (;;) {
    seen = wait_for_change(&w->seq, seen, &w->sleeping);
    if (atomic_load_explicit(&pool->stop, memory_order_relaxed))
      return NULL;
    if (!claim(w, seen))
      continue; /* the owner ran it; touch nothing of this loop */
    pool->fn(pool->ctx, w->begin, w->end);
    finish_range(pool);
  }
}

/* CPUs this process may run on. */
static int available_cpus(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

static void *aligned_zalloc(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, KILN_FALSE_SHARING_BYTES, bytes) != 0)
    return NULL;
  memset(p, 0, bytes);
  return p;
}

kiln_pool *kiln_pool_create(int threads) {
  if (threads <= 0)
    threads = available_cpus();
  kiln_pool *pool = (kiln_pool *)aligned_zalloc(sizeof *pool);
  if (!pool)
    return NULL;
  pool->threads = threads;
  if (threads == 1)
    return pool;
  pool->workers = (kiln_worker *)aligned_zalloc(sizeof(kiln_worker) *
                                                (size_t)(threads - 1));
  if (!pool->workers) {
    free(pool);
    return NULL;
  }

  /* Workers inherit a mask blocking every signal, so asynchronous signals
   * are delivered to the application's own threads. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  for (int i = 0; i < threads - 1; ++i) {
    kiln_worker *w = &pool->workers[i];
    w->pool = pool;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
      break;
    pool->started = i + 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  if (pool->started != threads - 1) {
    kiln_pool_destroy(pool);
    return NULL;
  }
  return pool;
}

void kiln_pool_destroy(kiln_pool *pool) {
  if (!pool)
    return;
  atomic_store_explicit(&pool->stop, 1, memory_order_relaxed);
  for (int i = 0; i < pool->started; ++i) {
    kiln_worker *w = &pool->workers[i];
    atomic_fetch_add_explicit(&w->seq, 1, memory_order_seq_cst);
    kiln_futex_wake(&w->seq, 1);
  }
  for (int i = 0; i < pool->started; ++i)
    pthread_join(pool->workers[i].thread, NULL);
  free(pool->workers);
  free(pool);
}

int kiln_pool_threads(const kiln_pool *pool) {
  return pool ? pool->threads : 1;
}

void kiln_parallel_for(kiln_pool *pool, int64_t count, kiln_task_fn fn,
                       void *ctx) {
  if (count <= 0)
    return;
  int64_t parts = pool ? pool->threads : 1;
  if (parts > count)
    parts = count;
  uint32_t idle = 0;
  if (parts == 1 ||
      !atomic_compare_exchange_strong_explicit(
          &pool->busy, &idle, 1, memory_order_acquire, memory_order_relaxed)) {
    fn(ctx, 0, count);
    return;
  }

  /* Participant t gets [t*q + min(t, r), (t+1)*q + min(t+1, r)). */
  int64_t q = count / parts, r = count % parts;
  pool->fn = fn;
  pool->ctx = ctx;
  atomic_store_explicit(&pool->pending, (uint32_t)(parts - 1),
                        memory_order_relaxed);
  int64_t begin = q + (r > 0);
  for (int64_t t = 1; t < parts; ++t) {
    int64_t end = begin + q + (t < r);
    kiln_worker *w = &pool->workers[t - 1];
    w->begin = begin;
    w->end = end;
    atomic_fetch_add_explicit(&w->seq, 1, memory_order_seq_cst);
    wake_if_sleeping(&w->seq, &w->sleeping);
    begin = end;
  }

  fn(ctx, 0, q + (r > 0));

  /* Run the ranges of workers that have not started theirs yet. Only this
   * thread bumps a slot's seq while it holds `busy`, so a relaxed read
   * gives the hand-off number it made above. */
  for (int64_t t = 1; t < parts; ++t) {
    kiln_worker *w = &pool->workers[t - 1];
    if (claim(w, atomic_load_explicit(&w->seq, memory_order_relaxed))) {
      fn(ctx, w->begin, w->end);
      finish_range(pool);
    }
  }

  /* The ranges are equal, so stragglers are usually microseconds behind;
   * sleep only if one was descheduled. */
  uint32_t left = atomic_load_explicit(&pool->pending, memory_order_acquire);
  while (left != 0)
    left = wait_for_change(&pool->pending, left, &pool->owner_sleeping);
  atomic_store_explicit(&pool->busy, 0, memory_order_release);
}
