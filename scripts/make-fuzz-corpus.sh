#!/usr/bin/env bash
# Writes the libFuzzer seed corpus from the golden wire vectors.
#
# Usage: scripts/make-fuzz-corpus.sh [OUT_DIR]   (default tests/fuzz/corpus)
# Produces OUT_DIR/{datagram_fuzz,frame_fuzz,delta_fuzz}/<vector-name>, one
# binary file per vector in tests/protocol/golden_vectors.inc. frame_fuzz
# inputs get a leading read-size byte (see tests/fuzz/frame_fuzz.cc).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/tests/fuzz/corpus}"
python3 - "$root/tests/protocol/golden_vectors.inc" "$out" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
for target, name, hexdata in re.findall(r'\{"(\w+)", "([\w-]+)",\s*"([0-9a-f]*)"\}', text):
    data = bytes.fromhex(hexdata)
    directory = os.path.join(out, target + "_fuzz")
    os.makedirs(directory, exist_ok=True)
    if target == "frame":
        data = bytes([7]) + data
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)
    # Also seed the bare-body path with the messages of plaintext datagrams:
    # header is 15 bytes + sender name, the checksum 8 bytes (PROTOCOL.md).
    if target == "datagram" and not (data[5] & 1):
        header = 15 + data[14]
        with open(os.path.join(directory, name + ".body"), "wb") as f:
            f.write(data[header:-8])
PY
echo "fuzz corpus written to $out"
