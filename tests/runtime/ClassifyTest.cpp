//===- ClassifyTest.cpp - samples/classify's preprocessing and scoring ----===//

#include "samples/classify/image.h"
#include "samples/classify/scores.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

std::vector<unsigned char> ppm(const std::string &header,
                               const std::vector<unsigned char> &pixels) {
  std::vector<unsigned char> data(header.begin(), header.end());
  data.insert(data.end(), pixels.begin(), pixels.end());
  return data;
}

struct Image : classify_image {
  Image() : classify_image{0, 0, nullptr} {}
  ~Image() { classify_image_free(this); }
};

constexpr float Mean[3] = {0.485f, 0.456f, 0.406f};
constexpr float Std[3] = {0.229f, 0.224f, 0.225f};

} // namespace

TEST_CASE("PPM: 8-bit pixels with comments in the header") {
  auto data = ppm("P6\n# made by hand\n2 1 # width height\n255\n",
                  {255, 0, 0, 0, 51, 255});
  Image img;
  char error[128];
  REQUIRE(classify_parse_ppm(data.data(), data.size(), &img, error,
                             sizeof error) == 0);
  CHECK(img.width == 2);
  CHECK(img.height == 1);
  CHECK(img.rgb[0] == 1.0f);
  CHECK(img.rgb[1] == 0.0f);
  CHECK(img.rgb[4] == doctest::Approx(0.2f));
  CHECK(img.rgb[5] == 1.0f);
}

TEST_CASE("PPM: 16-bit pixels are big-endian") {
  auto data = ppm("P6 1 1 65535\n", {0xff, 0xff, 0x80, 0x00, 0x00, 0x01});
  Image img;
  char error[128];
  REQUIRE(classify_parse_ppm(data.data(), data.size(), &img, error,
                             sizeof error) == 0);
  CHECK(img.rgb[0] == 1.0f);
  CHECK(img.rgb[1] == doctest::Approx(32768.0 / 65535.0));
  CHECK(img.rgb[2] == doctest::Approx(1.0 / 65535.0));
}

TEST_CASE("PPM: malformed files are rejected with a reason") {
  struct Case {
    std::vector<unsigned char> data;
    const char *reason;
  } cases[] = {
      {ppm("P3 1 1 255\n", {1, 2, 3}), "not a binary PPM"},
      {ppm("P6 1 255\n", {1, 2, 3}), "bad PPM header"},
      {ppm("P6 0 1 255\n", {}), "bad PPM header"},
      {ppm("P6 1 1 70000\n", {1, 2, 3}), "bad PPM header"},
      {ppm("P6 2 2 255\n", {1, 2, 3}), "truncated"},
      {ppm("P6 1 1 255", {}), "no whitespace after maxval"},
  };
  for (const Case &c : cases) {
    Image img;
    char error[128] = "";
    CHECK(classify_parse_ppm(c.data.data(), c.data.size(), &img, error,
                             sizeof error) == -1);
    CHECK(img.rgb == nullptr);
    CHECK_MESSAGE(std::string(error).find(c.reason) != std::string::npos,
                  error);
  }
}

TEST_CASE("PPM: read from a file") {
  std::string path =
      std::string(KILN_BINARY_DIR) + "/tests/runtime/two-pixels.ppm";
  auto data = ppm("P6\n2 1\n255\n", {10, 20, 30, 40, 50, 60});
  FILE *f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
  Image img;
  char error[128];
  REQUIRE(classify_read_ppm(path.c_str(), &img, error, sizeof error) == 0);
  CHECK(img.width == 2);
  CHECK(img.rgb[5] == doctest::Approx(60.0f / 255.0f));
  std::remove(path.c_str());
  Image missing;
  CHECK(classify_read_ppm(path.c_str(), &missing, error, sizeof error) == -1);
  CHECK(std::string(error) == "cannot open file");
}

TEST_CASE("resizing to the same size only normalizes") {
  Image img;
  REQUIRE(classify_synthetic_image(5, 3, &img) == 0);
  std::vector<float> chw(3 * 3 * 5);
  classify_image_to_tensor(&img, 3, 5, chw.data());
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 5; ++x)
        CHECK(
            chw[(c * 3 + y) * 5 + x] ==
            doctest::Approx((img.rgb[(y * 5 + x) * 3 + c] - Mean[c]) / Std[c]));
}

TEST_CASE("bilinear resize maps pixel centres onto pixel centres") {
  // A 2x1 image, black then white, upscaled to 4x1: the centres of the
  // outer output pixels fall outside the input's centres and clamp, the
  // inner ones interpolate at 1/4 and 3/4.
  auto data = ppm("P6 2 1 255\n", {0, 0, 0, 255, 255, 255});
  Image img;
  char error[64];
  REQUIRE(classify_parse_ppm(data.data(), data.size(), &img, error,
                             sizeof error) == 0);
  std::vector<float> chw(3 * 4);
  classify_image_to_tensor(&img, 1, 4, chw.data());
  const float expected[4] = {0.0f, 0.25f, 0.75f, 1.0f};
  for (int c = 0; c < 3; ++c)
    for (int x = 0; x < 4; ++x)
      CHECK(chw[c * 4 + x] ==
            doctest::Approx((expected[x] - Mean[c]) / Std[c]));
  // Downscaling to 1x1 samples the midpoint of the two pixels.
  std::vector<float> down(3 * 1 * 1);
  classify_image_to_tensor(&img, 1, 1, down.data());
  CHECK(down[0] == doctest::Approx((0.5f - Mean[0]) / Std[0]));
}

TEST_CASE("softmax is detected, computed stably, and ranked") {
  const float probs[4] = {0.1f, 0.6f, 0.25f, 0.05f};
  CHECK(classify_is_distribution(probs, 4));
  const float logits[4] = {1.0f, 3.0f, 2.0f, 0.5f};
  CHECK_FALSE(classify_is_distribution(logits, 4));
  const float nearly[2] = {0.5f, 0.4f};
  CHECK_FALSE(classify_is_distribution(nearly, 2));
  const float withNan[2] = {NAN, 1.0f};
  CHECK_FALSE(classify_is_distribution(withNan, 2));

  const float huge[3] = {1000.0f, 1001.0f, 999.0f};
  float out[3];
  classify_softmax(huge, 3, out);
  double e = std::exp(1.0);
  CHECK(out[1] == doctest::Approx(e * e / (1 + e + e * e)));
  CHECK(classify_is_distribution(out, 3));

  int64_t top[5];
  const float scores[7] = {0.1f, 0.9f, 0.3f, 0.9f, -1.0f, 0.5f, 0.2f};
  REQUIRE(classify_top_k(scores, 7, 5, top) == 5);
  const int64_t expected[5] = {1, 3, 5, 2, 6}; // ties: lower index first
  for (int k = 0; k < 5; ++k)
    CHECK(top[k] == expected[k]);
  CHECK(classify_top_k(scores, 3, 5, top) == 3);
  CHECK(top[0] == 1);
  CHECK(top[2] == 0);
}

TEST_CASE("median of odd and even counts") {
  double odd[5] = {5, 1, 4, 2, 3};
  CHECK(classify_median(odd, 5) == 3);
  double even[4] = {10, 1, 3, 2};
  CHECK(classify_median(even, 4) == 2.5);
}
