#!/usr/bin/python3
"""Write the long local HTML document that the browser-scroll scenario shows.

    /usr/bin/python3 corpus/make_page.py OUT.html

Real text only: the licence texts in /usr/share/common-licenses (always on
Debian, package base-files) become headed sections of paragraphs; between them
come tables (per-licence statistics, a word-frequency table), coloured call-out
boxes, a colour-swatch strip and a preformatted block. The page scrolls itself:
window.scrollTo(0, SPEED * seconds since START) on every animation frame, with
SPEED (CSS px/s) from the query string (?speed=...) and START either from the
query string (?start=EPOCH_MS) or, without it, 0.2 s after the first mouse
click on the page (the recording script clicks once the capture runs).
"""
import collections
import html
import os
import re
import sys

LIC_DIR = "/usr/share/common-licenses"
ORDER = ["GPL-3", "Apache-2.0", "MPL-2.0", "LGPL-2.1", "Artistic", "BSD", "CC0-1.0", "GFDL-1.3"]

CSS = """
body { font-family: 'DejaVu Sans', 'Liberation Sans', sans-serif; font-size: 16px; line-height: 1.5;
       margin: 0; background: #fafafa; color: #222; }
header { background: #24476b; color: #fff; padding: 18px 48px; }
header h1 { margin: 0; font-size: 30px; }
header p { margin: 4px 0 0 0; color: #cfe0f2; }
main { max-width: 860px; margin: 0 auto; padding: 12px 48px 400px 48px; background: #fff;
       box-shadow: 0 0 6px rgba(0,0,0,.15); }
h2 { color: #24476b; border-bottom: 2px solid #d8e2ec; padding-bottom: 4px; margin-top: 40px; }
h3 { color: #3a5f85; }
p { text-align: justify; }
table { border-collapse: collapse; margin: 18px 0; width: 100%; font-size: 14px; }
th { background: #3a5f85; color: #fff; text-align: left; padding: 6px 10px; }
td { border: 1px solid #d0d7de; padding: 5px 10px; }
tr:nth-child(even) td { background: #f1f5f9; }
td.num { text-align: right; font-family: 'DejaVu Sans Mono', monospace; }
.box { border-radius: 6px; padding: 12px 18px; margin: 20px 0; border-left: 8px solid; }
.note { background: #e7f3ff; border-color: #2f80ed; }
.warn { background: #fff4e5; border-color: #f2994a; }
.ok { background: #e9f7ef; border-color: #27ae60; }
.err { background: #fdecea; border-color: #eb5757; }
.swatches { display: flex; gap: 8px; margin: 20px 0; }
.swatches div { flex: 1; height: 56px; border-radius: 4px; color: #fff; font-size: 12px;
                display: flex; align-items: flex-end; padding: 4px; }
pre { background: #272822; color: #f8f8f2; padding: 14px; border-radius: 6px; font-size: 13px;
      overflow: hidden; }
.toc { columns: 2; }
"""

JS = """
(function () {
  var q = new URLSearchParams(location.search);
  var speed = parseFloat(q.get('speed') || '240');
  var start = parseFloat(q.get('start') || '0') || null;
  // without ?start=, scrolling starts 0.2 s after the first click on the page
  document.addEventListener('mousedown', function () { if (!start) start = Date.now() + 200; });
  function step() {
    var t = start ? (Date.now() - start) / 1000 : 0;
    window.scrollTo(0, t > 0 ? Math.round(speed * t) : 0);
    requestAnimationFrame(step);
  }
  requestAnimationFrame(step);
})();
"""

SWATCHES = ["#eb5757", "#f2994a", "#f2c94c", "#27ae60", "#2d9cdb", "#2f80ed", "#9b51e0", "#4f4f4f"]
BOXES = [("note", "Note"), ("warn", "Caution"), ("ok", "Summary"), ("err", "Important")]


def paragraphs(text):
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        if block:
            yield block


def main():
    out = sys.argv[1]
    names = [n for n in ORDER if os.path.exists(os.path.join(LIC_DIR, n))]
    texts = {n: open(os.path.join(LIC_DIR, n), encoding="utf-8", errors="replace").read() for n in names}
    words = collections.Counter(w.lower() for t in texts.values() for w in re.findall(r"[A-Za-z]{4,}", t))
    h = []
    h.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Free software licences - reading copy</title>")
    h.append(f"<style>{CSS}</style></head><body>")
    h.append("<header><h1>Free software licences</h1><p>A reading copy of the licence texts shipped in "
             f"{LIC_DIR}, with statistics</p></header><main>")
    h.append("<h2>Contents</h2><ol class='toc'>" + "".join(f"<li>{html.escape(n)}</li>" for n in names) + "</ol>")
    h.append("<table><tr><th>Licence</th><th>Lines</th><th>Words</th><th>Bytes</th><th>Paragraphs</th></tr>")
    for n in names:
        t = texts[n]
        h.append(f"<tr><td>{html.escape(n)}</td><td class='num'>{t.count(chr(10))}</td>"
                 f"<td class='num'>{len(t.split())}</td><td class='num'>{len(t.encode())}</td>"
                 f"<td class='num'>{sum(1 for _ in paragraphs(t))}</td></tr>")
    h.append("</table>")
    h.append("<div class='swatches'>" + "".join(f"<div style='background:{c}'>{c}</div>" for c in SWATCHES) + "</div>")
    for i, n in enumerate(names):
        h.append(f"<h2>{i + 1}. {html.escape(n)}</h2>")
        kind, label = BOXES[i % len(BOXES)]
        paras = list(paragraphs(texts[n]))
        first = paras[0] if paras else ""
        h.append(f"<div class='box {kind}'><b>{label}:</b> {html.escape(first[:400])}</div>")
        for j, p in enumerate(paras[1:80]):
            if len(p) < 70 and p.upper() == p:
                h.append(f"<h3>{html.escape(p.title())}</h3>")
            else:
                h.append(f"<p>{html.escape(p)}</p>")
            if j == 12:
                top = words.most_common(60)[i * 6:i * 6 + 6]
                h.append("<table><tr><th>Word</th><th>Count in all licences</th><th>Share</th></tr>")
                tot = sum(words.values())
                for w, c in top:
                    h.append(f"<tr><td>{w}</td><td class='num'>{c}</td><td class='num'>{100 * c / tot:.2f}%</td></tr>")
                h.append("</table>")
            if j == 25:
                lines = texts[n].splitlines()[:14]
                h.append("<pre>" + html.escape("\n".join(lines)) + "</pre>")
        h.append("<div class='swatches'>" + "".join(
            f"<div style='background:{c}'>{n}</div>" for c in SWATCHES[i % 4:] + SWATCHES[:i % 4]) + "</div>")
    h.append(f"</main><script>{JS}</script></body></html>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(h))


if __name__ == "__main__":
    main()
