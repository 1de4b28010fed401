/*===- workspace.c - Aligned memory for workspaces and tensors ------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#endif

#include "kiln/runtime.h"

#include <stdint.h>
#include <stdlib.h>

void *kiln_workspace_alloc(size_t bytes) {
  /* Round up so vector loops may touch the whole last line; a zero-byte
   * request gets one line, so that NULL always means failure. */
  if (bytes > SIZE_MAX - (KILN_ALIGNMENT - 1))
    return NULL;
  size_t rounded = (bytes + KILN_ALIGNMENT - 1) & ~(size_t)(KILN_ALIGNMENT - 1);
  if (rounded == 0)
    rounded = KILN_ALIGNMENT;
  void *p = NULL;
  if (posix_memalign(&p, KILN_ALIGNMENT, rounded) != 0)
    return NULL;
  return p;
}

void kiln_workspace_free(void *workspace) { free(workspace); }
