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
install(TARGETS parley RUNTIME DESTINATION bin)
