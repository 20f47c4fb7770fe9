#!/bin/bash
# libvncserver 0.9.14 (the issue-4 peer) on exactly the frames RfbCodecBenchmarks encodes, Tight lossless and ZRLE:
# prints one line per trace x encoding (best/median encode CPU over REPS runs, MPix per CPU-second, bytes).
# Uses the peer harness of PEERS (default /work/shared/peers: vnc_trace_server/vnc_trace_client, README there),
# copied and built in a scratch directory; needs libvncserver-dev, pkg-config, gcc (apt).
#   bash Bench/Rfb/libvncserver-peer.sh [trace ...]        (REPS=5 by default; all six traces when none given)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
peers="${PEERS:-/work/shared/peers}"
reps="${REPS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$peers"/*.c "$peers"/build.sh "$peers"/run_rfb.sh "$work"/
sh "$work/build.sh" >/dev/null
traces=("$@")
[ ${#traces[@]} -eq 0 ] && traces=(terminal-scroll browser-scroll photo-viewer video-window window-drag gl-anim)

# Last recorded frame the benchmark takes: frames after 0 with changes, until 40 of them or 6 MPixel (as
# RfbCodecBenchmarks.Load), from `trace info --per-frame`.
last_frame() {
  dotnet run -c Release --project "$repo/Server" -- trace info --per-frame "$repo/corpus/$1.fbt" 2>/dev/null | python3 -c '
import re, sys
rows = [(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in
        (re.match(r"│ (\d+)\s+│[^│]*│\s*(\d+)\s*│\s*(\d+)\s*│", l) for l in sys.stdin) if m]
frames = pixels = last = 0
for frame, rects, changed in rows[1:]:
    if frames >= 40 or pixels >= 6000000: break
    if rects == 0: continue
    frames += 1; pixels += changed; last = frame
print(last)'
}

port=5990
for trace in "${traces[@]}"; do
  last="$(last_frame "$trace")"
  dotnet run -c Release --project "$repo/Server" -- trace export --every-recorded-frame --frames "0-$last" \
    --output "$work/$trace.bgrx" "$repo/corpus/$trace.fbt" 2>/dev/null
  for encoding in tight zrle; do
    for _ in $(seq "$reps"); do
      port=$((port + 1))
      bash "$work/run_rfb.sh" "$work/$trace.bgrx" "$encoding" 2 -1 "$port"
    done | python3 -c '
import sys
servers, exact = [], True
for line in sys.stdin:
    if line.startswith("SERVER"): servers.append(dict(kv.split("=") for kv in line.split()[1:]))
    if line.startswith("CLIENT") and "mismatched_pixels=0" not in line: exact = False
cpu = sorted(float(s["encode_cpu_s"]) for s in servers)
mpix = float(servers[0]["changed_mpix"])
sizes = ",".join(sorted({s["stream_bytes"] for s in servers}))
final = "exact" if exact else "MISMATCH"
print(f"{sys.argv[1]:16} {sys.argv[2]:5} frames 0-{sys.argv[3]} changed {mpix:.3f} MPix  encode CPU best {cpu[0]:.3f} s"
      f" median {cpu[len(cpu)//2]:.3f} s  MPix/CPU-s best {mpix/cpu[0]:.1f} median {mpix/cpu[len(cpu)//2]:.1f}"
      f"  bytes {sizes}  final frame {final}")' "$trace" "$encoding" "$last"
  done
  rm -f "$work/$trace.bgrx"
done
