#!/usr/bin/python3
"""Estimate the size of a damage trace (.fbt) made from a lossless capture.

Decodes a capture with ffmpeg to raw BGRX (bgr0), diffs consecutive frames on
64x64 tiles, merges the changed tiles of each tile row into horizontal runs
(rectangles), and zlib-compresses the changed pixels of each frame (level 6 by
default). Frame 0 is stored whole. Prints one line per capture and a total.

    /usr/bin/python3 corpus/estimate_size.py /work/corpus-raw/*.mkv
    /usr/bin/python3 corpus/estimate_size.py --size 1920x1080 --level 6 X.mkv

Needs ffmpeg and python3-numpy (Debian packages). The estimate ignores the
container's per-rectangle headers beyond a flat 16 bytes per rectangle and
24 bytes per frame.
"""
import argparse
import os
import subprocess
import sys
import zlib

import numpy as np

TILE = 64


def estimate(path, width, height, level, limit=None):
    cmd = ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr0", "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    frame_bytes = width * height * 4
    th = (height + TILE - 1) // TILE
    tw = (width + TILE - 1) // TILE
    ph, pw = th * TILE, tw * TILE
    prev = None
    total = 0
    frames = 0
    changed_tiles = 0
    first = 0
    worst = 0
    idle = 0
    try:
        while limit is None or frames < limit:
            buf = proc.stdout.read(frame_bytes)
            if len(buf) < frame_bytes:
                break
            cur = np.frombuffer(buf, dtype=np.uint32).reshape(height, width)
            if prev is None:
                mask = np.ones((th, tw), dtype=bool)
            else:
                d = np.zeros((ph, pw), dtype=bool)
                d[:height, :width] = cur != prev
                mask = d.reshape(th, TILE, tw, TILE).any(axis=(1, 3))
            comp = zlib.compressobj(level)
            out = 0
            rects = 0
            for ty in range(th):
                row = mask[ty]
                tx = 0
                while tx < tw:
                    if not row[tx]:
                        tx += 1
                        continue
                    start = tx
                    while tx < tw and row[tx]:
                        tx += 1
                    x0, x1 = start * TILE, min(tx * TILE, width)
                    y0, y1 = ty * TILE, min((ty + 1) * TILE, height)
                    out += len(comp.compress(np.ascontiguousarray(cur[y0:y1, x0:x1]).tobytes()))
                    rects += 1
            out += len(comp.flush()) + 16 * rects + 24
            n = int(mask.sum())
            changed_tiles += n
            if n == 0:
                idle += 1
            if frames == 0:
                first = out
            worst = max(worst, out)
            total += out
            frames += 1
            prev = cur
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
    return dict(frames=frames, total=total, first=first, worst=worst,
                tiles=changed_tiles / max(frames - 1, 1) if frames > 1 else 0,
                idle=idle, tiles_per_frame=th * tw)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--level", type=int, default=6)
    ap.add_argument("--frames", type=int, default=None, help="only the first N frames")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    grand = 0
    print(f"{'capture':<22} {'frames':>6} {'est. MB':>8} {'frame0 KB':>9} {'avg KB/f':>8} "
          f"{'max KB/f':>8} {'tiles/f':>9} {'idle':>5}")
    for p in a.captures:
        r = estimate(p, w, h, a.level, a.frames)
        grand += r["total"]
        name = os.path.splitext(os.path.basename(p))[0]
        avg = r["total"] / max(r["frames"], 1) / 1024
        print(f"{name:<22} {r['frames']:>6} {r['total'] / 1e6:>8.2f} {r['first'] / 1024:>9.1f} {avg:>8.1f} "
              f"{r['worst'] / 1024:>8.1f} {r['tiles']:>5.0f}/{r['tiles_per_frame']:<3} {r['idle']:>5}")
        sys.stdout.flush()
    print(f"{'TOTAL':<22} {'':>6} {grand / 1e6:>8.2f}")


if __name__ == "__main__":
    main()
