/*===- status.c - Descriptions of kiln_status codes -----------------------===*/

#include "kiln/runtime.h"

const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "ok";
  case KILN_ERROR_NULL_ARGUMENT:
    return "null argument";
  case KILN_ERROR_MISALIGNED:
    return "buffer not aligned to 64 bytes";
  case KILN_ERROR_INTERNAL:
    return "internal error";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case KILN_STATUS_COUNT:
    break;
  }
  return "unknown status";
}
