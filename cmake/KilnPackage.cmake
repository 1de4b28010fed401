# The kiln CMake package: install rules for libkiln_rt and its headers, and
# kilnConfig.cmake (+ version, targets, KilnAddModel.cmake) generated twice:
#
#   <prefix>/lib/cmake/kiln/   by `cmake --install build --prefix <prefix>`
#   build/lib/cmake/kiln/      at configure time, so that projects (and tests)
#                              can use the build tree without installing:
#                              -Dkiln_DIR=<build>/lib/cmake/kiln or
#                              -DCMAKE_PREFIX_PATH=<build>
#
# bin/kiln is installed by tools/CMakeLists.txt; kilnConfig.cmake imports it as
# kiln::kiln from the same prefix. Included from runtime/CMakeLists.txt, so a
# KILN_RUNTIME_ONLY (e.g. cross) build installs a usable package too.
include(CMakePackageConfigHelpers)

set(KILN_CMAKE_DIR lib/cmake/kiln)
set(KILN_EXECUTABLE_PATH bin/kiln${CMAKE_EXECUTABLE_SUFFIX})
set(_kiln_build_pkg ${PROJECT_BINARY_DIR}/${KILN_CMAKE_DIR})

install(TARGETS kiln_rt EXPORT kilnTargets ARCHIVE DESTINATION lib)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/kiln
  DESTINATION include FILES_MATCHING PATTERN "*.h")
install(EXPORT kilnTargets NAMESPACE kiln:: DESTINATION ${KILN_CMAKE_DIR}
  FILE kilnTargets.cmake)

# 0.x: a minor version may change the ABI of generated code.
write_basic_package_version_file(${_kiln_build_pkg}/kilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

# Install-tree config: paths relative to the install prefix.
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/kilnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/kiln-install/kilnConfig.cmake
  INSTALL_DESTINATION ${KILN_CMAKE_DIR}
  PATH_VARS KILN_EXECUTABLE_PATH
  NO_SET_AND_CHECK_MACRO)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/kiln-install/kilnConfig.cmake
  ${_kiln_build_pkg}/kilnConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/KilnAddModel.cmake
  DESTINATION ${KILN_CMAKE_DIR})

# Build-tree config: the same file with the build directory as its prefix, so
# bin/kiln and lib/libkiln_rt.a resolve to build/bin and build/lib.
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/kilnConfig.cmake.in
  ${_kiln_build_pkg}/kilnConfig.cmake
  INSTALL_DESTINATION ${KILN_CMAKE_DIR}
  INSTALL_PREFIX ${PROJECT_BINARY_DIR}
  PATH_VARS KILN_EXECUTABLE_PATH
  NO_SET_AND_CHECK_MACRO)
export(EXPORT kilnTargets NAMESPACE kiln:: FILE ${_kiln_build_pkg}/kilnTargets.cmake)
configure_file(${CMAKE_CURRENT_LIST_DIR}/KilnAddModel.cmake
  ${_kiln_build_pkg}/KilnAddModel.cmake COPYONLY)
