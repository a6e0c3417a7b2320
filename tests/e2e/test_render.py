#!/usr/bin/env python3
"""End-to-end renders of the sample articles (and the seed article when
../shared exists) to WAV and FLAC: one chapter per paragraph at the exact
frame the render's timeline says, with the paragraph's title, read back by
ffprobe, metaflac and `aloud --chapters`; pauses exact silence; the length
close to what the espeak-ng program makes of the same text."""
import os
import subprocess

from aloudtest import (RATE, case, check, ffprobe, finish, need, own_chapters, run, samples,
                       segmentation, tempdir, timeline, wav_duration, wav_frames)

need("ffprobe")
need("metaflac")

SENTENCE_PAUSE_MS = 250
PARAGRAPH_PAUSE_MS = 800
OUT = tempdir()


def render(text, ext, extra=()):
    stem = os.path.splitext(os.path.basename(text))[0]
    path = os.path.join(OUT, stem + "." + ext)
    rc, out, err = run(["-v", "--sentence-pause", str(SENTENCE_PAUSE_MS),
                        "--paragraph-pause", str(PARAGRAPH_PAUSE_MS), "-o", path, text] +
                       list(extra))
    assert rc == 0, "render of %s failed: %s" % (text, err)
    check(out == "", "render prints nothing on stdout")
    return path, timeline(err)


def check_chapters(text, path, marks):
    """Chapters as read back agree with the timeline, frame for frame."""
    name = os.path.basename(path)
    paragraphs = segmentation(text)
    check(len(marks) == len(paragraphs),
          "%s: %d chapters in the timeline for %d paragraphs" % (name, len(marks), len(paragraphs)))
    check(marks and marks[0][0] == 0, "%s: the first chapter starts at frame 0" % name)
    check(all(a[0] < b[0] for a, b in zip(marks, marks[1:])), "%s: chapters ascend" % name)

    own = own_chapters(path)
    check(own["chapters"] == marks, "%s: aloud --chapters reads back the timeline:\n%s\n%s"
          % (name, own["chapters"], marks))

    duration, chapters, tags = ffprobe(path)
    check(len(chapters) == len(marks), "%s: ffprobe sees %d chapters, expected %d"
          % (name, len(chapters), len(marks)))
    for (start, title), (frame, want) in zip(chapters, marks):
        check(abs(start - frame / RATE) <= 0.0006,
              "%s: ffprobe chapter '%s' at %.4f s, timeline %.4f s" % (name, title, start,
                                                                       frame / RATE))
        check(title == want, "%s: ffprobe title %r, expected %r" % (name, title, want))
    check(abs(duration - own["frames"] / RATE) < 0.01,
          "%s: ffprobe duration %.3f vs %d frames" % (name, duration, own["frames"]))
    check(tags.get("title") == own.get("title"), "%s: title tag %r vs %r"
          % (name, tags.get("title"), own.get("title")))
    return own


def check_flac_metadata(path, marks):
    """metaflac: the cuesheet before the comments, both numbered from 1."""
    listing = subprocess.run(["metaflac", "--list", path], capture_output=True, text=True).stdout
    types = [line.split(":", 1)[1].strip() for line in listing.splitlines()
             if line.startswith("  type:")]
    if len(marks) <= 254:
        check("CUESHEET" in " ".join(types), "%s has a CUESHEET" % path)
        check(" ".join(types).find("CUESHEET") < " ".join(types).find("VORBIS_COMMENT"),
              "CUESHEET comes before VORBIS_COMMENT: %s" % types)
        sheet = subprocess.run(["metaflac", "--export-cuesheet-to=-", path], capture_output=True,
                               text=True).stdout
        # Non-CD sheets index tracks in samples: "INDEX 01 123456".
        offsets = [int(line.split()[-1]) for line in sheet.splitlines()
                   if line.strip().startswith("INDEX 01")]
        check(offsets == [f for f, _ in marks], "cuesheet offsets %s match the timeline %s"
              % (offsets, [f for f, _ in marks]))
    tags = subprocess.run(["metaflac", "--export-tags-to=-", path], capture_output=True,
                          text=True).stdout.splitlines()
    for i, (frame, title) in enumerate(marks[:999], 1):
        ms = round(frame * 1000 / RATE)
        stamp = "%02d:%02d:%02d.%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)
        check("CHAPTER%03d=%s" % (i, stamp) in tags, "CHAPTER%03d=%s in %s" % (i, stamp, path))
        check("CHAPTER%03dNAME=%s" % (i, title) in tags, "CHAPTER%03dNAME=%s" % (i, title))


def check_pauses(path, text, marks):
    """The paragraph pause before each chapter is exact digital silence."""
    samples = wav_frames(path)
    pause = PARAGRAPH_PAUSE_MS * RATE // 1000
    for frame, title in marks[1:]:
        gap = samples[frame - pause:frame]
        check(len(gap) == pause and not any(gap),
              "%s: %d frames of silence before chapter '%s'" % (path, pause, title))
    # The render ends with the paragraph pause after the last sentence, too.
    check(not any(samples[-pause:]), "%s ends with the paragraph pause" % path)


def test_samples():
    texts = samples()
    check(len(texts) >= 2, "at least two sample texts")
    for text in texts:
        wav, wav_marks = render(text, "wav")
        flac, flac_marks = render(text, "flac")
        check(wav_marks == flac_marks, "%s: WAV and FLAC share one timeline" % text)
        own_wav = check_chapters(text, wav, wav_marks)
        own_flac = check_chapters(text, flac, flac_marks)
        check(own_wav["frames"] == own_flac["frames"], "%s: WAV and FLAC are equally long" % text)
        check(own_wav.get("software", "").startswith("aloud "), "software tag in WAV")
        check(own_flac.get("software", "").startswith("aloud "), "software tag in FLAC")
        check_flac_metadata(flac, flac_marks)
        check_pauses(wav, text, wav_marks)


def test_duration_close_to_espeak():
    """On defaults, a render lasts about as long as espeak-ng's own reading."""
    need("espeak-ng")
    for text in samples():
        ours = os.path.join(OUT, "default.wav")
        rc, _, err = run(["-q", "-o", ours, text])
        assert rc == 0, err
        theirs = os.path.join(OUT, "espeak.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-f", text, "-w", theirs], check=True)
        a, b = wav_duration(ours), wav_duration(theirs)
        check(abs(a - b) / b <= 0.10, "%s: %.2f s against espeak-ng's %.2f s" % (text, a, b))


def test_default_output_path():
    """Without -o, aloud writes out/<stem>.flac in the current folder."""
    work = tempdir()
    text = samples()[0]
    rc, _, err = run(["-q", text], cwd=work)
    stem = os.path.splitext(os.path.basename(text))[0]
    check(rc == 0, "default render exits 0: " + err)
    check(os.path.isfile(os.path.join(work, "out", stem + ".flac")), "out/%s.flac exists" % stem)
    check(sorted(os.listdir(os.path.join(work, "out"))) == [stem + ".flac"],
          "nothing else left in out/")


case(test_samples)
case(test_duration_close_to_espeak)
case(test_default_output_path)
finish()
