#!/usr/bin/env python3
"""Phone formats and sidecars end to end: Opus and MP3 renders carry one
titled chapter per paragraph (ffprobe and `aloud --chapters`), and every
sidecar agrees with the render's own timeline."""
import json
import os
import re

from aloudtest import (RATE, case, check, ffprobe, finish, need, own_chapters, run, samples,
                       segmentation, tempdir, timeline)

need("ffprobe")
OUT = tempdir()


def test_opus_and_mp3_chapters():
    text = samples()[0]
    paragraphs = segmentation(text)
    for ext in ("opus", "mp3"):
        path = os.path.join(OUT, "phone." + ext)
        rc, _, err = run(["-v", "-o", path, text])
        check(rc == 0, "%s renders: %s" % (ext, err))
        marks = timeline(err)
        _, chapters, tags = ffprobe(path)
        check(len(chapters) == len(paragraphs), "%s: ffprobe sees %d chapters for %d paragraphs"
              % (ext, len(chapters), len(paragraphs)))
        for (start, title), (frame, want) in zip(chapters, marks):
            check(title == want, "%s: title %r, expected %r" % (ext, title, want))
            check(abs(start - frame / RATE) <= 0.0006, "%s: '%s' at %.4f s, timeline %.4f s"
                  % (ext, title, start, frame / RATE))
        own = own_chapters(path)
        check(own["format"].startswith(ext), "%s: --chapters names the format: %s"
              % (ext, own["format"]))
        check([t for _, t in own["chapters"]] == [t for _, t in marks],
              "%s: --chapters titles" % ext)
        check(all(abs(f - m) <= RATE // 1000 for (f, _), (m, _) in zip(own["chapters"], marks)),
              "%s: --chapters positions within 1 ms" % ext)
        check(tags.get("title") == own.get("title"), "%s: title tag" % ext)


def cue_times(text):
    """[(title, seconds)] from a cue sheet's TRACK/TITLE/INDEX 01 lines."""
    tracks, title = [], None
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r'TITLE "(.*)"$', line)
        if m:
            title = m.group(1)
        m = re.match(r"INDEX 01 (\d+):(\d\d):(\d\d)$", line)
        if m:
            mm, ss, ff = map(int, m.groups())
            tracks.append((title, mm * 60 + ss + ff / 75))
    return tracks


def test_sidecars_agree_with_the_timeline():
    text = samples()[0]
    path = os.path.join(OUT, "side.wav")
    rc, _, err = run(["-v", "--sidecars", "cue,vtt,srt,lrc,json", "-o", path, text])
    check(rc == 0, "render with sidecars: " + err)
    marks = timeline(err)
    stem = os.path.join(OUT, "side")
    for ext in ("cue", "vtt", "srt", "lrc", "json"):
        check(os.path.isfile(stem + "." + ext), "%s written beside the audio" % ext)
    paragraphs = segmentation(text)
    sentences = [s for p in paragraphs for s in p]

    with open(stem + ".json", encoding="utf-8") as f:
        manifest = json.load(f)
    check(manifest["output"].endswith("side.wav") and manifest["format"] == "wav", "manifest head")
    check(len(manifest["paragraphs"]) == len(marks), "manifest paragraphs")
    for p, (frame, title) in zip(manifest["paragraphs"], marks):
        check(p["title"] == title, "manifest title %r" % p["title"])
        check(abs(p["start"] - frame / RATE) <= 0.0005, "manifest start %.3f vs %.4f"
              % (p["start"], frame / RATE))
    check([s["text"] for p in manifest["paragraphs"] for s in p["sentences"]] == sentences,
          "manifest sentences are the sentences as written")
    own = own_chapters(path)
    check(abs(manifest["duration"] - own["frames"] / RATE) <= 0.0005, "manifest duration")

    with open(stem + ".cue", encoding="utf-8") as f:
        cue = f.read()
    check('FILE "side.wav" WAVE' in cue, "cue names the audio file")
    tracks = cue_times(cue)
    check([t for t, _ in tracks] == [t for _, t in marks], "cue titles")
    check(all(0 <= frame / RATE - sec < 1 / 75 + 1e-9 for (_, sec), (frame, _) in zip(tracks, marks)),
          "cue INDEX 01 within one CD frame before each chapter")

    with open(stem + ".srt", encoding="utf-8") as f:
        srt = f.read()
    check(srt.count(" --> ") == len(sentences), "one srt caption per sentence")
    with open(stem + ".vtt", encoding="utf-8") as f:
        vtt = f.read()
    check(vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(sentences),
          "one vtt cue per sentence")
    with open(stem + ".lrc", encoding="utf-8") as f:
        lrc = [line for line in f.read().splitlines() if re.match(r"\[\d+:\d\d\.\d\d\]", line)]
    check(len(lrc) == len(sentences), "one lrc line per sentence")


case(test_opus_and_mp3_chapters)
case(test_sidecars_agree_with_the_timeline)
finish()
