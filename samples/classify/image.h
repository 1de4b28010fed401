/*===- image.h - Images in, model input tensors out -------------*- C -*-===*\
|*                                                                          *|
|* classify's preprocessing: read a binary PPM (P6), or make a synthetic    *|
|* picture, then resize it bilinearly to the model's HxW and normalize with *|
|* the ImageNet mean and standard deviation into planar RGB floats.         *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef KILN_SAMPLES_CLASSIFY_IMAGE_H
#define KILN_SAMPLES_CLASSIFY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An RGB picture: width*height*3 floats in [0, 1], row-major, interleaved
 *  (r, g, b of pixel (0,0), then pixel (1,0), ...). */
typedef struct classify_image {
  int width;
  int height;
  float *rgb;
} classify_image;

/** Reads a binary PPM (P6, maxval 1..65535, '#' comments in the header).
 *  Returns 0, or -1 with a one-line reason in `error`. */
int classify_read_ppm(const char *path, classify_image *image, char *error,
                      size_t error_size);

/** Parses a P6 file already in memory; same contract as classify_read_ppm. */
int classify_parse_ppm(const unsigned char *data, size_t size,
                       classify_image *image, char *error, size_t error_size);

/** A deterministic test picture (gradients and a checkerboard), so that
 *  classify runs with no image at all. Returns 0, or -1 out of memory. */
int classify_synthetic_image(int width, int height, classify_image *image);

void classify_image_free(classify_image *image);

/** Resizes `image` to width x height (bilinear, pixel centres aligned like
 *  PIL and OpenCV: no corner alignment) and writes the normalized planes
 *  (x - mean[c]) / std[c] to `chw`: 3 * height * width floats, R then G
 *  then B. */
void classify_image_to_tensor(const classify_image *image, int64_t height,
                              int64_t width, float *chw);

#ifdef __cplusplus
}
#endif

#endif /* KILN_SAMPLES_CLASSIFY_IMAGE_H */
