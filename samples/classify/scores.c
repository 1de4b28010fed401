/*===- scores.c - Softmax detection, top-k, medians -----------------------===*/

#include "scores.h"

#include <math.h>
#include <stdlib.h>

int classify_is_distribution(const float *x, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!(x[i] >= 0.0f && x[i] <= 1.0f)) /* also rejects NaN */
      return 0;
    sum += x[i];
  }
  return n > 0 && fabs(sum - 1.0) <= 1e-3;
}

void classify_softmax(const float *x, int64_t n, float *out) {
  if (n <= 0)
    return;
  float max = x[0];
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > max)
      max = x[i];
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = expf(x[i] - max);
    sum += out[i];
  }
  for (int64_t i = 0; i < n; ++i)
    out[i] = (float)(out[i] / sum);
}

int classify_top_k(const float *x, int64_t n, int k, int64_t *top) {
  int found = 0;
  /* k is small (5): insertion into a sorted list beats sorting n. */
  for (int64_t i = 0; i < n; ++i) {
    int at = found;
    while (at > 0 && x[i] > x[top[at - 1]])
      --at;
    if (at >= k)
      continue;
    int last = found < k ? found : k - 1;
    for (int j = last; j > at; --j)
      top[j] = top[j - 1];
    top[at] = i;
    if (found < k)
      ++found;
  }
  return found;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double classify_median(double *v, int n) {
  if (n <= 0)
    return 0;
  qsort(v, (size_t)n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
