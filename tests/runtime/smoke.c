/*===- smoke.c - The runtime from strict C99, natively and under qemu -----===*\
|*                                                                          *|
|* Built with -std=c99 -pedantic-errors: the public header must be plain    *|
|* C99. Sums 0..n-1 over a 4-thread pool, range by range, and checks the    *|
|* ranges tile [0, n). Exit code 0 and "smoke: ok" on success.              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include <kiln/runtime.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { Count = 100003, MaxParts = 64 };

struct sums {
  int64_t part[MaxParts]; /* sum of the range starting at each boundary */
  int64_t begin[MaxParts];
  int64_t end[MaxParts];
  int threads;
};

static void sum_range(void *ctx, int64_t begin, int64_t end) {
  struct sums *s = (struct sums *)ctx;
  /* Range t starts at t*q + min(t, r): recover t from the documented split. */
  int64_t q = Count / s->threads, r = Count % s->threads;
  int64_t t =
      begin < r * (q + 1) ? begin / (q + 1) : r + (begin - r * (q + 1)) / q;
  int64_t total = 0;
  for (int64_t i = begin; i < end; ++i)
    total += i;
  s->part[t] = total;
  s->begin[t] = begin;
  s->end[t] = end;
}

static int check(int ok, const char *what) {
  if (!ok)
    fprintf(stderr, "smoke: FAILED: %s\n", what);
  return ok ? 0 : 1;
}

int main(void) {
  int failures = 0;
  kiln_pool *pool = kiln_pool_create(4);
  failures += check(pool != NULL, "kiln_pool_create(4)");
  if (!pool)
    return 1;
  failures += check(kiln_pool_threads(pool) == 4, "kiln_pool_threads");

  for (int round = 0; round < 50; ++round) {
    struct sums s;
    memset(&s, 0, sizeof s);
    s.threads = kiln_pool_threads(pool);
    kiln_parallel_for(pool, Count, sum_range, &s);
    int64_t total = 0, next = 0;
    for (int t = 0; t < s.threads; ++t) {
      failures += check(s.begin[t] == next, "ranges are contiguous");
      next = s.end[t];
      total += s.part[t];
    }
    failures += check(next == Count, "ranges cover the loop");
    failures += check(total == (int64_t)Count * (Count - 1) / 2, "sum");
    if (failures)
      break;
  }
  kiln_pool_destroy(pool);

  for (int s = 0; s < KILN_STATUS_COUNT; ++s)
    failures +=
        check(strcmp(kiln_status_string((kiln_status)s), "unknown status") != 0,
              "status strings");
  void *ws = kiln_workspace_alloc(1000);
  failures += check(ws != NULL && (uintptr_t)ws % KILN_ALIGNMENT == 0,
                    "aligned workspace");
  kiln_workspace_free(ws);

  if (failures)
    return 1;
  printf("smoke: ok\n");
  return 0;
}
