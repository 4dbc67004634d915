#!/usr/bin/env bash
# Real-network fault tests: parley nodes in their own network namespaces,
# joined by veth pairs and a bridge, cut apart and healed with nftables drop
# rules (tc netem is not available on these machines).
#
#   split-brain     {n1,n2} | {n3,n4}, both directions
#   isolated        n4 cut off from everyone
#   one-way         n1 -> n3 dropped, n3 -> n1 still delivered
#   kill-restart    SIGKILL and restart n2 in a loop while it takes writes
#
# Writes continue on every side during each fault; after the heal every node
# must reach the same digest, and every write a node acknowledged must be
# readable on every node (I2). Needs root (network namespaces, nft); exits 77
# (skipped) without it. Every namespace, bridge and process is removed on exit,
# also when a check fails.
#
# Usage: tests/netns/netns_faults.sh PATH/TO/parley
set -euo pipefail

parley=${1:?usage: $0 PATH/TO/parley}
parley=$(readlink -f "$parley")

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! ip netns list >/dev/null 2>&1; then
  echo "netns_faults: skipped (needs root, iproute2 and nftables)"
  exit 77
fi

tag=pn$$                      # unique per run: names below stay short (IFNAMSIZ)
subnet=10.231.$(( $$ % 200 + 20 ))
bridge=br$tag
nodes=4
work=$(mktemp -d /tmp/parley-netns.XXXXXX)
declare -A pid

ns() { echo "$tag$1"; }
ip_of() { echo "$subnet.$1"; }
http() { echo "http://$(ip_of "$1"):8080"; }

cleanup() {
  set +e
  for i in $(seq 1 $nodes); do
    [ -n "${pid[$i]:-}" ] && { kill -9 "${pid[$i]}"; wait "${pid[$i]}"; } 2>/dev/null
    ip netns pids "$(ns "$i")" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$(ns "$i")" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  if [ "${failed:-0}" -ne 0 ]; then
    echo "netns_faults: logs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

fail() {
  failed=1
  echo "FAIL: $*" >&2
  for i in $(seq 1 $nodes); do echo "--- n$i log tail"; tail -n 15 "$work/n$i.log" 2>/dev/null; done >&2
  exit 1
}

# ---- the network -----------------------------------------------------------
ip link add "$bridge" type bridge
ip addr add "$subnet.254/24" dev "$bridge"
ip link set "$bridge" up
for i in $(seq 1 $nodes); do
  ip netns add "$(ns "$i")"
  ip link add "v$tag$i" type veth peer name eth0 netns "$(ns "$i")"
  ip link set "v$tag$i" master "$bridge" up
  ip -n "$(ns "$i")" addr add "$(ip_of "$i")/24" dev eth0
  ip -n "$(ns "$i")" link set eth0 up
  ip -n "$(ns "$i")" link set lo up
  ip netns exec "$(ns "$i")" nft add table inet parley
  ip netns exec "$(ns "$i")" nft add chain inet parley input '{ type filter hook input priority 0; }'
  ip netns exec "$(ns "$i")" nft add chain inet parley output '{ type filter hook output priority 0; }'
done

start_node() {
  local i=$1
  ip netns exec "$(ns "$i")" "$parley" node --name "n$i" --bind "$(ip_of "$i"):7946" \
    --http "$(ip_of "$i"):8080" --seeds "$(ip_of 1):7946" --profile local --sync batch \
    --data-dir "$work/data-n$i" >>"$work/n$i.log" 2>&1 &
  pid[$i]=$!
  for _ in $(seq 1 100); do
    curl -sf "$(http "$i")/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "n$i did not start"
}

# ---- faults ------------------------------------------------------------------
# Node $1 drops packets arriving from node $2.
drop_from() { ip netns exec "$(ns "$1")" nft add rule inet parley input ip saddr "$(ip_of "$2")" drop; }
cut_between() { drop_from "$1" "$2"; drop_from "$2" "$1"; }
heal() {
  for i in $(seq 1 $nodes); do
    ip netns exec "$(ns "$i")" nft flush chain inet parley input
    ip netns exec "$(ns "$i")" nft flush chain inet parley output
  done
}

# ---- writes and checks ----------------------------------------------------------
acked="$work/acked"
: >"$acked"
# Writes keys $2-<n>-<k> on node $1 for k in 1..$3; records each acknowledged one.
write_some() {
  local i=$1 prefix=$2 count=$3 k
  for k in $(seq 1 "$count"); do
    local key="$prefix-n$i-$k"
    if curl -sf -m 2 -X PUT -H 'content-type: application/json' \
        -d "{\"value\":\"v$k\"}" "$(http "$i")/v1/register/$key" >/dev/null 2>&1; then
      echo "$key v$k" >>"$acked"
    fi
  done
}

digest_of() { curl -sf -m 2 "$(http "$1")/v1/status" | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p'; }

wait_converged() {
  local deadline=$((SECONDS + ${1:-40}))
  while [ $SECONDS -lt $deadline ]; do
    local first="" same=1
    for i in $(seq 1 $nodes); do
      local d
      d=$(digest_of "$i" || true)
      [ -z "$d" ] && same=0 && break
      [ -z "$first" ] && first=$d
      [ "$d" != "$first" ] && same=0 && break
    done
    [ $same -eq 1 ] && return 0
    sleep 0.5
  done
  fail "no convergence within ${1:-40}s after $scenario"
}

# One curl per node reads every acknowledged key over one kept-alive
# connection (a process per key made this check most of the test's time).
check_acked() {
  local missing=0 i
  for i in $(seq 1 $nodes); do
    awk -v url="$(http "$i")/v1/keys/" '{print "url = \"" url $1 "\""}' "$acked" >"$work/urls"
    curl -s -m 30 -K "$work/urls" >"$work/read-n$i" || true
    missing=$((missing + $(paste -d' ' "$acked" "$work/read-n$i" | awk -v node="n$i" '
      !index($0, "\"key\":\"" $1 "\"") || !index($0, "\"value\":\"" $2 "\"") {
        print "acknowledged write " $1 "=" $2 " missing on " node > "/dev/stderr"; n++ }
      END { print n + 0 }')))
  done
  [ $missing -eq 0 ] || fail "$missing acknowledged writes lost after $scenario"
  echo "ok: $scenario ($(wc -l <"$acked") acknowledged writes present on all $nodes nodes)"
}

run_scenario() {
  scenario=$1
  shift
  "$@"                      # set up the fault
  sleep 1
  local writers=()
  for i in $(seq 1 $nodes); do
    write_some "$i" "$scenario" 25 &
    writers+=($!)
  done
  wait "${writers[@]}"      # (a bare `wait` would wait for the nodes too)
  heal
  wait_converged 40
  check_acked
}

for i in $(seq 1 $nodes); do start_node "$i"; done
sleep 2

split_brain() { for a in 1 2; do for b in 3 4; do cut_between "$a" "$b"; done; done; }
isolate_n4() { for a in 1 2 3; do cut_between "$a" 4; done; }
one_way() { drop_from 3 1; }

run_scenario split-brain split_brain
run_scenario isolated isolate_n4
run_scenario one-way one_way

# SIGKILL / restart loop on n2 while writes go to it and to n1.
scenario=kill-restart
write_some 2 kr 120 &
writer2=$!
write_some 1 kr 60 &
writer1=$!
for round in 1 2 3; do
  sleep 0.7
  { kill -9 "${pid[2]}"; wait "${pid[2]}"; } 2>/dev/null || true
  sleep 0.3
  start_node 2
done
wait "$writer2" "$writer1" || true
wait_converged 40
check_acked

echo "netns_faults: all scenarios passed"
