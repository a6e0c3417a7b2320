#!/usr/bin/env python3
"""Markdown, HTML and EPUB inputs from the command line: what is read and
what is not (boilerplate), --sentences and --speak-text on every kind, chapters
from an EPUB's table of contents read back with ffprobe, and bad input of each
kind refused with exit 2, one line naming the file and no output."""
import io
import os
import zipfile

from aloudtest import SOURCE_DIR, case, check, finish, ffprobe, need, run, tempdir

INPUTS = os.path.join(SOURCE_DIR, "tests", "data", "inputs")

# Text of each page that must never be read: navigation, banners, buttons,
# boxes, comments, footers, scripts, captions, footnote and heading links.
BOILERPLATE = {
    "news.html": ["Home", "Sport", "Contact us", "Search the site", "cookies", "Accept all",
                  "Manage preferences", "Share on", "Email this story", "morning briefing",
                  "Sign up", "Subscribe", "Related stories", "Council approves", "comments",
                  "Great article", "Leave a comment", "All rights reserved", "Privacy policy",
                  "Tracking pixel", "dataLayer", "tide mill at dusk", "[1]", "font-family"],
    "letter.html": ["Archive", "About me", "Posts from", "retired keeper", "Share on",
                    "All rights reserved", "Powered by", "Notes from the Coast"],
    "cc0.html": ["Licences", "Table of contents", "Show source", "Built with", "Last updated",
                 "\u00b6"],
    "libffi-the-basics.html": ["Next:", "Previous:", "Up:", "Contents"],
    "vorbis-stereo.html": ["Fish Logo", "All rights reserved", "1994"],
}
# ...and text that must be read.
MAIN_TEXT = {
    "news.html": ["Harbour Town Votes to Rebuild Its Old Tide Mill", "By Miriam Okafor",
                  "grinding flour for the first time"],
    "letter.html": ["A Letter from the Lighthouse", "Dear Tom,", "With love from the rock"],
    "cc0.html": ["CC0 1.0 Universal", "Statement of Purpose", "d. Affirmer understands"],
    "libffi-the-basics.html": ["create an ffi_cif object"],
    "vorbis-stereo.html": ["Ogg Vorbis stereo-specific channel coupling discussion",
                           "Phase stereo"],
}


def sentences(path, *extra):
    rc, out, err = run(["--sentences", path] + list(extra))
    check(rc == 0, "%s: --sentences exit %d (%s)" % (path, rc, err))
    return out


def test_boilerplate_not_read():
    for name, phrases in BOILERPLATE.items():
        out = sentences(os.path.join(INPUTS, name))
        for p in phrases:
            check(p not in out, "%s: boilerplate %r was read" % (name, p))
        for p in MAIN_TEXT.get(name, []):
            check(p in out, "%s: main text %r was not read" % (name, p))


def test_every_kind_prints_sentences_and_spoken_text():
    for name in ["zstd-README.md", "news.html", "letter.html", "cc0.epub", "harbour.epub"]:
        path = os.path.join(INPUTS, name)
        written = sentences(path)
        rc, spoken, err = run(["--speak-text", path])
        check(rc == 0, "%s: --speak-text exit %d (%s)" % (name, rc, err))
        check(len(written.split("\n")) == len(spoken.split("\n")),
              "%s: --speak-text has one line per sentence of --sentences" % name)
        check(len(written) > 200, "%s: sentences were read" % name)


def test_markdown_reads_words_not_markup():
    out = sentences(os.path.join(INPUTS, "zstd-README.md"))
    check("Zstandard, or zstd as short version, is a fast lossless compression algorithm" in out,
          "markdown: emphasis and code marks gone")
    check("Huff0 and FSE library" in out and "github.com" not in out,
          "markdown: a link's text is read, its address not")
    check("zstd_logo86" not in out and "<p" not in out, "markdown: HTML blocks are skipped")
    rc, _, err = run(["-v", "--sentences", os.path.join(INPUTS, "zstd-README.md")])
    check(rc == 0 and "markdown: skipped" in err and "code block" in err,
          "markdown: -v counts what was skipped (%s)" % err)


def test_stdin_and_from():
    with open(os.path.join(INPUTS, "news.html"), "rb") as f:
        page = f.read()
    rc, out, err = run(["--from", "html", "--sentences", "-"], stdin=page)
    check(rc == 0 and "By Miriam Okafor" in out and "Accept all" not in out,
          "--from html reads standard input as a page (%s)" % err)
    # Without --from, a page on standard input is text: the tags are read.
    rc, out, _ = run(["--sentences", "-"], stdin=page)
    check(rc == 0 and "<" in out, "standard input is text without --from")
    # --from wins over the extension.
    d = tempdir()
    md = os.path.join(d, "notes.txt")
    with open(md, "w") as f:
        f.write("# Notes\n\nSome **bold** words.\n")
    check("Some bold words." in sentences(md, "--from", "markdown"), "--from markdown on .txt")
    rc, _, err = run(["--from", "pdf", "--sentences", md])
    check(rc == 2 and "unknown input kind 'pdf'" in err, "--from with an unknown kind: %s" % err)


def test_epub_chapters_from_toc():
    need("ffprobe")
    d = tempdir()
    out = os.path.join(d, "cc0.mp3")
    rc, _, err = run([os.path.join(INPUTS, "cc0.epub"), "-o", out, "-q"])
    check(rc == 0, "cc0.epub renders (%s)" % err)
    duration, chapters, tags = ffprobe(out)
    titles = [t for _, t in chapters]
    check(titles == ["Statement of Purpose", "1. Copyright and Related Rights.", "2. Waiver.",
                     "3. Public License Fallback.", "4. Limitations and Disclaimers."],
          "one chapter per TOC entry, titled with its label: %r" % titles)
    check(tags.get("title") == "CC0 1.0 Universal" and tags.get("artist") == "Creative Commons",
          "title and author from the OPF: %r" % tags)
    starts = [s for s, _ in chapters]
    check(starts == sorted(starts) and starts[0] == 0 and starts[-1] < duration,
          "chapters in order within the audio")


def expect_refused(path, message, *extra):
    d = os.path.dirname(path)
    before = sorted(os.listdir(d))
    out = os.path.join(d, "out.flac")
    rc, stdout, err = run([path, "-o", out] + list(extra))
    lines = err.strip().split("\n")
    check(rc == 2, "%s: exit %d, expected 2 (%s)" % (path, rc, err.strip()))
    check(len(lines) == 1 and lines[0].startswith("aloud: error: " + path),
          "%s: one error line naming the file: %r" % (path, err))
    check(message in err, "%s: %r not in %r" % (path, message, err))
    check(sorted(os.listdir(d)) == before, "%s: no output left" % path)


def zip_bytes(files, stored=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def epub_files(extra=(), spine_missing=False):
    with zipfile.ZipFile(os.path.join(INPUTS, "harbour.epub")) as z:
        files = [(n, z.read(n)) for n in z.namelist()]
    if spine_missing:
        files = [(n, b) for n, b in files if not n.endswith("letter.html")]
    return files + list(extra)


def test_bad_inputs_refused():
    d = tempdir()

    def put(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    expect_refused(put("text.epub", b"This is plain text, not a book.\n"), "not a zip file")
    expect_refused(put("other.epub", zip_bytes([("readme.txt", b"hello")])),
                   "no META-INF/container.xml")
    expect_refused(put("nospine.epub", zip_bytes(epub_files(spine_missing=True))),
                   "is missing from the book")
    drm = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
           'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
           '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
           '<enc:CipherData><enc:CipherReference URI="OEBPS/text/news.html"/></enc:CipherData>'
           '</enc:EncryptedData></encryption>')
    expect_refused(put("drm.epub", zip_bytes(epub_files([("META-INF/encryption.xml", drm)]))),
                   "DRM-protected")
    # 64 MB of zeros packs into about 64 KB: refused at the cap, not unpacked whole.
    bomb = zip_bytes(epub_files([("OEBPS/text/bomb.html", b"\0" * (64 << 20))]))
    bomb_path = put("bomb.epub", bomb)
    check(os.path.getsize(bomb_path) < 1 << 20, "the bomb is small")
    # The bomb is reached only when read: make the spine name it.
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        files = [(n, z.read(n)) for n in z.namelist()]
    files = [(n, b.replace(b'<itemref idref="c1"/>', b'<itemref idref="c1"/><itemref idref="b"/>')
              .replace(b"</manifest>", b'<item id="b" href="text/bomb.html" '
                                       b'media-type="application/xhtml+xml"/></manifest>')
              if n.endswith(".opf") else b) for n, b in files]
    expect_refused(put("bomb2.epub", zip_bytes(files)), "unpacks to more than 48 MB")
    expect_refused(put("charset.html", b"<meta charset=x-nonesuch><p>Some words here.</p>"),
                   "x-nonesuch")
    expect_refused(put("bad.html", b"<meta charset=utf-8>\n<p>ab\xc3(</p>"),
                   ":2:6: invalid UTF-8")
    expect_refused(put("binary.html", b"<p>text</p>\0\0\0binary"), "binary file")
    expect_refused(put("nav.html", b"<nav><a href=/>Home</a></nav><script>x()</script>"),
                   "no words to read")
    expect_refused(put("bad.md", b"# Title\n\nSome \xff words.\n"), ":3:6: invalid UTF-8")
    expect_refused(put("code.md", b"```\ncode only\n```\n"), "no words to read")


def test_broken_html_is_read_as_browsers_do():
    d = tempdir()
    path = os.path.join(d, "broken.html")
    with open(path, "wb") as f:
        f.write(b"<html><body><div><p>First paragraph, never closed, and long enough to count."
                b"<p>Second <b>bold <i>nested</b> wrongly</i> paragraph, also long enough."
                b"</div></span></table><p>Third after stray end tags, of decent length too.")
    out = sentences(path)
    check(out == "First paragraph, never closed, and long enough to count.\n\n"
                 "Second bold nested wrongly paragraph, also long enough.\n\n"
                 "Third after stray end tags, of decent length too.\n",
          "tag soup gives the browsers' paragraphs: %r" % out)


case(test_boilerplate_not_read)
case(test_every_kind_prints_sentences_and_spoken_text)
case(test_markdown_reads_words_not_markup)
case(test_stdin_and_from)
case(test_epub_chapters_from_toc)
case(test_bad_inputs_refused)
case(test_broken_html_is_read_as_browsers_do)
finish()
