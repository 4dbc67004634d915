#!/usr/bin/env bash
# The README's main job: start a local fleet of three parley nodes, write a
# value on one node, read it back from the other two, and leave the fleet
# running for you to play with. Safe to run again: a fleet still running in
# ./fleet is stopped first (its data is kept and reused).
#
# Environment: PARLEY_FLEET_NODES (default 3), PARLEY_FLEET_BASE_PORT
# (default 7980: n1 gets gossip 7980, HTTP 8080, RESP 8180).
set -euo pipefail
cd "$(dirname "$0")/.."

parley=${PARLEY_BIN:-./build/release/parley}  # PARLEY_BIN: another build
dir=fleet
nodes=${PARLEY_FLEET_NODES:-3}
base_port=${PARLEY_FLEET_BASE_PORT:-7980}

if [ ! -x "$parley" ]; then
  echo "fleet.sh: $parley is missing; build it with: make release" >&2
  exit 1
fi

if [ -f "$dir/fleet.json" ]; then
  echo "==> a fleet from an earlier run exists in ./$dir; stopping it first"
  "$parley" fleet down --dir "$dir"
  echo
fi

"$parley" fleet up -n "$nodes" --dir "$dir" --base-port "$base_port"
echo

value="x=3,y=7 (written on n1 at $(date +%H:%M:%S))"
echo "==> write on n1, acknowledged once all $nodes nodes hold it (quorum:$nodes):"
echo "    \$ $parley set treasureMap '$value' --fleet $dir --on n1 --durability quorum:$nodes"
"$parley" set treasureMap "$value" --fleet "$dir" --on n1 --durability "quorum:$nodes"

echo
echo "==> read it back from the other nodes:"
for i in $(seq 2 "$nodes"); do
  # A quorum ack means the node has the write; retry briefly anyway so a
  # slow machine never turns a demo into a false alarm.
  got=""
  for _ in $(seq 1 50); do
    got=$("$parley" get treasureMap --fleet "$dir" --on "n$i" --raw 2>/dev/null || true)
    [ "$got" = "$value" ] && break
    sleep 0.1
  done
  printf '    n%s: %s\n' "$i" "$("$parley" get treasureMap --fleet "$dir" --on "n$i")"
  if [ "$got" != "$value" ]; then
    echo "fleet.sh: n$i does not have the value written on n1 (got '$got')" >&2
    exit 1
  fi
done

echo
"$parley" fleet status --dir "$dir"
echo
echo "==> the fleet keeps running. Stop it with: $parley fleet down"
