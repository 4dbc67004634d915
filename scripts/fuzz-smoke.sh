#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan+UBSan) and runs each
# for FUZZ_SECONDS (default 30) on a scratch copy of its seed corpus.
# Exits non-zero if any target finds a crash, leak or sanitizer error; the
# reproducer is kept in the printed artifact directory.
#
# Usage: scripts/fuzz-smoke.sh [target...]   (default: every *_fuzz target)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
cd "$root"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$source" .cc)"); done
fi

cmake --preset fuzz >/dev/null
# Only the fuzz targets (and what they link), not the whole tree.
cmake --build --preset fuzz --parallel "${FUZZ_JOBS:-2}" --target "${targets[@]}"

build="$root/build/fuzz/tests/fuzz"

work="$(mktemp -d "${TMPDIR:-/tmp}/parley-fuzz.XXXXXX")"
# Seed corpus: the checked-in files plus a fresh derivation of the golden
# vectors, so a format change never leaves the fuzzers with stale seeds.
scripts/make-fuzz-corpus.sh "$work/golden" >/dev/null

failed=()
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  artifacts="$work/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  [ -d "tests/fuzz/corpus/$target" ] && cp -r "tests/fuzz/corpus/$target/." "$corpus/"
  [ -d "$work/golden/$target" ] && cp -r "$work/golden/$target/." "$corpus/"
  echo "== $target: ${seconds}s"
  if ! "$build/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" >"$work/$target.log" 2>&1; then
    echo "!! $target failed; log: $work/$target.log, reproducers: $artifacts"
    tail -n 40 "$work/$target.log"
    failed+=("$target")
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/$target.log" | tail -n 2 || true
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]}"
  exit 1
fi
rm -rf "$work"
echo "fuzz-smoke: all ${#targets[@]} targets ran ${seconds}s without findings"
