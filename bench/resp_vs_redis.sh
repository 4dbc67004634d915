#!/usr/bin/env bash
# RESP throughput: redis-benchmark against one parley node and against a
# redis-server on this machine, same client settings, one after the other.
#
# Usage: bench/resp_vs_redis.sh [PARLEY_BIN]
#   PARLEY_BIN   the parley binary (default: build/release/parley); build
#                it Release for meaningful numbers.
#   N=100000 C=50 TESTS=set,get,incr PIPELINES="1 16"   override the load.
#   PARLEY_MODES="memory batch"   memory: --in-memory (no logbook), compared
#                with redis --save '' --appendonly no; batch: logbook with
#                group commit, every write acknowledged only once fsynced,
#                compared with redis --appendonly yes --appendfsync always
#                (also fsyncs before it replies), the same durability.
# Prints one table: requests/s per test and pipeline depth, and the ratio
# of each parley mode to the redis-server of matching durability.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
parley="${1:-$root/build/release/parley}"
n="${N:-100000}"
clients="${C:-50}"
tests="${TESTS:-set,get,incr}"
pipelines="${PIPELINES:-1 16}"
modes="${PARLEY_MODES:-memory batch}"

bench_name=resp_vs_redis
. "$root/bench/resp_common.sh"
need_tools redis-server redis-benchmark redis-cli
need_binary "$parley"

work="$(mktemp -d "${TMPDIR:-/tmp}/parley-resp-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# run_bench LABEL PORT -> appends "label,test,pipeline,rps" lines to results
run_bench() {
  local label="$1" port="$2"
  for p in $pipelines; do
    redis-cli -p "$port" FLUSHALL >/dev/null 2>&1 || true
    redis-benchmark -p "$port" -t "$tests" -n "$n" -c "$clients" -P "$p" --csv 2>/dev/null |
      awk -F'","' -v label="$label" -v p="$p" 'NR>1 { gsub(/"/, "", $1); print label "," $1 "," p "," $2 }' \
        >>"$work/results"
  done
}

: >"$work/results"

# redis-server without persistence, and with an fsync before each reply.
redis_modes=(redis)
case " $modes " in *" batch "*|*" always "*) redis_modes+=(redis-aof) ;; esac
for rmode in "${redis_modes[@]}"; do
  rport="$(free_port)"
  persist=(--save '' --appendonly no)
  [ "$rmode" = redis-aof ] && persist=(--save '' --appendonly yes --appendfsync always)
  redis-server --port "$rport" --bind 127.0.0.1 "${persist[@]}" --daemonize no \
    --dir "$work" >"$work/$rmode.log" 2>&1 &
  pids+=($!)
  wait_ping "$rport"
  run_bench "$rmode" "$rport"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

for mode in $modes; do
  pport="$(free_port)"
  gport="$(free_port)"
  args=(node --name bench --bind "127.0.0.1:$gport" --http 127.0.0.1:0 --resp "127.0.0.1:$pport"
        --profile local --log-level warn)
  if [ "$mode" = memory ]; then
    args+=(--in-memory)
  else
    args+=(--data-dir "$work/parley-$mode" --sync "$mode")
  fi
  "$parley" "${args[@]}" >"$work/parley-$mode.log" 2>&1 &
  pids+=($!)
  wait_ping "$pport"
  run_bench "parley-$mode" "$pport"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

# Table: one row per test and pipeline depth.
python3 - "$work/results" "$n" "$clients" "$modes" <<'PY'
import sys, collections
path, n, clients, modes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
rps = collections.defaultdict(dict)
for line in open(path):
    label, test, p, value = line.strip().split(",")
    rps[(test, int(p))][label] = float(value)
def baseline(label):  # the redis-server with the same durability
    return "redis-aof" if label in ("parley-batch", "parley-always") else "redis"
parleys = ["parley-" + m for m in modes]
cols = sorted({baseline(c) for c in parleys}, key=len) + parleys
print(f"redis-benchmark -n {n} -c {clients}: requests per second")
print("| test | pipeline | " + " | ".join(cols) + " | " +
      " | ".join(f"{c} / {baseline(c)}" for c in parleys) + " |")
print("|---|---|" + "---|" * (len(cols) + len(parleys)))
for (test, p) in sorted(rps, key=lambda k: (k[1], k[0])):
    row = rps[(test, p)]
    vals = [f"{row.get(c, 0):,.0f}" for c in cols]
    ratios = [f"{row.get(c, 0) / row[baseline(c)]:.2f}" if row.get(baseline(c)) else "-" for c in parleys]
    print(f"| {test} | {p} | " + " | ".join(vals) + " | " + " | ".join(ratios) + " |")
PY
