#!/usr/bin/env bash
# The README's main job. Until the daemon exists it runs the CRDT demo:
# three replicas write concurrently and converge by anti-entropy alone.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./build/release/parley demo
