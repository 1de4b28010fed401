/* concurrent_main.c - one compiled model run from several threads at once.
 *
 * The generated code promises reentrancy: no mutable globals, read-only
 * weights, caller-owned workspaces, and a kiln_pool that threads may share.
 * This program runs `model` (compiled with --name model) once on the calling
 * thread without a pool to get the expected output, then from THREADS
 * threads at once, each with its own workspace, first without a pool and
 * then all sharing one pool, and requires every output to be bit-identical.
 * It also checks that bad arguments return a status instead of crashing.
 * Built with -fsanitize=thread together with the runtime's sources. */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, ROUNDS = 3 };

static float *input;
static float *expected;
static size_t out_elems;
static kiln_pool *shared_pool;

typedef struct {
  int use_pool;
  int mismatches;
  kiln_status status;
} job;

static void *worker(void *arg) {
  job *j = (job *)arg;
  void *ws = kiln_workspace_alloc(model_workspace_size());
  float *out = (float *)malloc(out_elems * sizeof(float));
  if (!ws || !out) {
    j->status = KILN_ERROR_OUT_OF_MEMORY;
    return NULL;
  }
  for (int r = 0; r < ROUNDS; ++r) {
    const void *ins[1] = {input};
    void *outs[1] = {out};
    memset(out, 0xff, out_elems * sizeof(float));
    kiln_status s = model_run(ins, outs, ws, j->use_pool ? shared_pool : NULL);
    if (s != KILN_OK) {
      j->status = s;
      break;
    }
    if (memcmp(out, expected, out_elems * sizeof(float)) != 0)
      ++j->mismatches;
  }
  free(out);
  kiln_workspace_free(ws);
  return NULL;
}

static int run_phase(const char *what, int use_pool) {
  pthread_t t[THREADS];
  job jobs[THREADS];
  memset(jobs, 0, sizeof jobs);
  for (int i = 0; i < THREADS; ++i) {
    jobs[i].use_pool = use_pool;
    if (pthread_create(&t[i], NULL, worker, &jobs[i]) != 0) {
      fprintf(stderr, "FAIL: pthread_create\n");
      return 1;
    }
  }
  int failures = 0;
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    if (jobs[i].status != KILN_OK) {
      fprintf(stderr, "FAIL: %s: thread %d: %s\n", what, i, kiln_status_string(jobs[i].status));
      ++failures;
    } else if (jobs[i].mismatches) {
      fprintf(stderr, "FAIL: %s: thread %d: %d of %d outputs differ from the single-threaded one\n",
              what, i, jobs[i].mismatches, ROUNDS);
      ++failures;
    }
  }
  printf("%s: %d threads x %d runs, %s\n", what, THREADS, ROUNDS,
         failures ? "MISMATCH" : "bit-identical");
  return failures;
}

int main(void) {
  if (model_info.num_inputs != 1 || model_info.num_outputs != 1) {
    fprintf(stderr, "FAIL: expected a model with one input and one output\n");
    return 1;
  }
  size_t in_elems = (size_t)model_info.inputs[0].elements;
  out_elems = (size_t)model_info.outputs[0].elements;
  input = (float *)malloc(in_elems * sizeof(float));
  expected = (float *)malloc(out_elems * sizeof(float));
  for (size_t i = 0; i < in_elems; ++i)
    input[i] = (float)sin(0.001 * (double)i);

  void *ws = kiln_workspace_alloc(model_workspace_size());
  const void *ins[1] = {input};
  void *outs[1] = {expected};
  kiln_status s = model_run(ins, outs, ws, NULL);
  if (s != KILN_OK) {
    fprintf(stderr, "FAIL: single-threaded run: %s\n", kiln_status_string(s));
    return 1;
  }

  int failures = 0;
  /* Bad arguments are statuses, not crashes. */
  if (model_run(NULL, outs, ws, NULL) != KILN_ERROR_NULL_ARGUMENT) {
    fprintf(stderr, "FAIL: NULL inputs not rejected\n");
    ++failures;
  }
  if (model_run(ins, outs, NULL, NULL) != KILN_ERROR_NULL_ARGUMENT) {
    fprintf(stderr, "FAIL: NULL workspace not rejected\n");
    ++failures;
  }
  if (model_run(ins, outs, (char *)ws + 4, NULL) != KILN_ERROR_MISALIGNED) {
    fprintf(stderr, "FAIL: misaligned workspace not rejected\n");
    ++failures;
  }
  kiln_workspace_free(ws);

  failures += run_phase("own workspaces, no pool", 0);
  shared_pool = kiln_pool_create(2);
  failures += run_phase("own workspaces, one shared 2-thread pool", 1);
  kiln_pool_destroy(shared_pool);
  free(input);
  free(expected);
  printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
}
