#!/usr/bin/env python3
"""The GPL-3 (122 paragraphs) in every format: one chapter per paragraph, read
back alike by ffprobe, mutagen and `aloud --chapters`, and --max-chapters 30
in the formats that group (issue 14). At the fastest rate, so the six renders
take minutes, not a quarter of an hour."""
import json
import os

from aloudtest import (asan_build, case, check, ffprobe, finish, FORMATS, mutagen, mutagen_view,
                       need, own_chapters, run, skip, tempdir)

need("ffprobe")
if asan_build():
    # Minutes of audio in six containers: the sanitizers check the same writers on
    # shorter texts in the other tests.
    skip("a long render in every format; not under ASan")
if mutagen() is None:
    skip("python3-mutagen is not installed")
GPL = "/usr/share/common-licenses/GPL-3"
if not os.path.exists(GPL):
    skip("no " + GPL)
OUT = tempdir()
FAST = ["-j", "2", "--loudness", "off", "--rate", "450", "--sentence-pause", "0",
        "--paragraph-pause", "100"]


def test_every_format():
    paragraphs = None
    for ext in FORMATS:
        for extra, name in (([], "gpl"), (["--max-chapters", "30"], "gpl30")):
            if extra and ext in ("wav", "opus"):
                continue  # the grouping is the same code for every format; keep it short
            path = os.path.join(OUT, "%s.%s" % (name, ext))
            rc, out, err = run(FAST + ["--json", "--sidecars", "json"] + extra + ["-o", path, GPL])
            if not check(rc == 0, "%s renders: %s" % (path, err[-400:])):
                continue
            if paragraphs is None:
                with open(path.rsplit(".", 1)[0] + ".json", encoding="utf-8") as f:
                    paragraphs = len(json.load(f)["paragraphs"])
                check(paragraphs == 122, "the GPL-3 has %d paragraphs" % paragraphs)
            expect = 30 if extra else paragraphs
            check(json.loads(out)["chapters"] == expect, "%s: --json says %d" % (path, expect))
            _, probed, _ = ffprobe(path)
            own = own_chapters(path)
            check(len(probed) == expect, "%s: ffprobe sees %d, expected %d"
                  % (path, len(probed), expect))
            check(own["chapter_count"] == expect, "%s: aloud --chapters reads %d"
                  % (path, own["chapter_count"]))
            check([t for _, t in probed] == [t for _, t in own["chapters"]],
                  "%s: ffprobe's titles are aloud's" % path)
            if ext != "wav":
                titles, _ = mutagen_view(path)
                check(titles == [t for _, t in own["chapters"]],
                      "%s: mutagen reads the same %d chapters (%d)" % (path, expect, len(titles)))


case(test_every_format)
finish()
