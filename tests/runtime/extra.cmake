# tests/runtime: the harness can serve HTTP too, and one test runs the real
# `parley node` process to check its exit codes and ready line.
target_link_libraries(${target} PRIVATE parley_http)
if(TARGET parley)
  add_dependencies(${target} parley)
  target_compile_definitions(${target} PRIVATE PARLEY_BINARY="$<TARGET_FILE:parley>")
endif()
