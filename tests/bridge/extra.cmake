# Helpers of the bridge tests, included from parley_add_test_dir() (so
# ${target} is parley_bridge_tests): in-process nodes on one libuv loop.
target_sources(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/bridge/loop_nodes.cc)
# The tests start their own redis-server; label them so they can be skipped
# where none is installed.
set_property(TARGET ${target} APPEND PROPERTY LABELS redis)
