/*===- scores.h - From model outputs to ranked classes ----------*- C -*-===*/

#ifndef KILN_SAMPLES_CLASSIFY_SCORES_H
#define KILN_SAMPLES_CLASSIFY_SCORES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** 1 if `x` already is a probability distribution: every value in [0, 1]
 *  and the sum within 1e-3 of 1 (a model that ends in Softmax). */
int classify_is_distribution(const float *x, int64_t n);

/** out = softmax(x), computed stably (max subtracted). out may alias x. */
void classify_softmax(const float *x, int64_t n, float *out);

/** Writes the indices of the k largest values of x, largest first (ties:
 *  lower index first) to `top`; returns how many were written (min(k, n)). */
int classify_top_k(const float *x, int64_t n, int k, int64_t *top);

/** The median of v[0..n) (mean of the middle two for even n); sorts v. */
double classify_median(double *v, int n);

#ifdef __cplusplus
}
#endif

#endif /* KILN_SAMPLES_CLASSIFY_SCORES_H */
