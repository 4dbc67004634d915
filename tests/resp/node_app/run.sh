#!/usr/bin/env bash
# Runs the Node.js app check against two parley nodes' RESP ports:
#   tests/resp/node_app/run.sh PORT_A PORT_B
# Installs the pinned packages from package-lock.json first if needed
# (npm ci; uses the local npm cache when the registry is unreachable).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/redis ] || [ ! -d node_modules/express ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
fi
PARLEY_A_PORT="$1" PARLEY_B_PORT="$2" node check.js
