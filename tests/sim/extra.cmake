# tests/sim: the ready scenarios are read from the source tree.
target_compile_definitions(${target} PRIVATE PARLEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
