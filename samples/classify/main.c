/*===- main.c - classify: run a compiled image classifier -----------------===*\
|*                                                                          *|
|*   classify-<model> [-t THREADS] [-n RUNS] [IMAGE]                        *|
|*                                                                          *|
|* Built once per model: CMake compiles the model with kiln_add_model and   *|
|* builds this file with                                                    *|
|*   KILN_MODEL_HEADER="resnet50.h"  the generated header                   *|
|*   KILN_MODEL_NAME=resnet50        the prefix of its symbols              *|
|*                                                                          *|
|* IMAGE is a binary PPM (P6) of any size, resized to the model's input and *|
|* normalized with the ImageNet mean/std; or a raw float32 file of exactly  *|
|* the input's size, used as is; or absent: a built-in synthetic picture.   *|
|* Prints the top-5 classes and the median latency of RUNS inferences.      *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#if !defined(KILN_MODEL_HEADER) || !defined(KILN_MODEL_NAME)
#error "build with -DKILN_MODEL_HEADER=\"<name>.h\" -DKILN_MODEL_NAME=<name>"
#endif

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include KILN_MODEL_HEADER

#include "image.h"
#include "scores.h"

#include <kiln/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* MODEL(_run) -> resnet50_run */
#define KILN_PASTE_(a, b) a##b
#define KILN_PASTE(a, b) KILN_PASTE_(a, b)
#define MODEL(suffix) KILN_PASTE(KILN_MODEL_NAME, suffix)

static void usage(FILE *to, const char *argv0) {
  fprintf(to,
          "usage: %s [-t THREADS] [-n RUNS] [IMAGE]\n"
          "  IMAGE       binary PPM (P6), or raw float32 of the input's size;\n"
          "              none: a built-in synthetic picture\n"
          "  -t THREADS  threads (default 0: one per available CPU)\n"
          "  -n RUNS     timed inferences (default 10)\n",
          argv0);
}

static int parse_int(const char *text, int min, int *out) {
  char *end;
  long v = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > 1000000)
    return -1;
  *out = (int)v;
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_shape(const kiln_tensor_info *t) {
  printf("%s [", t->name);
  for (int32_t d = 0; d < t->rank; ++d)
    printf("%s%lld", d ? "," : "", (long long)t->shape[d]);
  printf("]");
}

/* Reads a file of exactly `count` floats. 1: it has another size. */
static int read_raw(const char *path, float *out, int64_t count) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  size_t got = fread(out, sizeof(float), (size_t)count, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  return got == (size_t)count && !extra ? 0 : 1;
}

/* Fills the input from IMAGE (or the synthetic picture); -1 on error. */
static int load_input(const char *path, const kiln_tensor_info *in,
                      float *data) {
  int is_image = in->rank == 4 && in->shape[1] == 3;
  int64_t batch = in->rank > 0 ? in->shape[0] : 1;
  classify_image image = {0, 0, NULL};
  char error[256];

  if (path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "error: %s: cannot open\n", path);
      return -1;
    }
    char magic[2] = {0, 0};
    size_t n = fread(magic, 1, 2, f);
    fclose(f);
    if (n < 2 || magic[0] != 'P' || magic[1] != '6') {
      if (read_raw(path, data, in->elements) == 0) {
        printf("input: %s (raw float32)\n", path);
        return 0;
      }
      fprintf(stderr,
              "error: %s: neither a binary PPM nor raw float32 of %lld "
              "values (%lld bytes)\n",
              path, (long long)in->elements, (long long)in->elements * 4);
      return -1;
    }
    if (!is_image) {
      fprintf(stderr,
              "error: the model's input is not an RGB image [N,3,H,W]\n");
      return -1;
    }
    if (classify_read_ppm(path, &image, error, sizeof error) != 0) {
      fprintf(stderr, "error: %s: %s\n", path, error);
      return -1;
    }
    printf("input: %s (%dx%d, resized to %lldx%lld)\n", path, image.width,
           image.height, (long long)in->shape[3], (long long)in->shape[2]);
  } else if (is_image) {
    if (classify_synthetic_image((int)in->shape[3], (int)in->shape[2],
                                 &image) != 0) {
      fprintf(stderr, "error: out of memory\n");
      return -1;
    }
    printf("input: synthetic %lldx%lld picture\n", (long long)in->shape[3],
           (long long)in->shape[2]);
  } else {
    /* Not an image model: a deterministic ramp in [-1, 1). */
    for (int64_t i = 0; i < in->elements; ++i)
      data[i] = (float)(i % 97) / 48.5f - 1.0f;
    printf("input: synthetic ramp\n");
    return 0;
  }

  int64_t per_item = in->elements / batch;
  classify_image_to_tensor(&image, in->shape[2], in->shape[3], data);
  for (int64_t b = 1; b < batch; ++b)
    memcpy(data + b * per_item, data, (size_t)per_item * sizeof(float));
  classify_image_free(&image);
  return 0;
}

int main(int argc, char **argv) {
  int threads = 0, runs = 10;
  const char *path = NULL;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      usage(stdout, argv[0]);
      return 0;
    }
    if ((!strcmp(arg, "-t") || !strcmp(arg, "-n")) && i + 1 < argc) {
      int *out = arg[1] == 't' ? &threads : &runs;
      if (parse_int(argv[++i], arg[1] == 't' ? 0 : 1, out) != 0) {
        fprintf(stderr, "error: bad value '%s' for %s\n", argv[i], arg);
        return 1;
      }
    } else if (arg[0] == '-' || path) {
      usage(stderr, argv[0]);
      return 1;
    } else {
      path = arg;
    }
  }

  const kiln_model_info *info = &MODEL(_info);
  if (info->num_inputs != 1 || info->num_outputs < 1) {
    fprintf(stderr,
            "error: classify needs a model with one input and an output\n");
    return 1;
  }
  const kiln_tensor_info *in = &info->inputs[0], *out = &info->outputs[0];
  printf("model: %s, input ", info->name);
  print_shape(in);
  printf(", output ");
  print_shape(out);
  printf("\n");

  float *input = (float *)kiln_workspace_alloc((size_t)in->elements * 4);
  void **outputs = (void **)calloc((size_t)info->num_outputs, sizeof *outputs);
  void *workspace = kiln_workspace_alloc(MODEL(_workspace_size)());
  int ok = input && outputs && workspace;
  for (int32_t o = 0; ok && o < info->num_outputs; ++o)
    ok = (outputs[o] = kiln_workspace_alloc(
              (size_t)info->outputs[o].elements * 4)) != NULL;
  kiln_pool *pool = ok ? kiln_pool_create(threads) : NULL;
  double *times = (double *)malloc((size_t)runs * sizeof(double));
  if (!ok || !pool || !times) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  if (load_input(path, in, input) != 0)
    return 1;

  const void *const inputs[1] = {input};
  /* One untimed run: page in the weights, wake the workers. */
  kiln_status status = MODEL(_run)(inputs, outputs, workspace, pool);
  for (int r = 0; status == KILN_OK && r < runs; ++r) {
    double start = now_ms();
    status = MODEL(_run)(inputs, outputs, workspace, pool);
    times[r] = now_ms() - start;
  }
  if (status != KILN_OK) {
    fprintf(stderr, "error: %s_run: %s\n", info->name,
            kiln_status_string(status));
    return 1;
  }

  /* Scores of the first batch item. */
  int64_t batch = out->rank > 1 ? out->shape[0] : 1;
  int64_t classes = out->elements / batch;
  float *probs = (float *)malloc((size_t)classes * sizeof(float));
  if (!probs) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  int normalized = classify_is_distribution(outputs[0], classes);
  if (normalized)
    memcpy(probs, outputs[0], (size_t)classes * sizeof(float));
  else
    classify_softmax(outputs[0], classes, probs);
  int64_t top[5];
  int found = classify_top_k(probs, classes, 5, top);
  printf("top-%d of %lld classes%s:\n", found, (long long)classes,
         normalized ? "" : " (softmax applied)");
  for (int k = 0; k < found; ++k)
    printf("  %d. class %5lld  p=%.4f\n", k + 1, (long long)top[k],
           probs[top[k]]);
  printf("threads: %d\n", kiln_pool_threads(pool));
  printf("latency: median %.3f ms over %d runs\n", classify_median(times, runs),
         runs);

  free(probs);
  free(times);
  kiln_pool_destroy(pool);
  for (int32_t o = 0; o < info->num_outputs; ++o)
    kiln_workspace_free(outputs[o]);
  free(outputs);
  kiln_workspace_free(workspace);
  kiln_workspace_free(input);
  return 0;
}
