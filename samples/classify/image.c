/*===- image.c - PPM reading, bilinear resize, ImageNet normalization -----===*/

#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* torchvision's ImageNet statistics, RGB. */
static const float Mean[3] = {0.485f, 0.456f, 0.406f};
static const float Std[3] = {0.229f, 0.224f, 0.225f};

static void fail(char *error, size_t size, const char *what) {
  if (error && size)
    snprintf(error, size, "%s", what);
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/* Reads one unsigned decimal header field, skipping whitespace and
 * comments before it. Returns -1 when there is none or it overflows. */
static long header_field(const unsigned char *data, size_t size, size_t *pos) {
  for (;;) {
    while (*pos < size && is_space(data[*pos]))
      ++*pos;
    if (*pos < size && data[*pos] == '#') {
      while (*pos < size && data[*pos] != '\n')
        ++*pos;
      continue;
    }
    break;
  }
  long value = 0;
  size_t start = *pos;
  while (*pos < size && data[*pos] >= '0' && data[*pos] <= '9') {
    value = value * 10 + (data[*pos] - '0');
    if (value > 1000000)
      return -1;
    ++*pos;
  }
  return *pos == start ? -1 : value;
}

int classify_parse_ppm(const unsigned char *data, size_t size,
                       classify_image *image, char *error, size_t error_size) {
  image->width = image->height = 0;
  image->rgb = NULL;
  if (size < 2 || data[0] != 'P' || data[1] != '6') {
    fail(error, error_size, "not a binary PPM (no P6 magic number)");
    return -1;
  }
  size_t pos = 2;
  long width = header_field(data, size, &pos);
  long height = header_field(data, size, &pos);
  long maxval = header_field(data, size, &pos);
  if (width <= 0 || height <= 0 || maxval <= 0 || maxval > 65535) {
    fail(error, error_size,
         "bad PPM header (width, height and maxval 1..65535 expected)");
    return -1;
  }
  /* Exactly one whitespace byte separates the header from the pixels. */
  if (pos >= size || !is_space(data[pos])) {
    fail(error, error_size, "bad PPM header (no whitespace after maxval)");
    return -1;
  }
  ++pos;
  size_t bytes_per_sample = maxval > 255 ? 2 : 1;
  size_t samples = (size_t)width * (size_t)height * 3;
  if (size - pos < samples * bytes_per_sample) {
    fail(error, error_size, "PPM pixel data is truncated");
    return -1;
  }
  float *rgb = (float *)malloc(samples * sizeof(float));
  if (!rgb) {
    fail(error, error_size, "out of memory");
    return -1;
  }
  const unsigned char *p = data + pos;
  float scale = 1.0f / (float)maxval;
  for (size_t i = 0; i < samples; ++i) {
    unsigned v =
        bytes_per_sample == 2 ? (unsigned)p[2 * i] << 8 | p[2 * i + 1] : p[i];
    if (v > (unsigned)maxval)
      v = (unsigned)maxval;
    rgb[i] = (float)v * scale;
  }
  image->width = (int)width;
  image->height = (int)height;
  image->rgb = rgb;
  return 0;
}

int classify_read_ppm(const char *path, classify_image *image, char *error,
                      size_t error_size) {
  image->rgb = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    fail(error, error_size, "cannot open file");
    return -1;
  }
  unsigned char *data = NULL;
  size_t size = 0, capacity = 0;
  for (;;) {
    if (size == capacity) {
      capacity = capacity ? capacity * 2 : 1 << 16;
      unsigned char *grown = (unsigned char *)realloc(data, capacity);
      if (!grown) {
        free(data);
        fclose(f);
        fail(error, error_size, "out of memory");
        return -1;
      }
      data = grown;
    }
    size_t got = fread(data + size, 1, capacity - size, f);
    size += got;
    if (got == 0)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  int rc = bad ? -1 : classify_parse_ppm(data, size, image, error, error_size);
  if (bad)
    fail(error, error_size, "read error");
  free(data);
  return rc;
}

int classify_synthetic_image(int width, int height, classify_image *image) {
  image->width = width;
  image->height = height;
  image->rgb =
      (float *)malloc((size_t)width * (size_t)height * 3 * sizeof(float));
  if (!image->rgb)
    return -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      float *px = image->rgb + ((size_t)y * (size_t)width + (size_t)x) * 3;
      px[0] = width > 1 ? (float)x / (float)(width - 1) : 0.5f;
      px[1] = height > 1 ? (float)y / (float)(height - 1) : 0.5f;
      px[2] = ((x / 16 + y / 16) & 1) ? 0.8f : 0.2f;
    }
  return 0;
}

void classify_image_free(classify_image *image) {
  free(image->rgb);
  image->rgb = NULL;
  image->width = image->height = 0;
}

/* Source coordinate of destination pixel `d` when `in` pixels are scaled to
 * `out`: pixel centres map onto pixel centres. Clamped to the image. */
static void sample_at(int64_t d, int64_t in, int64_t out, int64_t *lo,
                      int64_t *hi, float *frac) {
  float s = ((float)d + 0.5f) * (float)in / (float)out - 0.5f;
  if (s < 0)
    s = 0;
  *lo = (int64_t)s;
  if (*lo > in - 1)
    *lo = in - 1;
  *hi = *lo + 1 < in ? *lo + 1 : in - 1;
  *frac = s - (float)*lo;
  if (*frac > 1)
    *frac = 1;
}

void classify_image_to_tensor(const classify_image *image, int64_t height,
                              int64_t width, float *chw) {
  const int64_t plane = height * width;
  const int64_t stride = (int64_t)image->width * 3;
  for (int64_t y = 0; y < height; ++y) {
    int64_t y0, y1;
    float fy;
    sample_at(y, image->height, height, &y0, &y1, &fy);
    for (int64_t x = 0; x < width; ++x) {
      int64_t x0, x1;
      float fx;
      sample_at(x, image->width, width, &x0, &x1, &fx);
      for (int c = 0; c < 3; ++c) {
        const float *rgb = image->rgb + c;
        float top = rgb[y0 * stride + x0 * 3] * (1 - fx) +
                    rgb[y0 * stride + x1 * 3] * fx;
        float bottom = rgb[y1 * stride + x0 * 3] * (1 - fx) +
                       rgb[y1 * stride + x1 * 3] * fx;
        float v = top * (1 - fy) + bottom * fy;
        chw[c * plane + y * width + x] = (v - Mean[c]) / Std[c];
      }
    }
  }
}
