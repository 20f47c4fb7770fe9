#!/usr/bin/python3
"""Find the vertical scrolls inside one window of a capture and write them as
"scroll" annotations for the trace importer.

    find_scrolls.py --capture X.mkv --rect X,Y,W,H [--size 1920x1080] --out scrolls.txt

For each pair of consecutive frames, rows of the window rectangle are hashed;
rows of the new frame that equal rows of the previous frame vote for a
vertical offset, and the best-voted non-zero offset is then checked pixel by
pixel: the largest block of columns and rows that moved exactly by that offset
becomes the annotation. Only exact copies are written (no guesses), so a frame
without an annotation may still have scrolled by an amount that matched
nothing exactly. Output lines (FRAME 0-based, as in the importer's
--annotate-file):

    FRAME scroll X,Y,W,H 0,DY

X,Y,W,H is the source rectangle in the previous frame and DY the offset
(negative when the content moves up, as when reading down a page).
"""
import argparse
import collections
import subprocess
import sys

import numpy as np


def frames(capture, width, height):
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-i", capture, "-f", "rawvideo", "-pix_fmt", "bgr0", "-"],
                         stdout=subprocess.PIPE)
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


def longest_run(flags):
    best, start, cur = (0, 0), None, 0
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def find(prev, cur, min_rows, max_dy):
    h, w = cur.shape
    weights = np.random.default_rng(7).integers(1, 2**63, size=w, dtype=np.uint64) | np.uint64(1)
    hp = (prev.astype(np.uint64) * weights).sum(axis=1)
    hc = (cur.astype(np.uint64) * weights).sum(axis=1)
    plain_p = (prev == prev[:, :1]).all(axis=1)
    plain_c = (cur == cur[:, :1]).all(axis=1)
    where = collections.defaultdict(list)
    for y in range(h):
        if not plain_p[y] and len(where[hp[y]]) < 4:
            where[hp[y]].append(y)
    votes = collections.Counter()
    for y in range(h):
        if plain_c[y]:
            continue
        for y0 in where.get(hc[y], ()):
            if y0 != y and abs(y - y0) <= max_dy:
                votes[y - y0] += 1
    if not votes:
        return None
    dy, n = votes.most_common(1)[0]
    if n < min_rows:
        return None
    # exact block that moved by dy: cur[y + dy] == prev[y]
    if dy < 0:
        src, dst = prev[-dy:], cur[:h + dy]
        y_src0 = -dy
    else:
        src, dst = prev[:h - dy], cur[dy:]
        y_src0 = 0
    eq = src == dst
    best = None
    # Column sets tried: (a) all; (b) those that moved almost everywhere;
    # (c) those that moved in every row that mostly moved (this leaves out a
    # scrollbar whose thumb moves differently). Within each, the longest run
    # of rows that moved exactly, then the columns exact over those rows. The
    # largest exact block wins.
    mostly = eq.mean(axis=1) > 0.95
    cands = [np.ones(w, dtype=bool), eq.mean(axis=0) > 0.98]
    if mostly.any():
        cands.append(eq[mostly].all(axis=0))
    for cols in cands:
        c0, c1 = longest_run(cols)
        if c1 - c0 < 64:
            continue
        r0, r1 = longest_run(eq[:, c0:c1].all(axis=1))
        if r1 - r0 < min_rows:
            continue
        c0b, c1b = longest_run(eq[r0:r1].all(axis=0))
        if c1b - c0b < 64:
            continue
        area = (c1b - c0b) * (r1 - r0)
        if best is None or area > best[0]:
            best = (area, (c0b, y_src0 + r0, c1b - c0b, r1 - r0, dy))
    return best[1] if best else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--rect", required=True, help="X,Y,W,H of the window to search")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--min-rows", type=int, default=32)
    ap.add_argument("--max-dy", type=int, default=400)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sw, sh = (int(v) for v in a.size.split("x"))
    rx, ry, rw, rh = (int(v) for v in a.rect.split(","))
    out = []
    prev = None
    total = 0
    offsets = collections.Counter()
    for i, f in enumerate(frames(a.capture, sw, sh)):
        cur = f[ry:ry + rh, rx:rx + rw]
        total = i + 1
        if prev is not None and not np.array_equal(prev, cur):
            r = find(prev, cur, a.min_rows, a.max_dy)
            if r:
                x, y, w, h, dy = r
                out.append(f"{i} scroll {rx + x},{ry + y},{w},{h} 0,{dy}")
                offsets[dy] += 1
        prev = cur
    with open(a.out, "w") as fo:
        fo.write("\n".join(out) + ("\n" if out else ""))
    print(f"find_scrolls: {total} frames, {len(out)} scroll annotations -> {a.out}; offsets "
          + ", ".join(f"{d}:{n}" for d, n in sorted(offsets.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
