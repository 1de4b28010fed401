/*===- app.c - Run a compiled model on zeros ------------------------------===*\
|*                                                                          *|
|* The smallest complete user of kiln: the model was compiled by            *|
|* kiln_add_model(model ...) into model.o + model.h. Prints each output's   *|
|* shape and checksum (the sum of its values).                              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "model.h"

#include <stdio.h>
#include <string.h>

/* Bytes of one element of a kiln_dtype. */
static size_t element_bytes(int32_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_I64: return 8;
  case KILN_DTYPE_F32: case KILN_DTYPE_I32: return 4;
  case KILN_DTYPE_F16: return 2;
  default: return 1; /* bool, int8, uint8 */
  }
}

/* Element k of a buffer of that type, as a double (float16 by its bits). */
static double element(const void *p, int32_t dtype, int64_t k) {
  switch (dtype) {
  case KILN_DTYPE_F32: return ((const float *)p)[k];
  case KILN_DTYPE_I64: return (double)((const int64_t *)p)[k];
  case KILN_DTYPE_I32: return ((const int32_t *)p)[k];
  case KILN_DTYPE_I8: return ((const int8_t *)p)[k];
  case KILN_DTYPE_F16: return ((const uint16_t *)p)[k];
  default: return ((const uint8_t *)p)[k]; /* bool, uint8 */
  }
}

int main(void) {
  const kiln_model_info *info = &model_info;
  const void *inputs[64];
  void *outputs[64];
  if (info->num_inputs > 64 || info->num_outputs > 64) {
    fprintf(stderr, "too many inputs or outputs\n");
    return 1;
  }

  int failed = 0;
  for (int32_t i = 0; i < info->num_inputs; ++i) {
    size_t bytes =
        (size_t)info->inputs[i].elements * element_bytes(info->inputs[i].dtype);
    void *in = kiln_workspace_alloc(bytes);
    if (!in)
      failed = 1;
    else
      memset(in, 0, bytes);
    inputs[i] = in;
  }
  for (int32_t o = 0; o < info->num_outputs; ++o)
    if (!(outputs[o] = kiln_workspace_alloc((size_t)info->outputs[o].elements *
                                            element_bytes(info->outputs[o].dtype))))
      failed = 1;
  void *workspace = kiln_workspace_alloc(model_workspace_size());
  kiln_pool *pool = kiln_pool_create(0);
  if (failed || !workspace || !pool) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }

  kiln_status status = model_run(inputs, outputs, workspace, pool);
  if (status != KILN_OK) {
    fprintf(stderr, "model_run: %s\n", kiln_status_string(status));
    return 1;
  }

  printf("model %s: %d input(s), %d output(s), workspace %zu bytes\n",
         info->name, (int)info->num_inputs, (int)info->num_outputs,
         model_workspace_size());
  for (int32_t o = 0; o < info->num_outputs; ++o) {
    const kiln_tensor_info *t = &info->outputs[o];
    double sum = 0;
    for (int64_t k = 0; k < t->elements; ++k)
      sum += element(outputs[o], t->dtype, k);
    printf("output %d: %s [", (int)o, t->name);
    for (int32_t d = 0; d < t->rank; ++d)
      printf("%s%lld", d ? ", " : "", (long long)t->shape[d]);
    printf("] checksum %.6g\n", sum);
  }

  kiln_pool_destroy(pool);
  for (int32_t i = 0; i < info->num_inputs; ++i)
    kiln_workspace_free((void *)inputs[i]);
  for (int32_t o = 0; o < info->num_outputs; ++o)
    kiln_workspace_free(outputs[o]);
  kiln_workspace_free(workspace);
  return 0;
}
