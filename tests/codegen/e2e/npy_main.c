/* Runs a model compiled by `kiln compile --name model` (one input, one
 * output) on a deterministic input and writes both as .npy files, so a
 * host-side tool can run the same input through `kiln run --reference` and
 * compare. Built for the target (e.g. aarch64 under qemu-user).
 *
 *   app INPUT.npy OUTPUT.npy */
#include "model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes `n` floats of shape `shape` as a little-endian '<f4' .npy v1.0. */
static int writeNpy(const char *path, const float *data, int64_t n,
                    const int64_t *shape, int rank) {
  char dims[256] = "";
  for (int i = 0; i < rank; ++i) {
    char d[32];
    snprintf(d, sizeof d, "%lld%s", (long long)shape[i],
             rank == 1 ? "," : (i + 1 < rank ? ", " : ""));
    strcat(dims, d);
  }
  char header[512];
  int len = snprintf(header, sizeof header,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims);
  /* magic (6) + version (2) + header length (2) + header + '\n', padded to 64. */
  int total = 10 + len + 1;
  int pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f)
    return 1;
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  unsigned hl = (unsigned)(len + pad + 1);
  pre[8] = (unsigned char)(hl & 0xff);
  pre[9] = (unsigned char)(hl >> 8);
  int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)len, f) == (size_t)len;
  for (int i = 0; i < pad; ++i)
    ok &= fputc(' ', f) != EOF;
  ok &= fputc('\n', f) != EOF;
  ok &= fwrite(data, sizeof(float), (size_t)n, f) == (size_t)n; /* targets are little-endian */
  ok &= fclose(f) == 0;
  return !ok;
}

int main(int argc, char **argv) {
  if (argc != 3 || model_NUM_INPUTS != 1 || model_NUM_OUTPUTS != 1) {
    fprintf(stderr, "usage: app INPUT.npy OUTPUT.npy (one input, one output)\n");
    return 2;
  }
  float *x = malloc(sizeof(float) * model_INPUT0_SIZE);
  float *y = malloc(sizeof(float) * model_OUTPUT0_SIZE);
  void *ws = kiln_workspace_alloc(model_workspace_size());
  if (!x || !y || (!ws && model_workspace_size() > 0))
    return 2;
  /* A deterministic, image-like input in [-1, 1): an LCG. */
  uint32_t s = 12345;
  for (int64_t i = 0; i < model_INPUT0_SIZE; ++i) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
  }
  const void *inputs[1] = {x};
  void *outputs[1] = {y};
  kiln_pool *pool = kiln_pool_create(2);
  kiln_status st = model_run(inputs, outputs, ws, pool);
  kiln_pool_destroy(pool);
  if (st != KILN_OK) {
    fprintf(stderr, "model_run: %s\n", kiln_status_string(st));
    return 1;
  }
  const kiln_tensor_info *in = &model_info.inputs[0], *out = &model_info.outputs[0];
  if (writeNpy(argv[1], x, in->elements, in->shape, (int)in->rank) ||
      writeNpy(argv[2], y, out->elements, out->shape, (int)out->rank)) {
    fprintf(stderr, "cannot write the .npy files\n");
    return 1;
  }
  printf("ok\n");
  kiln_workspace_free(ws);
  free(x);
  free(y);
  return 0;
}
