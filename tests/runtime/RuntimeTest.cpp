//===- RuntimeTest.cpp - Status strings and workspace allocation ----------===//

#include "kiln/runtime.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

TEST_CASE("every status code has its own description") {
  std::set<std::string> seen;
  for (int s = KILN_OK; s < KILN_STATUS_COUNT; ++s) {
    const char *text = kiln_status_string(static_cast<kiln_status>(s));
    REQUIRE(text != nullptr);
    CHECK(std::strlen(text) > 0);
    CHECK(std::string(text) != "unknown status");
    CHECK(seen.insert(text).second);
  }
  CHECK(std::string(kiln_status_string(KILN_OK)) == "ok");
  CHECK(std::string(kiln_status_string(KILN_ERROR_NULL_ARGUMENT)) ==
        "null argument");
  CHECK(std::string(kiln_status_string(KILN_ERROR_MISALIGNED)) ==
        "buffer not aligned to 64 bytes");
  CHECK(std::string(kiln_status_string(KILN_ERROR_INTERNAL)) ==
        "internal error");
}

TEST_CASE("unknown status values are described, not crashed on") {
  CHECK(std::string(kiln_status_string(KILN_STATUS_COUNT)) == "unknown status");
  CHECK(std::string(kiln_status_string(static_cast<kiln_status>(-1))) ==
        "unknown status");
  CHECK(std::string(kiln_status_string(static_cast<kiln_status>(1000))) ==
        "unknown status");
}

TEST_CASE("status values are the stable ABI") {
  CHECK(KILN_OK == 0);
  CHECK(KILN_ERROR_NULL_ARGUMENT == 1);
  CHECK(KILN_ERROR_MISALIGNED == 2);
  CHECK(KILN_ERROR_INTERNAL == 3);
  CHECK(KILN_ERROR_OUT_OF_MEMORY == 4);
  CHECK(KILN_ERROR_INVALID_ARGUMENT == 5);
}

TEST_CASE("workspaces are 64-byte aligned and usable to the rounded size") {
  for (size_t bytes : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(65),
                       size_t(4096), size_t(1) << 22}) {
    CAPTURE(bytes);
    void *p = kiln_workspace_alloc(bytes);
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % KILN_ALIGNMENT == 0);
    size_t rounded = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
    std::memset(p, 0xab, rounded);
    kiln_workspace_free(p);
  }
  kiln_workspace_free(nullptr);
}

TEST_CASE("impossible workspace sizes fail with NULL") {
  CHECK(kiln_workspace_alloc(SIZE_MAX) == nullptr);
  CHECK(kiln_workspace_alloc(SIZE_MAX - 10) == nullptr);
}

TEST_CASE("the model description types have the documented layout") {
  static const int64_t shape[] = {1, 3, 224, 224};
  static const kiln_tensor_info in[] = {{"data", 4, shape, 150528, KILN_DTYPE_F32}};
  static const int64_t oshape[] = {1, 1000};
  static const kiln_tensor_info out[] = {{"prob", 2, oshape, 1000, KILN_DTYPE_F32}};
  const kiln_model_info info = {"resnet50", 1, 1, in, out, 1 << 20};
  CHECK(std::string(info.inputs[0].name) == "data");
  CHECK(info.inputs[0].shape[3] == 224);
  CHECK(info.outputs[0].elements == 1000);
  CHECK(info.workspace_size == (1u << 20));
}
