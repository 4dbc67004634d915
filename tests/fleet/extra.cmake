# tests/fleet: real `parley node` processes on loopback, driven through the
# `parley fleet` and client commands of the built binary. The harness reuses
# the CLI's HTTP client and fleet manifest code, compiled in directly because
# node/cli/ is the binary's source folder, not a library.
find_package(CURL REQUIRED)
target_sources(parley_fleet_tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/fleet/fleet_harness.cc
  ${PROJECT_SOURCE_DIR}/node/cli/http_client.cc
  ${PROJECT_SOURCE_DIR}/node/cli/sse_parser.cc
  ${PROJECT_SOURCE_DIR}/node/cli/node_api.cc
  ${PROJECT_SOURCE_DIR}/node/cli/fleet_manifest.cc
  ${PROJECT_SOURCE_DIR}/node/cli/node_process.cc
  ${PROJECT_SOURCE_DIR}/node/cli/port_probe.cc
  ${PROJECT_SOURCE_DIR}/node/cli/reply_printer.cc
  ${PROJECT_SOURCE_DIR}/node/cli/text_table.cc)
target_link_libraries(parley_fleet_tests PRIVATE CURL::libcurl)
target_compile_definitions(parley_fleet_tests PRIVATE PARLEY_BINARY="$<TARGET_FILE:parley>")
add_dependencies(parley_fleet_tests parley)
