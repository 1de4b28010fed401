/*===- hostile_main.c - Runs the compiled hostile-names model -------------===*\
|*                                                                          *|
|* Built as C99 with -Wall -Wextra -Werror -pedantic against the header     *|
|* `kiln compile --name m` generated, so the header must be clean C.         *|
|*                                                                          *|
|*   hostile_main INPUT.npy OUTPUT.npy                                      *|
|*                                                                          *|
|* Fills the one input with a fixed pattern, runs the model, and writes the *|
|* input and the output as float32 .npy files for comparison with           *|
|* `kiln run --reference`.                                                  *|
\*===----------------------------------------------------------------------===*/

#include "m.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int writeNpy(const char *path, const kiln_tensor_info *t, const float *data) {
  char shape[256] = "";
  size_t len = 0;
  int32_t i;
  char header[512];
  int n;
  FILE *f;
  for (i = 0; i < t->rank && len < sizeof shape - 32; ++i)
    len += (size_t)sprintf(shape + len, "%lld%s", (long long)t->shape[i],
                           t->rank == 1 ? "," : (i + 1 < t->rank ? ", " : ""));
  n = sprintf(header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape);
  /* Pad with spaces so that magic + header is a multiple of 64, ending in \n. */
  while ((10 + n + 1) % 64 != 0)
    header[n++] = ' ';
  header[n++] = '\n';
  f = fopen(path, "wb");
  if (!f)
    return 1;
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(n & 0xff, f);
  fputc(n >> 8, f);
  fwrite(header, 1, (size_t)n, f);
  fwrite(data, sizeof(float), (size_t)t->elements, f);
  return fclose(f) != 0;
}

int main(int argc, char **argv) {
  const kiln_model_info *info = &m_info;
  float *in, *out;
  void *ws;
  const void *inputs[1];
  void *outputs[1];
  kiln_status st;
  int64_t i;
  if (argc != 3 || info->num_inputs != 1 || info->num_outputs != 1) {
    fprintf(stderr, "usage: hostile_main INPUT.npy OUTPUT.npy (model with 1 input, 1 output)\n");
    return 2;
  }
  /* Names come back exactly as in the ONNX file. */
  if (strcmp(info->inputs[0].name, "in\"put'") != 0 ||
      strcmp(info->outputs[0].name, "out\"\n\\put */") != 0) {
    fprintf(stderr, "model info names differ from the ONNX names\n");
    return 1;
  }
  in = kiln_workspace_alloc((size_t)info->inputs[0].elements * sizeof(float));
  out = kiln_workspace_alloc((size_t)info->outputs[0].elements * sizeof(float));
  ws = kiln_workspace_alloc(m_workspace_size());
  if (!in || !out || !ws)
    return 1;
  for (i = 0; i < info->inputs[0].elements; ++i)
    in[i] = (float)((i * 7919) % 23 - 11) / 16.0f;
  inputs[0] = in;
  outputs[0] = out;
  st = m_run(inputs, outputs, ws, NULL);
  if (st != KILN_OK) {
    fprintf(stderr, "m_run: %s\n", kiln_status_string(st));
    return 1;
  }
  if (writeNpy(argv[1], &info->inputs[0], in) || writeNpy(argv[2], &info->outputs[0], out))
    return 1;
  kiln_workspace_free(in);
  kiln_workspace_free(out);
  kiln_workspace_free(ws);
  return 0;
}
