# The `parley` command: one binary, every subcommand registering itself from
# node/cli/*.cc. Included last, so it can link whatever libraries exist.
find_package(CLI11 REQUIRED)
find_package(CURL REQUIRED)  # the CLI's HTTP client (get/set/fleet talk to nodes)
file(GLOB PARLEY_CLI_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/node/cli/*.cc)
add_executable(parley ${PARLEY_CLI_SOURCES})
target_link_libraries(parley PRIVATE parley_core CLI11::CLI11 CURL::libcurl)
foreach(lib parley_runtime parley_http parley_resp parley_bridge parley_sim)
  if(TARGET ${lib})
    target_link_libraries(parley PRIVATE ${lib})
  endif()
endforeach()
# jemalloc, as Redis uses: every write allocates a dozen small objects (the
# delta, its context, reply slots), and glibc's malloc cost the RESP write
# path ~10% of its CPU (bench/RESULTS.md, "RESP vs redis-server"). Only the
# executable: libparley leaves the allocator to the program that embeds it,
# and sanitizer builds keep their own.
if(NOT PARLEY_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(parley PRIVATE PkgConfig::JEMALLOC)
endif()
install(TARGETS parley RUNTIME DESTINATION bin)
