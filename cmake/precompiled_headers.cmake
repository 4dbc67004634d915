# Precompiled headers: most of a clean build's time goes into parsing the same
# heavy headers (the standard library, GoogleTest, CLI11, nlohmann-json,
# spdlog, toml11, msgpack) in every file. Each target parses them once.
# PARLEY_PCH=OFF turns this off (e.g. to check that every file includes what
# it uses).
option(PARLEY_PCH "Use precompiled headers" ON)
if(NOT PARLEY_PCH)
  return()
endif()

set(PARLEY_PCH_STD <algorithm> <cstdint> <cstring> <functional> <map> <memory> <optional>
    <set> <string> <string_view> <unordered_map> <utility> <variant> <vector>)

function(parley_pch target)
  if(TARGET ${target})
    target_precompile_headers(${target} PRIVATE ${PARLEY_PCH_STD} ${ARGN})
  endif()
endfunction()

parley_pch(parley_storage <cereal/cereal.hpp>)
parley_pch(parley_protocol <msgpack.hpp>)
parley_pch(parley_core)
parley_pch(parley_runtime <spdlog/spdlog.h> <uv.h> <toml.hpp>)
parley_pch(parley_http <nlohmann/json.hpp> <uv.h>)
parley_pch(parley_resp <uv.h>)
parley_pch(parley_bridge <uv.h>)
parley_pch(parley_embed <uv.h>)
parley_pch(parley_sim <toml.hpp>)
parley_pch(parley <CLI/CLI.hpp> <nlohmann/json.hpp>)
parley_pch(fleet_bench <nlohmann/json.hpp>)
foreach(dir storage protocol node sim runtime http resp bridge embed fleet)
  parley_pch(parley_${dir}_tests <gtest/gtest.h> <gmock/gmock.h>)
endforeach()
