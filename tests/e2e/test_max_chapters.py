#!/usr/bin/env python3
"""Chapters each app can show (issue 14): by default one per paragraph up to the
format's hard limit (MP3, M4B, M4A 255; FLAC, Opus 999), grouped past it and
said on stderr; --max-chapters N groups into exactly N, a heading starting a
group. What the file holds is read back with ffprobe, mutagen and
`aloud --chapters`, and the summary line and --json say the same. Sidecars keep
every paragraph."""
import json
import os
import re

from aloudtest import (asan_build, case, CHAPTER_CAP, check, ffprobe, finish, FORMATS, mutagen,
                       mutagen_view, need, own_chapters, run, skip, tempdir, timeline, write)

need("ffprobe")
if asan_build():
    # Minutes of audio in six containers: the sanitizers check the same writers on
    # shorter texts in the other tests.
    skip("a long render in every format; not under ASan")
if mutagen() is None:
    skip("python3-mutagen is not installed")
OUT = tempdir()
FAST = ["-j", "2", "--loudness", "off", "--sentence-pause", "0", "--paragraph-pause", "0"]


def sectioned(count, every):
    """A title, then `count` short paragraphs of varied length, a heading before every
    `every` (a few minutes of speech: the test renders it a dozen times)."""
    parts = ["A Long Test of Chapters"]
    for i in range(count):
        if i % every == 0:
            parts.append("Section %d" % (i // every + 1))
        parts.append("Line %d%s." % (i + 1, " more" * (i % 4)))
    return write(OUT, "sectioned.txt", "\n\n".join(parts) + "\n")


def plain(count):
    """`count` short paragraphs of varied length, no heading."""
    parts = ["Item %d says%s." % (i + 1, " more" * (i % 4)) for i in range(count)]
    return write(OUT, "plain.txt", "\n\n".join(parts) + "\n")


def render(text, ext, extra=()):
    path = os.path.join(OUT, "%s.%s" % (os.path.basename(text)[:-4], ext))
    rc, out, err = run(FAST + ["-v", "--json", "--sidecars", "json"] + list(extra)
                       + ["-o", path, text])
    assert rc == 0, err[-800:]
    return path, json.loads(out.splitlines()[-1]), err


def read_back(path, expect, what):
    """Every reader sees `expect` chapters; returns aloud's own [(frame, title)]."""
    m = re.search(r"^aloud: wrote .*?, (\d+) chapters,", what[2], re.M)
    check(m and int(m.group(1)) == expect, "%s: the summary says %s chapters, expected %d"
          % (path, m and m.group(1), expect))
    check(what[1]["chapters"] == expect, "%s: --json says %d chapters" % (path, what[1]["chapters"]))
    check(len(timeline(what[2])) == expect, "%s: -v lists %d chapters" % (path, len(timeline(what[2]))))
    _, probed, _ = ffprobe(path)
    check(len(probed) == expect, "%s: ffprobe sees %d chapters, expected %d"
          % (path, len(probed), expect))
    own = own_chapters(path)
    check(own.get("chapter_count") == expect or (expect == 0 and "chapter_count" not in own),
          "%s: aloud --chapters reads %s, expected %d" % (path, own.get("chapter_count"), expect))
    if not path.endswith(".wav"):
        titles, _ = mutagen_view(path)
        check(len(titles) == expect, "%s: mutagen reads %d chapters, expected %d"
              % (path, len(titles), expect))
        check(titles == [t for _, t in own["chapters"]],
              "%s: mutagen's titles are aloud's" % path)
    # The chapters are where the render's timeline put them (-v), within a millisecond.
    marks = timeline(what[2])
    check(all(abs(f - m) <= 23 for (f, _), (m, _) in zip(own["chapters"], marks)),
          "%s: the chapters start where the timeline says" % path)
    return own["chapters"]


def sidecar_paragraphs(path):
    with open(path.rsplit(".", 1)[0] + ".json", encoding="utf-8") as f:
        return len(json.load(f)["paragraphs"])


def test_every_format_default_and_grouped():
    text = sectioned(400, 40)
    paragraphs = 400 + 10 + 1
    for ext in FORMATS:
        held = min(paragraphs, CHAPTER_CAP[ext])
        what = render(text, ext)
        read_back(what[0], held, what)
        said = re.search(r"^aloud: .*: %d paragraphs grouped into %d chapters" % (paragraphs, held),
                         what[2], re.M)
        check(bool(said) == (held < paragraphs), "%s: grouping is said on stderr when it happens"
              % ext)
        check(sidecar_paragraphs(what[0]) == paragraphs, "%s: the sidecar keeps every paragraph"
              % ext)
        # --max-chapters 50: fewer than the 11 sections' paragraphs, more than the sections:
        # every heading starts a chapter.
        what = render(text, ext, ["--max-chapters", "50"])
        chapters = read_back(what[0], 50, what)
        titles = [t for _, t in chapters]
        check(all("Section %d" % s in titles for s in range(1, 11)),
              "%s: every heading starts a chapter: %s" % (ext, titles[:12]))
        check(sidecar_paragraphs(what[0]) == paragraphs, "%s: the sidecar keeps every paragraph"
              % ext)


def test_fewer_chapters_than_sections_start_at_headings():
    text = sectioned(400, 40)
    what = render(text, "m4b", ["--max-chapters", "4"])
    chapters = read_back(what[0], 4, what)
    check(chapters[0][1] == "A Long Test of Chapters", "the first chapter is the title's")
    check(all(t.startswith("Section ") for _, t in chapters[1:]),
          "every later chapter starts at a heading: %s" % chapters)


def test_groups_of_about_equal_duration():
    text = plain(400)
    for ext in ("mp3", "flac"):
        what = render(text, ext, ["--max-chapters", "20"])
        chapters = read_back(what[0], 20, what)
        own = own_chapters(what[0])
        starts = [f for f, _ in chapters] + [own["frames"]]
        lengths = [b - a for a, b in zip(starts, starts[1:])]
        # Estimated before the render from the text: within a third of each other.
        check(max(lengths) < 1.35 * min(lengths),
              "%s: 20 groups of about equal duration: %s" % (ext, lengths))
        with open(what[0].rsplit(".", 1)[0] + ".json", encoding="utf-8") as f:
            paragraphs = json.load(f)["paragraphs"]
        by_start = {round(p["start"] * 22050): p["title"] for p in paragraphs}
        check(all(any(abs(f - s) <= 23 and by_start[s] == t for s in by_start)
                  for f, t in chapters),
              "%s: each group starts at a paragraph and is titled by it" % ext)


def test_bad_max_chapters():
    for bad in ("0", "-3", "x", ""):
        rc, _, err = run(["--max-chapters", bad, "-o", os.path.join(OUT, "x.mp3"),
                          sectioned(3, 2)])
        check(rc == 2 and "--max-chapters" in err, "--max-chapters %r refused: %s" % (bad, err))
    check(not os.path.exists(os.path.join(OUT, "x.mp3")), "nothing written")


case(test_every_format_default_and_grouped)
case(test_fewer_chapters_than_sections_start_at_headings)
case(test_groups_of_about_equal_duration)
case(test_bad_max_chapters)
finish()
