#!/usr/bin/env python3
"""More paragraphs than a format has chapters: the summary line, --json,
`-v`, ffprobe and `aloud --chapters` all report what the file holds. FLAC and
Opus group the 1,005 paragraphs into 999 chapters (CHAPTER001..999), MP3 and
M4B into 255 (one flat CTOC; the Nero chpl box); WAV holds all 1,005."""
import json
import os
import re

from aloudtest import (RATE, case, check, ffprobe, finish, need, own_chapters, run, tempdir,
                       timeline)

need("ffprobe")
OUT = tempdir()
PARAGRAPHS = 1005
FAST = ["--sentence-pause", "0", "--paragraph-pause", "0"]


def many(count, name):
    """A text of `count` one-word paragraphs."""
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write("\n\n".join(["A."] * count) + "\n")
    return path


def summary_chapters(stderr):
    m = re.search(r"^aloud: wrote .*?, (\d+) chapters, (\d+) sentences", stderr, re.M)
    assert m, stderr
    return int(m.group(1)), int(m.group(2))


def test_chapters_reported_are_chapters_held():
    text = many(PARAGRAPHS, "many.txt")
    for ext, held in (("flac", 999), ("opus", 999), ("wav", PARAGRAPHS), ("mp3", 255),
                      ("m4b", 255)):
        path = os.path.join(OUT, "many." + ext)
        rc, out, err = run(FAST + ["-v", "--json", "-o", path, text])
        if not check(rc == 0, "%s renders: %s" % (ext, err[-500:])):
            continue
        chapters, sentences = summary_chapters(err)
        check(chapters == held, "%s: the summary says %d chapters, the file holds %d"
              % (ext, chapters, held))
        check(sentences == PARAGRAPHS, "%s: the summary says %d sentences" % (ext, sentences))
        result = json.loads(out)
        check(result["chapters"] == held, "%s: --json says %d chapters, the file holds %d"
              % (ext, result["chapters"], held))
        marks = timeline(err)
        check(len(marks) == held, "%s: -v lists %d chapters" % (ext, len(marks)))
        _, probed, _ = ffprobe(path)
        check(len(probed) == held, "%s: ffprobe sees %d chapters, expected %d"
              % (ext, len(probed), held))
        own = own_chapters(path)
        check(own["chapter_count"] == held, "%s: --chapters reads %d chapters, expected %d"
              % (ext, own["chapter_count"], held))
        # The chapters are where the timeline put them (within 1 ms).
        check(all(abs(f - m) <= RATE // 1000 for (f, _), (m, _) in zip(own["chapters"], marks)),
              "%s: the chapters start where the timeline says" % ext)


case(test_chapters_reported_are_chapters_held)
finish()
