#!/usr/bin/env python3
"""Builds the EPUB files of the input corpus from texts that may be shared.

cc0.epub (EPUB 3, nav document): the Creative Commons CC0 1.0 legal code
(itself dedicated to the public domain), as Debian ships it in
/usr/share/common-licenses/CC0-1.0, a copy of which is cc0-1.0.txt here;
one content document per section, the last two sections in one document
with an anchor (so one TOC entry points inside a document).
harbour.epub (EPUB 2, NCX): the project's two sample articles (text/).

Run from this folder: python3 make_epubs.py. The output is deterministic
(fixed timestamps), so the committed files match what the script makes.
"""
import html
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2024, 1, 1, 0, 0, 0)


def paragraphs(text):
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


def xhtml(title, body):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
            f'<head><title>{html.escape(title)}</title></head><body>\n{body}\n</body></html>\n')


def write(path, files):
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("mimetype", STAMP)
        z.writestr(info, "application/epub+zip", zipfile.ZIP_STORED)
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, STAMP), data, zipfile.ZIP_DEFLATED)


CONTAINER = ('<?xml version="1.0"?>\n<container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
             '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             '</rootfiles></container>\n')


def opf(title, author, lang, items, spine, version, toc_attr=""):
    manifest = "".join(f'<item id="{i}" href="{h}" media-type="{t}"{p}/>\n'
                       for i, h, t, p in items)
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" '
            f'version="{version}" unique-identifier="id"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:aloud:{title}</dc:identifier>'
            f'<dc:title>{html.escape(title)}</dc:title><dc:creator>{html.escape(author)}</dc:creator>'
            f'<dc:language>{lang}</dc:language></metadata>\n<manifest>\n{manifest}</manifest>'
            f'<spine{toc_attr}>{refs}</spine></package>\n')


def cc0():
    text = open(os.path.join(HERE, "cc0-1.0.txt"), encoding="utf-8").read()
    lines = text.splitlines()
    # Sections: the statement of purpose, then "1. " ... "4. ".
    cuts = [i for i, l in enumerate(lines) if l.startswith("Statement of Purpose")
            or (len(l) > 3 and l[0].isdigit() and l[1:3] == ". ")]
    sections = []
    for k, start in enumerate(cuts):
        end = cuts[k + 1] if k + 1 < len(cuts) else len(lines)
        body = "\n".join(lines[start:end])
        first = lines[start]
        label = first if k == 0 else first.split(".")[0] + "." + first.split(".")[1] + "."
        sections.append((label.strip(), body))
    docs = []
    # Sections 1..3 one document each, 4 and 5 share the last one.
    for k, (label, body) in enumerate(sections[:-2]):
        ps = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs(body))
        docs.append((f"s{k}.xhtml", xhtml(label, ps), [(label, "")]))
    last = ""
    entries = []
    for k, (label, body) in enumerate(sections[-2:]):
        ps = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs(body))
        last += f'<section id="part{k}">{ps}</section>\n'
        entries.append((label, f"part{k}"))
    docs.append(("last.xhtml", xhtml("last", last), entries))
    # A cover page before the first TOC entry, and a footnote link.
    nav_items = "".join(
        f'<li><a href="{name}{"#" + frag if frag else ""}">{html.escape(label)}</a></li>'
        for name, _, es in docs for label, frag in es)
    nav = xhtml("Contents", '<nav epub:type="landmarks"><ol><li><a href="s0.xhtml">Start'
                '</a></li></ol></nav>'
                f'<nav epub:type="toc"><h1>Contents</h1><ol>{nav_items}</ol></nav>')
    items = [("nav", "nav.xhtml", "application/xhtml+xml", ' properties="nav"')]
    items += [(f"d{k}", name, "application/xhtml+xml", "") for k, (name, _, _) in enumerate(docs)]
    files = [("META-INF/container.xml", CONTAINER),
             ("OEBPS/content.opf", opf("CC0 1.0 Universal", "Creative Commons", "en", items,
                                       [f"d{k}" for k in range(len(docs))], "3.0"))]
    files.append(("OEBPS/nav.xhtml", nav))
    files += [(f"OEBPS/{name}", data) for name, data, _ in docs]
    write(os.path.join(HERE, "cc0.epub"), files)


def harbour():
    root = os.path.join(HERE, "..", "..", "..", "text")
    chapters = []
    for name in ("news.txt", "letter.txt"):
        ps = paragraphs(open(os.path.join(root, name), encoding="utf-8").read())
        title = ps[0]
        body = f"<h1>{html.escape(title)}</h1>\n" + "".join(
            f'<p>{html.escape(p)}<a epub:type="noteref" href="#n1">1</a></p>\n' if i == 1
            else f"<p>{html.escape(p)}</p>\n" for i, p in enumerate(ps[1:]))
        chapters.append((name.replace(".txt", ".html"), title, xhtml(title, body)))
    navpoints = "".join(
        f'<navPoint id="n{k}" playOrder="{k + 1}"><navLabel><text>{html.escape(t)}</text>'
        f'</navLabel><content src="text/{n}"/></navPoint>'
        for k, (n, t, _) in enumerate(chapters))
    ncx = ('<?xml version="1.0" encoding="utf-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"'
           f' version="2005-1"><head/><docTitle><text>Harbour</text></docTitle><navMap>{navpoints}'
           '</navMap></ncx>\n')
    items = [("ncx", "toc.ncx", "application/x-dtbncx+xml", "")]
    items += [(f"c{k}", f"text/{n}", "application/xhtml+xml", "") for k, (n, _, _) in
              enumerate(chapters)]
    files = [("META-INF/container.xml", CONTAINER),
             ("OEBPS/content.opf", opf("Harbour Town Stories", "Miriam Okafor", "en-GB", items,
                                       [f"c{k}" for k in range(len(chapters))], "2.0",
                                       ' toc="ncx"')),
             ("OEBPS/toc.ncx", ncx)]
    files += [(f"OEBPS/text/{n}", d) for n, _, d in chapters]
    write(os.path.join(HERE, "harbour.epub"), files)


if __name__ == "__main__":
    cc0()
    harbour()
    sys.exit(0)
