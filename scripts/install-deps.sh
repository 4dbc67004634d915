#!/usr/bin/env bash
# Installs the Debian packages parley builds and tests with. Idempotent: asks
# apt-get only for what `dpkg -s` reports missing, so a second run does nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer and the sanitizers
  libgtest-dev libgmock-dev libbenchmark-dev
  libuv1-dev                           # event loop of the runtime
  libmsgpack-cxx-dev                   # wire encoding
  libcereal-dev                        # snapshot archives
  libxxhash-dev                        # checksums and state digests
  libsodium-dev                        # AEAD for the cluster key
  libhiredis-dev redis-server          # Redis bridge and its tests
  libcli11-dev                         # command-line flags
  libhttp-parser-dev nlohmann-json3-dev  # HTTP front door
  libcurl4-openssl-dev                 # HTTP client of the CLI (parley get/set/fleet)
  libtoml11-dev                        # simulator scenario files
  libspdlog-dev                        # structured logs
  libjemalloc-dev                      # the parley binary's allocator (not libparley's)
  iproute2 nftables curl               # real-network fault tests (tests/netns)
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
