#!/usr/bin/env bash
# Builds and runs every test: the CI preset (warnings are errors), the
# ASan+UBSan preset, and a short libFuzzer run of every decoder. This is the
# README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${PARLEY_JOBS:-2}

step() { printf '\n==== %s ====\n' "$*"; }

step "ci preset: build (-Werror)"
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
step "ci preset: tests"
ctest --preset ci -j"$jobs"

step "asan preset: build"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
step "asan preset: tests"
ctest --preset asan -j"$jobs"

if [ -x scripts/fuzz-smoke.sh ]; then
  step "fuzz smoke (${FUZZ_SECONDS:-20}s per target)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} ./scripts/fuzz-smoke.sh
fi
step "all tests passed"
