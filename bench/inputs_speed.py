#!/usr/bin/env python3
"""What reading a web page or an EPUB costs next to rendering it.

Builds, in a temporary folder, a 1 MB web page (the paragraphs of
tests/data/inputs/cc0.html, repeated inside the page's own boilerplate) and
a 5 MB EPUB (chapters of the GPL-3 text, each its own content document), and
for each times, in rounds:
- parse: `aloud --sentences FILE` (read, parse, find the text, segment);
- the same text as plain text: `aloud --sentences FILE.txt`;
- render: aloud to WAV of a 100 KB slice of the text, and espeak-ng on the
  same slice in the same round.
A render is linear in the text, so the full render time is the slice's
times the text's size over the slice's: the front end's share is
(parse - plain parse) / full render, and parse / full render counts the
segmentation too. Medians over rounds.

    bench/inputs_speed.py [--aloud build/aloud] [--runs 3]
"""
import argparse
import html
import io
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "inputs")


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def make_page(folder):
    page = open(os.path.join(DATA, "cc0.html"), encoding="utf-8").read()
    paras = re.findall(r"<p>.*?</p>", page, re.S)
    body = "".join(paras)
    reps = (1 << 20) // len(body.encode()) + 1
    big = page.replace(body, "".join(f"<h2>Part {i + 1}</h2>" + body for i in range(reps)), 1)
    path = os.path.join(folder, "big.html")
    open(path, "w", encoding="utf-8").write(big)
    return path


def make_epub(folder):
    gpl = open("/usr/share/common-licenses/GPL-3", encoding="utf-8").read()
    ps = [" ".join(p.split()) for p in gpl.split("\n\n") if p.strip()]
    chapter = "".join(f"<p>{html.escape(p)}</p>\n" for p in ps)
    path = os.path.join(folder, "big.epub")
    n = 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml",
                   '<container><rootfiles><rootfile full-path="content.opf"/></rootfiles>'
                   '</container>')
        items, refs, nav = [], [], []
        while buf.tell() < 5 << 20:
            name = f"c{n}.xhtml"
            z.writestr(name, f"<html><body><h1>Chapter {n + 1}</h1>{chapter}</body></html>")
            items.append(f'<item id="c{n}" href="{name}" media-type="application/xhtml+xml"/>')
            refs.append(f'<itemref idref="c{n}"/>')
            nav.append(f'<li><a href="{name}">Chapter {n + 1}</a></li>')
            n += 1
        z.writestr("nav.xhtml", '<html><body><nav epub:type="toc"><ol>' + "".join(nav) +
                   "</ol></nav></body></html>")
        z.writestr("content.opf",
                   '<package><metadata><dc:title>Big</dc:title></metadata><manifest>'
                   '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
                   'properties="nav"/>' + "".join(items) + "</manifest><spine>" +
                   "".join(refs) + "</spine></package>")
    open(path, "wb").write(buf.getvalue())
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aloud", default=os.path.join(HERE, "..", "build", "aloud"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="aloud-inputs-")
    try:
        for path in (make_page(folder), make_epub(folder)):
            text = subprocess.run([args.aloud, "--sentences", path], check=True,
                                  capture_output=True).stdout
            plain = path + ".txt"
            open(plain, "wb").write(text)
            slice_path = os.path.join(folder, "slice.txt")
            cut = text[:100 * 1024]
            cut = cut[:cut.rfind(b"\n\n")]
            open(slice_path, "wb").write(cut)
            rows = {"parse": [], "plain": [], "render": [], "espeak": []}
            for _ in range(args.runs):
                rows["parse"].append(timed([args.aloud, "--sentences", path]))
                rows["plain"].append(timed([args.aloud, "--sentences", plain]))
                out = os.path.join(folder, "slice.wav")
                rows["render"].append(timed([args.aloud, "-q", slice_path, "-o", out]))
                os.unlink(out)
                rows["espeak"].append(timed(["espeak-ng", "-v", "en-us", "-f", slice_path,
                                             "-w", out]))
                os.unlink(out)
            med = {k: statistics.median(v) for k, v in rows.items()}
            scale = len(text) / len(cut)
            full = med["render"] * scale
            print(f"{os.path.basename(path)}: {os.path.getsize(path) / 1e6:.2f} MB, "
                  f"{len(text) / 1e6:.2f} MB of text")
            print(f"  parse (--sentences)       {med['parse']:.3f} s")
            print(f"  same text as plain text   {med['plain']:.3f} s")
            print(f"  render of a {len(cut) // 1024} KB slice  {med['render']:.2f} s "
                  f"(espeak-ng {med['espeak']:.2f} s, ratio {med['render'] / med['espeak']:.2f})")
            print(f"  full render (scaled)      {full:.1f} s")
            print(f"  front end's share         {100 * (med['parse'] - med['plain']) / full:.2f} %"
                  f" of the render; with segmentation {100 * med['parse'] / full:.2f} %")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
