# Cross toolchain: 64-bit Arm Linux with Debian's gcc-aarch64-linux-gnu.
#
#   cmake -S . -B build-aarch64 -G Ninja -DKILN_RUNTIME_ONLY=ON \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Programs run under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), e.g.
#   qemu-aarch64 -L /usr/aarch64-linux-gnu ./program
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(KILN_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${KILN_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${KILN_CROSS_TRIPLE}-g++)

# Libraries and headers come from the target's sysroot only; programs
# (ninja, qemu, a host kiln) from the host. Packages from both, so that
# -Dkiln_DIR / CMAKE_PREFIX_PATH can point at a cross-built kiln prefix.
set(CMAKE_FIND_ROOT_PATH /usr/${KILN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

find_program(KILN_QEMU_AARCH64 qemu-aarch64)
if(KILN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KILN_QEMU_AARCH64} -L /usr/${KILN_CROSS_TRIPLE})
endif()
