#!/usr/bin/env bash
# Builds and runs every test; the README's test command and what .ci/run calls.
#
# One build serves both CI rules: the `ci` preset is optimised, runs under
# AddressSanitizer + UBSan, and treats warnings as errors (-Wall -Wextra
# -Werror). Then every libFuzzer target runs briefly, and the installed
# package is checked from an outside project.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${PARLEY_JOBS:-2}

step() { printf '\n==== %s ====\n' "$*"; }

step "ci preset: build (ASan+UBSan, -Werror)"
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"

step "ci preset: tests"
ctest --preset ci -j"$jobs"

step "fuzz smoke (${FUZZ_SECONDS:-20}s per target)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} ./scripts/fuzz-smoke.sh

if [ -x scripts/test-install.sh ]; then
  step "install and build the examples as an outside project"
  ./scripts/test-install.sh build/ci
fi
step "all tests passed"
