/* Links a model compiled by `kiln compile` (ONNX's test_conv_with_strides_padding,
 * --name convnet) the way users do, and checks its outputs and API. */
#include "convnet.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  static const float expected[12] = {12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124};
  float x[convnet_INPUT0_SIZE], w[convnet_INPUT1_SIZE], y[convnet_OUTPUT0_SIZE];
  for (int i = 0; i < convnet_INPUT0_SIZE; ++i)
    x[i] = (float)i;
  for (int i = 0; i < convnet_INPUT1_SIZE; ++i)
    w[i] = 1.0f;
  const void *inputs[convnet_NUM_INPUTS] = {x, w};
  void *outputs[convnet_NUM_OUTPUTS] = {y};
  void *ws = kiln_workspace_alloc(convnet_workspace_size());
  kiln_pool *pool = kiln_pool_create(2);
  int bad = 0;
  if (convnet_run(NULL, outputs, ws, pool) != KILN_ERROR_NULL_ARGUMENT) {
    fprintf(stderr, "NULL inputs not rejected\n");
    bad = 1;
  }
  kiln_status s = convnet_run(inputs, outputs, ws, pool);
  if (s != KILN_OK) {
    fprintf(stderr, "run: %s\n", kiln_status_string(s));
    return 1;
  }
  for (int i = 0; i < 12; ++i)
    if (fabsf(y[i] - expected[i]) > 1e-4f) {
      fprintf(stderr, "y[%d] = %g, expected %g\n", i, y[i], expected[i]);
      bad = 1;
    }
  if (strcmp(convnet_info.name, "convnet") != 0 || convnet_info.num_inputs != 2 ||
      convnet_info.outputs[0].rank != 4 || convnet_info.outputs[0].shape[2] != 4 ||
      convnet_info.outputs[0].elements != 12 || strcmp(convnet_INPUT0_NAME, "x") != 0) {
    fprintf(stderr, "bad model info\n");
    bad = 1;
  }
  kiln_pool_destroy(pool);
  kiln_workspace_free(ws);
  if (!bad)
    printf("ok\n");
  return bad;
}
