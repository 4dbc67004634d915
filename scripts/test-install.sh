#!/usr/bin/env bash
# Installs a build into a temporary prefix, builds examples/ as outside
# projects against it (find_package(parley)), then checks that embedded
# nodes in separate processes converge with a `parley node` daemon:
#   * minimal writes hello/minimal at quorum(2) and reads a key the daemon
#     holds; the daemon must then serve hello/minimal over HTTP;
#   * three edge_sensor processes share counters and a set through it;
#   * a program built with pkg-config links too.
#
#   scripts/test-install.sh BUILD_DIR      e.g. build/ci (after it was built)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/test-install.sh BUILD_DIR}
jobs=${PARLEY_JOBS:-2}
tmp=$(mktemp -d /tmp/parley-install.XXXXXX)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  jobs -p | xargs -r kill 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "test-install: FAIL: $*" >&2; [ -f "$tmp/daemon.log" ] && tail -20 "$tmp/daemon.log" >&2; exit 1; }

echo "-- install $build into $tmp/prefix"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in include/parley/parley.h lib/libparley.a lib/libparley.so lib/cmake/parley/parleyConfig.cmake \
         lib/cmake/parley/parleyConfigVersion.cmake lib/pkgconfig/parley.pc bin/parley; do
  [ -e "$tmp/prefix/$f" ] || fail "$f was not installed"
done
# The public headers must not reach into the source tree.
if grep -rhE '#include +"(storage|protocol|node)/' "$tmp/prefix/include/parley"; then fail "public headers include internals"; fi

echo "-- build examples/minimal and examples/edge_sensor against the install"
for ex in minimal edge_sensor; do
  cmake -S "examples/$ex" -B "$tmp/$ex" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >/dev/null
  cmake --build "$tmp/$ex" -j"$jobs" >/dev/null || fail "examples/$ex does not build"
done

echo "-- build a program with pkg-config"
cflags_libs=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs --static parley)
# shellcheck disable=SC2086
c++ -std=c++20 -o "$tmp/pc_minimal" examples/minimal/main.cc $cflags_libs -Wl,-rpath,"$tmp/prefix/lib" \
  || fail "pkg-config build failed"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
http="127.0.0.1:$http_port"

echo "-- start a parley node daemon (http $http)"
"$tmp/prefix/bin/parley" node --name daemon --in-memory --profile local --bind 127.0.0.1:0 \
  --http "$http" --port-file "$tmp/daemon.json" >"$tmp/daemon.out" 2>"$tmp/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/daemon.json" ] && break; sleep 0.05; done
[ -s "$tmp/daemon.json" ] || fail "the daemon did not start"
gossip=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gossip"])' "$tmp/daemon.json")

curl -sf -X PUT "http://$http/v1/register/from-daemon" -d '{"value":"hi from the daemon"}' >/dev/null \
  || fail "cannot write to the daemon"

echo "-- minimal (seed $gossip)"
out=$(timeout 60 "$tmp/minimal/minimal" minimal "$gossip" from-daemon) || fail "minimal failed: $out"
echo "$out"
grep -q "from-daemon = hi from the daemon" <<<"$out" || fail "minimal did not read the daemon's key"
got=$(curl -sf "http://$http/v1/keys/hello/minimal") || fail "the daemon lacks hello/minimal"
grep -q '"value":"world"' <<<"$got" || fail "the daemon has hello/minimal = $got"

echo "-- the pkg-config build"
timeout 60 "$tmp/pc_minimal" pc-minimal "$gossip" >/dev/null || fail "the pkg-config build failed to run"
curl -sf "http://$http/v1/keys/hello/pc-minimal" >/dev/null || fail "the daemon lacks hello/pc-minimal"

echo "-- three edge sensors (separate processes)"
pids=()
for s in s1 s2 s3; do
  timeout 60 "$tmp/edge_sensor/edge_sensor" "$s" "$gossip" 20 3 >"$tmp/$s.out" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$tmp"/s*.out >&2; fail "edge sensor s$((i + 1)) failed"; }
done
grep -h "fleet complete" "$tmp"/s*.out
total=$(curl -sf "http://$http/v1/keys/readings/total") || fail "the daemon lacks readings/total"
grep -q '"value":60' <<<"$total" || fail "the daemon's readings/total is $total, not 60"
sensors=$(curl -sf "http://$http/v1/keys/sensors")
for s in s1 s2 s3; do grep -q "\"$s\"" <<<"$sensors" || fail "the daemon's sensors set lacks $s: $sensors"; done

echo "test-install: OK"
