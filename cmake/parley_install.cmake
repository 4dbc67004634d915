# Installation of libparley: headers, libparley.a and libparley.so, the CMake
# package (find_package(parley) -> parley::parley) and parley.pc.
#
# The installable libraries are made of the object files already built for
# storage, protocol, the node core, the runtime and node/embed (all position
# independent), so nothing is compiled twice and the archive holds every
# piece an embedding program needs. Their third-party dependencies are linked
# privately: for the static library the package config finds them again.
if(NOT TARGET parley_embed)
  return()
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
pkg_check_modules(PARLEY_UV REQUIRED IMPORTED_TARGET libuv)
find_package(spdlog REQUIRED)

set(parley_objects "")
foreach(part parley_storage parley_protocol parley_core parley_runtime parley_embed)
  list(APPEND parley_objects $<TARGET_OBJECTS:${part}>)
endforeach()
add_library(parley_static STATIC ${parley_objects})
add_library(parley_shared SHARED ${parley_objects})
foreach(lib parley_static parley_shared)
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME parley LINKER_LANGUAGE CXX)
  target_include_directories(${lib} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${lib} INTERFACE cxx_std_20)
  target_link_libraries(${lib} PRIVATE PkgConfig::PARLEY_UV PkgConfig::SODIUM PkgConfig::XXHASH spdlog::spdlog
                                       Threads::Threads)
  # A sanitized build (the ci and asan presets) needs the sanitizer runtime
  # in the program that links it, first in its library list.
  if(PARLEY_SANITIZE)
    target_link_options(${lib} INTERFACE -fsanitize=address,undefined)
  endif()
endforeach()
set(PARLEY_PC_SANITIZE_FLAGS "")
if(PARLEY_SANITIZE)
  set(PARLEY_PC_SANITIZE_FLAGS "-fsanitize=address,undefined")
endif()
# parley::parley is the static library: an edge program then ships as one
# binary. parley::parley_shared exports only parley::embed (parley.map), so
# the ABI is the public headers and nothing else.
set_target_properties(parley_static PROPERTIES EXPORT_NAME parley)
set_target_properties(parley_shared PROPERTIES EXPORT_NAME parley_shared
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
target_link_options(parley_shared PRIVATE -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/parley.map)
set_target_properties(parley_shared PROPERTIES LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/parley.map)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/parley DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS parley_static parley_shared EXPORT parleyTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(PARLEY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/parley)
install(EXPORT parleyTargets NAMESPACE parley:: DESTINATION ${PARLEY_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/parleyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/parleyConfig.cmake INSTALL_DESTINATION ${PARLEY_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/parleyConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/parleyConfig.cmake ${PROJECT_BINARY_DIR}/parleyConfigVersion.cmake
  DESTINATION ${PARLEY_CMAKE_DIR})
configure_file(${PROJECT_SOURCE_DIR}/cmake/parley.pc.in ${PROJECT_BINARY_DIR}/parley.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/parley.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
