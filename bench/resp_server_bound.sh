#!/usr/bin/env bash
# RESP throughput with the server as the bottleneck: parley and redis-server
# each held to a share of CPU 0 (a cgroup CPU quota), redis-benchmark on CPU 1.
#
# On a small machine redis-benchmark, a single-threaded client, is slower
# than either server, so an unconstrained run measures the client. Capping
# the servers makes requests/s follow each server's CPU cost per request.
# Both servers run side by side for the whole measurement and every test
# runs on one and then the other (the order alternating per round), so a
# pair of runs is seconds apart and a slow spell of a shared VM hits both.
#
# Usage: bench/resp_server_bound.sh [PARLEY_BIN]      (needs root)
#   ROUNDS=8 QUOTA=30 C=50
#   SPECS="set:16:3000000 get:16:3000000 incr:16:3000000 set:1:500000 ..."
#        test:pipeline:requests, run in this order every round
# Prints each run, then per test the medians and the parley / redis ratio
# per round and their median. In memory on both sides (parley --in-memory,
# redis --save '' --appendonly no).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
parley="${1:-$root/build/release/parley}"
rounds="${ROUNDS:-8}"
quota="${QUOTA:-30}"
clients="${C:-50}"
specs="${SPECS:-set:16:3000000 get:16:3000000 incr:16:3000000 set:1:500000 get:1:500000 incr:1:500000}"

bench_name=resp_server_bound
. "$root/bench/resp_common.sh"
need_tools redis-server redis-benchmark redis-cli taskset python3
need_binary "$parley"
[ "$(nproc)" -ge 2 ] || { echo "$bench_name: needs 2 CPUs (server on 0, client on 1)"; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/parley-server-bound.XXXXXX")"
pids=()
groups=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for g in "${groups[@]}"; do rmdir "$g" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# One cgroup per server: cgroup v1's cpu controller, or v2's cpu.max.
make_group() {  # name -> sets tasks: the file a pid is written into to join
  if [ -d /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    local g=/sys/fs/cgroup/cpu/parley_bench_$1
    mkdir -p "$g"; groups+=("$g")
    echo 100000 >"$g/cpu.cfs_period_us"
    echo $((quota * 1000)) >"$g/cpu.cfs_quota_us"
    tasks="$g/tasks"
  elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    grep -q cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    local g=/sys/fs/cgroup/parley_bench_$1
    mkdir -p "$g"; groups+=("$g")
    echo "$((quota * 1000)) 100000" >"$g/cpu.max"
    tasks="$g/cgroup.procs"
  else
    echo "$bench_name: no cgroup cpu controller found" >&2; exit 2
  fi
}

start() {  # tasks-file command... (pid appended to pids)
  local file="$1"; shift
  sh -c 'echo $$ > "$0"; exec taskset -c 0 "$@"' "$file" "$@" >"$work/server-${#pids[@]}.log" 2>&1 &
  pids+=($!)
}

rport="$(free_port)"
make_group redis
start "$tasks" redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$work"
rpid="${pids[-1]}"
pport="$(free_port)"
make_group parley
start "$tasks" "$parley" node --name bench --bind "127.0.0.1:$(free_port)" --http 127.0.0.1:0 \
  --resp "127.0.0.1:$pport" --profile local --log-level warn --in-memory
ppid="${pids[-1]}"
wait_ping "$rport"
wait_ping "$pport"

tick="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system

run() {  # round server test pipeline requests
  local port="$rport" pid="$rpid"
  [ "$2" = parley ] && { port="$pport"; pid="$ppid"; }
  local before after rps
  before="$(cpu_ticks "$pid")"
  rps="$(taskset -c 1 redis-benchmark -p "$port" -t "$3" -n "$5" -c "$clients" -P "$4" --csv 2>/dev/null |
         awk -F'","' 'NR>1 { gsub(/"/, "", $2); print $2 }')"
  after="$(cpu_ticks "$pid")"
  echo "$1 $3 $4 $2 $rps $(( (after - before) * 1000000 / tick )) $5" | tee -a "$work/runs"
}

echo "round test pipeline server requests/s server-cpu-us requests"
for r in $(seq 1 "$rounds"); do
  for spec in $specs; do
    IFS=: read -r t p n <<<"$spec"
    if [ $((r % 2)) -eq 1 ]; then run "$r" redis "$t" "$p" "$n"; run "$r" parley "$t" "$p" "$n"
    else run "$r" parley "$t" "$p" "$n"; run "$r" redis "$t" "$p" "$n"; fi
  done
done

python3 - "$work/runs" "$quota" "$clients" <<'PY'
import sys, collections, statistics
path, quota, clients = sys.argv[1], sys.argv[2], sys.argv[3]
runs = collections.defaultdict(lambda: collections.defaultdict(dict))
order = []
for line in open(path):
    r, test, p, server, rps, cpu_us, n = line.split()
    key = (test, int(p))
    if key not in order: order.append(key)
    runs[key][int(r)][server] = (float(rps), int(cpu_us) / int(n))
print(f"\nservers at {quota}% of CPU 0, redis-benchmark -c {clients} on CPU 1: medians over rounds")
print("| test | pipeline | rounds | redis-server req/s (CPU/req) | parley req/s (CPU/req) | parley / redis per round | median |")
print("|---|---|---|---|---|---|---|")
for key in order:
    pairs = [v for _, v in sorted(runs[key].items()) if len(v) == 2]
    med = lambda s, i: statistics.median(v[s][i] for v in pairs)
    ratios = [v["parley"][0] / v["redis"][0] for v in pairs]
    print(f"| {key[0].upper()} | {key[1]} | {len(pairs)} | {med('redis', 0) / 1e3:.0f} k ({med('redis', 1):.2f} µs) | "
          f"{med('parley', 0) / 1e3:.0f} k ({med('parley', 1):.2f} µs) | {', '.join(f'{x:.2f}' for x in ratios)} | "
          f"**{statistics.median(ratios):.2f}** |")
PY
