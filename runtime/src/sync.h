/*===- sync.h - Spinning and sleeping primitives of the pool ----*- C -*-===*\
|*                                                                          *|
|* Internal to libkiln_rt. Waiting is "spin on an atomic word with the CPU's *|
|* pause hint, then sleep on it": on Linux the sleep is a futex on that same *|
|* word, so a wake-up costs one syscall and no lock. Elsewhere the sleep     *|
|* degrades to polling with short naps.                                     *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_SYNC_H
#define KILN_RUNTIME_SYNC_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Separates data written by different threads: 128 bytes, because x86's
 * adjacent-line prefetcher pairs 64-byte lines and some Arm cores use 128. */
#define KILN_FALSE_SHARING_BYTES 128

/* How long a thread spins before it sleeps. Layers of a network can be as
 * short as 0.1 ms, and a futex wake-up costs tens of microseconds, so a
 * worker idles through the gap between two layers without sleeping. */
#define KILN_SPIN_NS 100000

/* The CPU's spin-wait hint: lets the sibling hyperthread run and saves
 * power while we poll. */
static inline void kiln_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  /* `isb` waits for the pipeline to drain, a useful short delay; `yield` is
   * a no-op on most cores. */
  __asm__ __volatile__("isb" ::: "memory");
#else
  __asm__ __volatile__("" ::: "memory");
#endif
}

static inline int64_t kiln_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps while *word == expected (may return early, spuriously). */
static inline void kiln_futex_wait(_Atomic uint32_t *word, uint32_t expected) {
#ifdef __linux__
  /* _Atomic uint32_t has the representation of uint32_t, as futex needs. */
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL,
          0);
#else
  (void)word;
  (void)expected;
  struct timespec nap = {0, 50000};
  nanosleep(&nap, NULL);
#endif
}

/* Wakes up to `count` threads sleeping in kiln_futex_wait on `word`. */
static inline void kiln_futex_wake(_Atomic uint32_t *word, int count) {
#ifdef __linux__
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL,
          0);
#else
  (void)word;
  (void)count;
#endif
}

#endif /* KILN_RUNTIME_SYNC_H */
