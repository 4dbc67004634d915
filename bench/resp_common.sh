# Shell helpers shared by the RESP benchmark scripts (sourced, not run).
# The sourcing script sets `bench_name`, used as the prefix of messages.

# need_tools TOOL...: exits 2 naming the first tool that is not installed.
need_tools() {
  local tool hint
  for tool in "$@"; do
    hint=""
    case "$tool" in redis-*) hint=" (apt-get install redis-server)" ;; esac
    command -v "$tool" >/dev/null || { echo "$bench_name: $tool not found$hint"; exit 2; }
  done
}

# need_binary PATH: exits 2 unless PATH is an executable parley binary.
need_binary() {
  [ -x "$1" ] || { echo "$bench_name: no parley binary at $1"; exit 2; }
}

# A loopback TCP port that was free a moment ago.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_ping PORT: waits up to 10 s for a RESP server there to answer PING.
wait_ping() {
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$1" PING 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.1
  done
  echo "$bench_name: nothing answers PING on port $1" >&2
  return 1
}
