/*===- model_main.c - Runs any model compiled by `kiln compile` -----------===*\
|*                                                                          *|
|* One C99 program for every compiled model, built the way a user builds:   *|
|*                                                                          *|
|*   kiln compile m.onnx -o NAME.o --header NAME.h --name NAME              *|
|*   cc -std=c99 -DKILN_MODEL=NAME -I. -Iruntime/include model_main.c \     *|
|*      NAME.o build/lib/libkiln_rt.a -lpthread -lm -o NAME-run             *|
|*                                                                          *|
|* (-DKILN_MODEL_HEADER='"dir/NAME.h"' names the header when it is not      *|
|* NAME.h on the include path.) The model's interface comes from NAME_info: *|
|*                                                                          *|
|*   NAME-run [--input NAME=FILE.npy]... [--random-input SEED]              *|
|*            [--output-dir DIR] [--write-inputs DIR] [-t THREADS]          *|
|*            [--bench N] [--check-repeat]                                  *|
|*                                                                          *|
|*   --input          an input from a .npy file ('<f4', C order, exactly    *|
|*                    the compiled shape)                                   *|
|*   --random-input   inputs not given a file get the values of             *|
|*                    `kiln run --random-input SEED` and run.js             *|
|*                    --random-input SEED (compiler/driver/TensorIO.h):     *|
|*                    input i from SplitMix64 seeded                        *|
|*                    SEED ^ (i+1)*0x9e3779b97f4a7c15,                      *|
|*                    each float (next() >> 40) * 2^-23 - 1, C order        *|
|*   --output-dir     writes output i to DIR/<name>.npy, the name made safe *|
|*                    as run.js and `kiln run` do                           *|
|*   --write-inputs   writes the inputs used, the same way                  *|
|*   -t               threads of the kiln_pool (default 1; 0: one per CPU)  *|
|*   --bench N        after the run: max(3, N/10) warm-up runs, N timed     *|
|*                    runs, then one JSON line on stdout:                   *|
|*                    {"model":..,"runs":N,"threads":T,"median_ms":..,      *|
|*                     "min_ms":..} (the keys of run.js --bench --json)     *|
|*   --check-repeat   runs twice more, and fails unless every output is     *|
|*                    bit-identical each time (static partitioning makes    *|
|*                    runs deterministic at any thread count)               *|
|*                                                                          *|
|* Outputs are filled with NaN before the first run, so an element the      *|
|* model never writes shows up in the comparison. Exit 0 on success, 1 on   *|
|* any failure (with a message on stderr), 2 on a usage error.              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#ifndef KILN_MODEL
#error "define KILN_MODEL to the --name the model was compiled with (-DKILN_MODEL=NAME)"
#endif

#define KILN_STR_(x) #x
#define KILN_STR(x) KILN_STR_(x)
#define KILN_CAT_(a, b) a##b
#define KILN_CAT(a, b) KILN_CAT_(a, b)

#ifdef KILN_MODEL_HEADER
#include KILN_MODEL_HEADER
#else
#include KILN_STR(KILN_MODEL.h)
#endif

#define MODEL_RUN KILN_CAT(KILN_MODEL, _run)
#define MODEL_INFO KILN_CAT(KILN_MODEL, _info)
#define MODEL_WORKSPACE_SIZE KILN_CAT(KILN_MODEL, _workspace_size)
#define MODEL_NUM_INPUTS KILN_CAT(KILN_MODEL, _NUM_INPUTS)
#define MODEL_NUM_OUTPUTS KILN_CAT(KILN_MODEL, _NUM_OUTPUTS)
#define MODEL_WORKSPACE_MACRO KILN_CAT(KILN_MODEL, _WORKSPACE_SIZE)

enum { MaxTensors = 64, MaxInputFiles = 64 };

static const char *program = "model_main";

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "error: %s: ", program);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void usage(const char *what) {
  fprintf(stderr,
          "error: %s: %s\n"
          "usage: %s [--input NAME=FILE.npy]... [--random-input SEED] [--output-dir DIR]\n"
          "          [--write-inputs DIR] [-t THREADS] [--bench N] [--check-repeat]\n",
          program, what, program);
  exit(2);
}

/*===----------------------------------------------------------------------===*
 * .npy files
 *===----------------------------------------------------------------------===*/

/* The file name run.js and `kiln run` give a tensor: every character outside
 * [A-Za-z0-9._-] becomes '_'; "", "." and ".." get an "output_" prefix. */
static void safeName(const char *name, char *out, size_t cap) {
  size_t n = 0;
  if (name[0] == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    n = (size_t)snprintf(out, cap, "output_");
  for (const char *p = name; *p && n + 1 < cap; ++p) {
    char c = *p;
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    out[n++] = ok ? c : '_';
  }
  out[n] = 0;
}

static void shapeString(const kiln_tensor_info *t, char *out, size_t cap) {
  size_t n = (size_t)snprintf(out, cap, "(");
  for (int32_t d = 0; d < t->rank && n < cap; ++d)
    n += (size_t)snprintf(out + n, cap - n, "%lld%s", (long long)t->shape[d],
                          t->rank == 1 ? "," : d + 1 < t->rank ? ", " : "");
  if (n < cap)
    snprintf(out + n, cap - n, ")");
}

/* Reads a float32 C-order .npy (format 1, 2 or 3) whose shape must be t's. */
static void readNpy(const char *path, const kiln_tensor_info *t, float *data) {
  FILE *f = fopen(path, "rb");
  if (!f)
    fail("cannot open '%s': %s", path, strerror(errno));
  unsigned char pre[12];
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
    fail("'%s' is not a .npy file", path);
  size_t headerLen;
  if (pre[6] == 1) {
    headerLen = (size_t)pre[8] | (size_t)pre[9] << 8;
  } else {
    if (fread(pre + 10, 1, 2, f) != 2)
      fail("'%s': truncated header", path);
    headerLen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                (size_t)pre[11] << 24;
  }
  char *header = malloc(headerLen + 1);
  if (!header || fread(header, 1, headerLen, f) != headerLen)
    fail("'%s': truncated header", path);
  header[headerLen] = 0;
  for (size_t n = headerLen; n > 0 && (header[n - 1] == ' ' || header[n - 1] == '\n'); --n)
    header[n - 1] = 0; /* the padding, for messages */
  if (!strstr(header, "'descr': '<f4'"))
    fail("'%s': the element type must be float32 ('<f4'): %s", path, header);
  if (!strstr(header, "'fortran_order': False"))
    fail("'%s': the array must be in C order: %s", path, header);
  const char *shape = strstr(header, "'shape': (");
  if (!shape)
    fail("'%s': no shape in the header: %s", path, header);
  shape += strlen("'shape': (");
  /* Compare dimension by dimension, so "(1, 3)" and "(1,3)" both match. */
  const char *p = shape;
  for (int32_t d = 0; d < t->rank; ++d) {
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p || v != t->shape[d])
      goto mismatch;
    p = end;
    while (*p == ',' || *p == ' ')
      ++p;
  }
  if (*p != ')')
    goto mismatch;
  free(header);
  if (fread(data, sizeof(float), (size_t)t->elements, f) != (size_t)t->elements)
    fail("'%s': fewer elements than its shape", path);
  fclose(f);
  return;
mismatch : {
  char want[256];
  shapeString(t, want, sizeof want);
  fprintf(stderr, "error: %s: '%s' has the wrong shape for input '%s': the model takes %s; %s\n",
          program, path, t->name, want, header);
  exit(1);
}
}

static void writeNpy(const char *dir, const kiln_tensor_info *t, const float *data) {
  char file[1024], name[512], shape[256], header[512];
  safeName(t->name, name, sizeof name);
  snprintf(file, sizeof file, "%s/%s.npy", dir, name);
  shapeString(t, shape, sizeof shape);
  int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }",
                   shape);
  /* Version 1, header padded with spaces and a newline to a multiple of 64. */
  size_t total = ((size_t)10 + (size_t)n + 1 + 63) / 64 * 64;
  size_t len = total - 10;
  memset(header + n, ' ', len - 1 - (size_t)n);
  header[len - 1] = '\n';
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(len & 0xff),
                           (unsigned char)(len >> 8)};
  FILE *f = fopen(file, "wb");
  if (!f)
    fail("cannot write '%s': %s", file, strerror(errno));
  int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, len, f) == len &&
           fwrite(data, sizeof(float), (size_t)t->elements, f) == (size_t)t->elements;
  if (fclose(f) != 0 || !ok)
    fail("cannot write '%s'", file);
}

static void makeDir(const char *dir) {
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    fail("cannot create directory '%s': %s", dir, strerror(errno));
}

/*===----------------------------------------------------------------------===*
 * Random inputs: compiler/driver/TensorIO.h's definition
 *===----------------------------------------------------------------------===*/

static void randomInput(uint64_t seed, uint64_t stream, float *data, int64_t count) {
  const uint64_t golden = 0x9e3779b97f4a7c15ULL;
  uint64_t state = seed ^ (stream + 1) * golden;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t z = (state += golden);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    data[i] = (float)(int64_t)(z >> 40) * 0x1p-23f - 1.0f; /* exact: 24 bits */
  }
}

/*===----------------------------------------------------------------------===*
 * Running and timing
 *===----------------------------------------------------------------------===*/

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The models this program runs take and give float32 tensors only. */
static void run(const float *const *inputs, float *const *outputs, void *ws, kiln_pool *pool) {
  const void *in[MaxTensors];
  void *out[MaxTensors];
  for (int32_t i = 0; i < MODEL_INFO.num_inputs; ++i)
    in[i] = inputs[i];
  for (int32_t i = 0; i < MODEL_INFO.num_outputs; ++i)
    out[i] = outputs[i];
  kiln_status s = MODEL_RUN(in, out, ws, pool);
  if (s != KILN_OK)
    fail("%s_run failed: %s", KILN_STR(KILN_MODEL), kiln_status_string(s));
}

static long parseCount(const char *s, const char *flag) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*s == 0 || *end != 0 || errno || v < 0) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s needs a non-negative integer, not '%s'", flag, s);
    usage(msg);
  }
  return v;
}

int main(int argc, char **argv) {
  const kiln_model_info *info = &MODEL_INFO;
  const char *inputFiles[MaxInputFiles][2];
  int numInputFiles = 0;
  const char *outputDir = NULL, *writeInputs = NULL;
  long threads = 1, bench = 0, seed = -1;
  int checkRepeat = 0;
  program = argv[0];

  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    int hasValue = i + 1 < argc;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      printf("usage: %s [--input NAME=FILE.npy]... [--random-input SEED] [--output-dir DIR]\n"
             "          [--write-inputs DIR] [-t THREADS] [--bench N] [--check-repeat]\n"
             "Runs the model '%s' compiled by kiln (see tests/compiled/model_main.c).\n",
             program, info->name);
      return 0;
    } else if (strcmp(a, "--check-repeat") == 0) {
      checkRepeat = 1;
    } else if (!hasValue &&
               (strcmp(a, "--input") == 0 || strcmp(a, "--random-input") == 0 ||
                strcmp(a, "--output-dir") == 0 || strcmp(a, "--write-inputs") == 0 ||
                strcmp(a, "-t") == 0 || strcmp(a, "--bench") == 0)) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s needs a value", a);
      usage(msg);
    } else if (strcmp(a, "--input") == 0) {
      const char *v = argv[++i], *eq = strrchr(v, '=');
      if (!eq || eq == v)
        usage("--input needs NAME=FILE.npy");
      if (numInputFiles == MaxInputFiles)
        usage("too many --input");
      char *name = malloc((size_t)(eq - v) + 1);
      memcpy(name, v, (size_t)(eq - v));
      name[eq - v] = 0;
      inputFiles[numInputFiles][0] = name;
      inputFiles[numInputFiles++][1] = eq + 1;
    } else if (strcmp(a, "--random-input") == 0) {
      seed = parseCount(argv[++i], a);
    } else if (strcmp(a, "--output-dir") == 0) {
      outputDir = argv[++i];
    } else if (strcmp(a, "--write-inputs") == 0) {
      writeInputs = argv[++i];
    } else if (strcmp(a, "-t") == 0) {
      threads = parseCount(argv[++i], a);
    } else if (strcmp(a, "--bench") == 0) {
      bench = parseCount(argv[++i], a);
    } else {
      char msg[256];
      snprintf(msg, sizeof msg, "unexpected argument '%s'", a);
      usage(msg);
    }
  }

  /* The header's macros, NAME_workspace_size() and NAME_info must agree. */
  if (info->num_inputs != MODEL_NUM_INPUTS || info->num_outputs != MODEL_NUM_OUTPUTS ||
      info->workspace_size != MODEL_WORKSPACE_SIZE() ||
      info->workspace_size != (size_t)MODEL_WORKSPACE_MACRO)
    fail("the header and %s_info disagree on the interface", KILN_STR(KILN_MODEL));
  if (info->num_inputs > MaxTensors || info->num_outputs > MaxTensors)
    fail("more than 64 inputs or outputs");
  for (int32_t i = 0; i < info->num_inputs; ++i)
    if (info->inputs[i].dtype != KILN_DTYPE_F32)
      fail("input '%s' is not float32", info->inputs[i].name);
  for (int32_t i = 0; i < info->num_outputs; ++i)
    if (info->outputs[i].dtype != KILN_DTYPE_F32)
      fail("output '%s' is not float32", info->outputs[i].name);

  float *inputs[MaxTensors], *outputs[MaxTensors];
  for (int32_t i = 0; i < info->num_inputs; ++i) {
    const kiln_tensor_info *t = &info->inputs[i];
    inputs[i] = kiln_workspace_alloc((size_t)t->elements * sizeof(float));
    if (!inputs[i])
      fail("out of memory for input '%s'", t->name);
    const char *file = NULL;
    for (int f = 0; f < numInputFiles; ++f)
      if (strcmp(inputFiles[f][0], t->name) == 0)
        file = inputFiles[f][1];
    if (file)
      readNpy(file, t, inputs[i]);
    else if (seed >= 0)
      randomInput((uint64_t)seed, (uint64_t)i, inputs[i], t->elements);
    else
      fail("no value for input '%s': give --input %s=FILE.npy or --random-input SEED", t->name,
           t->name);
  }
  for (int f = 0; f < numInputFiles; ++f) {
    int32_t i = 0;
    while (i < info->num_inputs && strcmp(inputFiles[f][0], info->inputs[i].name) != 0)
      ++i;
    if (i == info->num_inputs)
      fail("the model has no input '%s'", inputFiles[f][0]);
  }
  for (int32_t i = 0; i < info->num_outputs; ++i) {
    const kiln_tensor_info *t = &info->outputs[i];
    outputs[i] = kiln_workspace_alloc((size_t)t->elements * sizeof(float));
    if (!outputs[i])
      fail("out of memory for output '%s'", t->name);
    for (int64_t k = 0; k < t->elements; ++k)
      outputs[i][k] = NAN;
  }
  void *ws = kiln_workspace_alloc(info->workspace_size);
  if (!ws)
    fail("out of memory for the workspace");
  kiln_pool *pool = NULL;
  if (threads != 1) {
    pool = kiln_pool_create((int)threads);
    if (!pool)
      fail("cannot create a pool of threads");
  }
  const float *const *in = (const float *const *)inputs;

  double t0 = nowMs();
  run(in, outputs, ws, pool);
  double firstMs = nowMs() - t0;
  fprintf(stderr, "%s: ran in %.3f ms on %d thread(s), workspace %zu bytes\n", info->name,
          firstMs, kiln_pool_threads(pool), info->workspace_size);

  if (checkRepeat) {
    for (int rep = 0; rep < 2; ++rep) {
      float *again[MaxTensors] = {0};
      for (int32_t i = 0; i < info->num_outputs; ++i) {
        again[i] = kiln_workspace_alloc((size_t)info->outputs[i].elements * sizeof(float));
        if (!again[i])
          fail("out of memory");
        for (int64_t k = 0; k < info->outputs[i].elements; ++k)
          again[i][k] = NAN;
      }
      run(in, again, ws, pool);
      for (int32_t i = 0; i < info->num_outputs; ++i) {
        size_t bytes = (size_t)info->outputs[i].elements * sizeof(float);
        if (memcmp(again[i], outputs[i], bytes) != 0)
          fail("output '%s' differs between runs on the same input", info->outputs[i].name);
        kiln_workspace_free(again[i]);
      }
    }
    fprintf(stderr, "%s: 3 runs gave bit-identical outputs\n", info->name);
  }

  if (writeInputs) {
    makeDir(writeInputs);
    for (int32_t i = 0; i < info->num_inputs; ++i)
      writeNpy(writeInputs, &info->inputs[i], inputs[i]);
  }
  if (outputDir) {
    makeDir(outputDir);
    for (int32_t i = 0; i < info->num_outputs; ++i)
      writeNpy(outputDir, &info->outputs[i], outputs[i]);
  }

  if (bench > 0) {
    long warmup = bench / 10 > 3 ? bench / 10 : 3;
    for (long r = 0; r < warmup; ++r)
      run(in, outputs, ws, pool);
    double *times = malloc((size_t)bench * sizeof(double));
    if (!times)
      fail("out of memory");
    for (long r = 0; r < bench; ++r) {
      double start = nowMs();
      run(in, outputs, ws, pool);
      times[r] = nowMs() - start;
    }
    qsort(times, (size_t)bench, sizeof(double), compareDoubles);
    double median = bench % 2 ? times[bench / 2] : (times[bench / 2 - 1] + times[bench / 2]) / 2;
    printf("{\"model\":\"%s\",\"runs\":%ld,\"threads\":%d,\"median_ms\":%.4f,\"min_ms\":%.4f}\n",
           info->name, bench, kiln_pool_threads(pool), median, times[0]);
    fflush(stdout);
    free(times);
  }

  kiln_pool_destroy(pool);
  kiln_workspace_free(ws);
  for (int32_t i = 0; i < info->num_inputs; ++i)
    kiln_workspace_free(inputs[i]);
  for (int32_t i = 0; i < info->num_outputs; ++i)
    kiln_workspace_free(outputs[i]);
  return 0;
}
