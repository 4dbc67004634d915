# Extra programs for the storage tests, included from parley_add_test_dir()
# (so ${target} is parley_storage_tests).

# parley-logbook: the data-directory verifier (storage/tools/).
add_executable(parley-logbook ${PROJECT_SOURCE_DIR}/storage/tools/parley_logbook.cc)
target_link_libraries(parley-logbook PRIVATE parley_storage)

# The writer process that the crash test kills with SIGKILL.
add_executable(parley_logbook_crash_child ${CMAKE_CURRENT_SOURCE_DIR}/storage/logbook_crash_child.cc)
target_link_libraries(parley_logbook_crash_child PRIVATE parley_storage)
target_include_directories(parley_logbook_crash_child PRIVATE ${PROJECT_SOURCE_DIR})

add_dependencies(${target} parley_logbook_crash_child parley-logbook)
target_compile_definitions(${target} PRIVATE
  PARLEY_LOGBOOK_CHILD="$<TARGET_FILE:parley_logbook_crash_child>"
  PARLEY_LOGBOOK_TOOL="$<TARGET_FILE:parley-logbook>")
