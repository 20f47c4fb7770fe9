#!/usr/bin/python3
"""Turn the window-drag scenario's xdotool log into per-frame "move" annotations.

    drag_moves.py --capture X.mkv --log X.movelog --t0 EPOCH --fps 15 \
        --size 1920x1080 --bg '#002b36' --window 652x344 --out moves.txt

The log has one line per xdotool windowmove: "EPOCH_SECONDS X Y W H". Frame i
of the capture was grabbed at t0 + i/fps (x11grab stamps frames with the wall
clock; t0 is ffmpeg's "start:"), so the log gives the window's position at
each frame: the last move logged before the frame's time.

A logged move may or may not be on screen by the time the frame is grabbed,
so the positions are then checked against the capture itself: the dragged
window has a background colour (--bg) that appears nowhere else, and the
bounding box of that colour in a frame is the window's rectangle. Where the
capture shows the window (a box of exactly --window size), that position wins;
the script prints how often the log and the capture agree.

Output, one line per frame in which the window moved since the frame before:
    FRAME move X,Y,W,H DX,DY
X,Y,W,H is the window's rectangle in the previous frame (the copy source) and
DX,DY the offset to its rectangle in this frame. Frame 0 is never a move.
"""
import argparse
import bisect
import subprocess
import sys

import numpy as np


def frames(capture, width, height):
    cmd = ["ffmpeg", "-v", "error", "-i", capture, "-f", "rawvideo", "-pix_fmt", "bgr0", "-"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    n = width * height * 4
    try:
        while True:
            buf = p.stdout.read(n)
            if len(buf) < n:
                return
            yield np.frombuffer(buf, dtype=np.uint32).reshape(height, width) & np.uint32(0xFFFFFF)
    finally:
        p.stdout.close()
        p.kill()
        p.wait()


def detect(capture, width, height, bg, ww, wh):
    r, g, b = int(bg[1:3], 16), int(bg[3:5], 16), int(bg[5:7], 16)
    key = np.uint32(b | (g << 8) | (r << 16))
    out = []
    for f in frames(capture, width, height):
        m = f == key
        rows = np.flatnonzero(m.sum(axis=1) >= 16)
        cols = np.flatnonzero(m.sum(axis=0) >= 16)
        if len(rows) and len(cols):
            x, y = int(cols[0]), int(rows[0])
            w, h = int(cols[-1]) - x + 1, int(rows[-1]) - y + 1
            out.append((x, y) if (w, h) == (ww, wh) else None)
        else:
            out.append(None)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--t0", type=float, required=True)
    ap.add_argument("--fps", type=float, default=15)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--bg", required=True)
    ap.add_argument("--window", required=True, help="WxH of the dragged window")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sw, sh = (int(v) for v in a.size.split("x"))
    ww, wh = (int(v) for v in a.window.split("x"))

    times, poss = [], []
    for line in open(a.log):
        t, x, y, *_ = line.split()
        times.append(float(t))
        poss.append((int(x), int(y)))

    seen = detect(a.capture, sw, sh, a.bg, ww, wh)
    nframes = len(seen)
    first = seen[0]  # the window's place before the first logged move
    from_log = []
    for i in range(nframes):
        k = bisect.bisect_right(times, a.t0 + i / a.fps) - 1
        from_log.append(poss[k] if k >= 0 else first)

    final = [s if s is not None else l for s, l in zip(seen, from_log)]
    # every annotated move must be an exact copy of the window's pixels
    exact = 0
    checked = 0
    prev = None
    for i, f in enumerate(frames(a.capture, sw, sh)):
        if prev is not None and final[i - 1] != final[i] and None not in (final[i - 1], final[i]):
            (x0, y0), (x1, y1) = final[i - 1], final[i]
            checked += 1
            exact += np.array_equal(prev[y0:y0 + wh, x0:x0 + ww], f[y1:y1 + wh, x1:x1 + ww])
        prev = f
    agree = sum(1 for s, l in zip(seen, from_log) if s == l)
    found = sum(1 for s in seen if s is not None)
    moves = []
    for i in range(1, nframes):
        (x0, y0), (x1, y1) = final[i - 1], final[i]
        if (x0, y0) != (x1, y1):
            moves.append(f"{i} move {x0},{y0},{ww},{wh} {x1 - x0},{y1 - y0}")
    with open(a.out, "w") as f:
        f.write("\n".join(moves) + "\n")
    print(f"drag_moves: {nframes} frames, window found in {found}, log agrees with capture in {agree}; "
          f"{len(moves)} move annotations -> {a.out}; {exact} of {checked} moves are exact copies", file=sys.stderr)
    off = [(i, s, l) for i, (s, l) in enumerate(zip(seen, from_log)) if s is not None and s != l]
    for i, s, l in off[:8]:
        print(f"  frame {i}: capture {s}, log {l}", file=sys.stderr)


if __name__ == "__main__":
    main()
