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

int main(void) {
  const kiln_model_info *info = &model_info;
  const float *inputs[64];
  float *outputs[64];
  if (info->num_inputs > 64 || info->num_outputs > 64) {
    fprintf(stderr, "too many inputs or outputs\n");
    return 1;
  }

  int failed = 0;
  for (int32_t i = 0; i < info->num_inputs; ++i) {
    size_t bytes = (size_t)info->inputs[i].elements * sizeof(float);
    float *in = (float *)kiln_workspace_alloc(bytes);
    if (!in)
      failed = 1;
    else
      memset(in, 0, bytes);
    inputs[i] = in;
  }
  for (int32_t o = 0; o < info->num_outputs; ++o)
    if (!(outputs[o] = (float *)kiln_workspace_alloc(
              (size_t)info->outputs[o].elements * sizeof(float))))
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
      sum += outputs[o][k];
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
