#!/usr/bin/env python3
"""Formats at their edges (issue #18, items 8 and 12), each test named after
what it protects:

- a WAV that Python's wave module (and shntool) opens: WAVE_FORMAT_PCM, not
  EXTENSIBLE, with the JUNK chunk kept for RF64, and ffprobe agreeing;
- non-ASCII tags in WAV: INFO for ffprobe, an `id3 ` chunk for the readers
  that take INFO as Latin-1 (read here by ffprobe with INFO hidden);
- a cue sheet never past TRACK 99, and the CLI saying it grouped paragraphs;
- U+FFFE and U+FFFF in a title and a heading render to every format.

MP3 past 65,025 paragraphs is tested on the writer (test_mp3.c): 66,000
paragraphs take minutes to speak.
"""
import json
import os
import re
import struct
import subprocess
import wave

from aloudtest import (RATE, case, check, ffprobe, finish, need, own_chapters, run, segmentation,
                       tempdir)

need("ffprobe")
need("metaflac")

OUT = tempdir()
UNICODE_TITLE = "\u00dcn\u00efc\u00f6d\u00e9 \u2014 \u65e5\u672c\u8a9e"
FAST = ["--sentence-pause", "0", "--paragraph-pause", "0"]


def write_text(name, text):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def render(text, out, extra=()):
    """Renders text to out; returns stderr. Fails the test on a non-zero exit."""
    rc, _, err = run(["-o", out, text] + list(extra))
    assert rc == 0, "render to %s failed (%d): %s" % (out, rc, err)
    return err


def chunks(path):
    """[(id, offset of the body, size)] of a RIFF file's top-level chunks."""
    with open(path, "rb") as f:
        data = f.read()
    found, pos = [], 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        found.append((cid, pos + 8, size))
        pos += 8 + size + (size & 1)
    return data, found


def id3_text_frames(tag):
    """{frame id: text} of an ID3v2.3 tag's text frames (encodings 0 and 1)."""
    assert tag[:3] == b"ID3" and tag[3] == 3, tag[:4]
    size = tag[6] << 21 | tag[7] << 14 | tag[8] << 7 | tag[9]
    frames, pos = {}, 10
    while pos + 10 <= 10 + size and tag[pos:pos + 4].strip(b"\0"):
        fid, fsize = tag[pos:pos + 4].decode(), struct.unpack(">I", tag[pos + 4:pos + 8])[0]
        body = tag[pos + 10:pos + 10 + fsize]
        if fid.startswith("T"):
            frames[fid] = body[1:].decode("utf-16" if body[0] == 1 else "latin-1")
        pos += 10 + fsize
    return frames


def test_wav_is_plain_pcm_readable_by_python_wave():
    text = write_text("pcm.txt", "A Short Title\n\nFirst paragraph here.\n\nAnd a second one.\n")
    out = os.path.join(OUT, "pcm.wav")
    render(text, out, ["-q"])
    data, found = chunks(out)
    ids = [c[0] for c in found]
    check(data[:4] == b"RIFF", "under 4 GiB the file is a plain RIFF")
    check(ids[0] == b"JUNK" and found[0][2] == 24, "the JUNK chunk reserved for ds64 stays first")
    fmt = [c for c in found if c[0] == b"fmt "][0]
    tag, channels, rate, _, block, bits = struct.unpack("<HHIIHH", data[fmt[1]:fmt[1] + 16])
    check(fmt[2] == 16 and tag == 1, "fmt chunk of 16 bytes, WAVE_FORMAT_PCM: size %d, tag %#x"
          % (fmt[2], tag))
    check((channels, rate, block, bits) == (1, RATE, 2, 16), "16-bit mono at 22050 Hz")

    with wave.open(out, "rb") as w:
        params = w.getparams()
    own = own_chapters(out)
    check(params.nchannels == 1 and params.sampwidth == 2 and params.framerate == RATE,
          "wave reads 16-bit mono 22050 Hz: %s" % (params,))
    check(params.nframes == own["frames"], "wave counts %d frames, aloud --chapters %d"
          % (params.nframes, own["frames"]))
    duration, chapters, _ = ffprobe(out)
    check(abs(duration - params.nframes / RATE) < 0.001, "ffprobe duration %.4f vs wave %.4f"
          % (duration, params.nframes / RATE))
    check(len(chapters) == len(segmentation(text)) == len(own["chapters"]),
          "ffprobe sees one chapter per paragraph: %s" % (chapters,))
    check([round(s * RATE) for s, _ in chapters] == [f for f, _ in own["chapters"]],
          "ffprobe's chapter starts are ours: %s vs %s" % (chapters, own["chapters"]))
    check(ids.index(b"data") < ids.index(b"cue ") < ids.index(b"id3 "),
          "markers, then the id3 chunk, after the audio: %s" % ids)


def test_wav_unicode_title_in_id3_chunk():
    text = write_text("uni.txt", UNICODE_TITLE + "\n\nBy Zo\u00eb \u00c5str\u00f6m\n\n"
                      "The only paragraph.\n")
    out = os.path.join(OUT, "uni.wav")
    render(text, out, ["-q"])
    _, _, tags = ffprobe(out)
    check(tags.get("title") == UNICODE_TITLE, "ffprobe shows the INFO title %r" % tags.get("title"))
    data, found = chunks(out)
    id3 = [c for c in found if c[0] == b"id3 "]
    check(len(id3) == 1, "one id3 chunk")
    frames = id3_text_frames(data[id3[0][1]:id3[0][1] + id3[0][2]])
    check(frames.get("TIT2") == UNICODE_TITLE, "id3 TIT2 %r" % frames.get("TIT2"))
    check(frames.get("TPE1") == "Zo\u00eb \u00c5str\u00f6m", "id3 TPE1 %r" % frames.get("TPE1"))
    check(frames.get("TSSE", "").startswith("aloud "), "id3 TSSE %r" % frames.get("TSSE"))

    # ffprobe prefers INFO; with INFO hidden it reads the id3 chunk: an independent reader of it.
    info = [c for c in found if c[0] == b"LIST" and data[c[1]:c[1] + 4] == b"INFO"][0]
    hidden = bytearray(data)
    hidden[info[1] - 8:info[1] - 4] = b"JUNK"
    copy = os.path.join(OUT, "uni-no-info.wav")
    with open(copy, "wb") as f:
        f.write(hidden)
    _, chapters, tags = ffprobe(copy)
    check(tags.get("title") == UNICODE_TITLE, "ffprobe reads the id3 title %r" % tags.get("title"))
    check(tags.get("artist") == "Zo\u00eb \u00c5str\u00f6m", "and the artist %r" % tags.get("artist"))
    check(len(chapters) == 3, "the id3 chunk adds no chapters of its own: %s" % (chapters,))


def cue_tracks(path):
    """[(track number, [index times in CD frames])] of a cue sheet."""
    tracks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*TRACK (\d+) AUDIO$", line)
            if m:
                tracks.append((int(m.group(1)), []))
            m = re.match(r"\s*INDEX (\d\d) (\d+):(\d\d):(\d\d)$", line)
            if m:
                tracks[-1][1].append((int(m.group(1)),
                                      (int(m.group(2)) * 60 + int(m.group(3))) * 75
                                      + int(m.group(4))))
    return tracks


def test_cue_sheet_never_past_track_99():
    for n, group in ((99, 1), (150, 2)):
        text = write_text("p%d.txt" % n,
                          "\n\n".join("Paragraph %d." % (i + 1) for i in range(n)) + "\n")
        out = os.path.join(OUT, "p%d.wav" % n)
        err = render(text, out, FAST + ["--sidecars", "cue"])
        tracks = cue_tracks(os.path.join(OUT, "p%d.cue" % n))
        numbers = [t for t, _ in tracks]
        check(numbers == list(range(1, len(numbers) + 1)) and numbers[-1] <= 99,
              "%d paragraphs: tracks numbered 01 up to at most 99: %s" % (n, numbers[-3:]))
        check(len(numbers) == -(-n // group), "%d paragraphs: %d tracks" % (n, len(numbers)))
        indexes = [i for _, idx in tracks for i in idx]
        check(len(indexes) == n, "%d paragraphs: one INDEX each (%d)" % (n, len(indexes)))
        check(all(idx[0][0] == 1 and [k for k, _ in idx] == list(range(1, len(idx) + 1))
                  for _, idx in tracks), "each track starts at INDEX 01, then 02, 03...")
        times = [t for _, t in indexes]
        check(times == sorted(times), "%d paragraphs: index times never go back" % n)
        own = own_chapters(out)
        starts = [f * 75 // RATE for f, _ in own["chapters"]]
        check(times == starts, "%d paragraphs: index times are the chapter starts" % n)
        warned = [line for line in err.splitlines() if "cue sheet" in line]
        if group == 1:
            check(warned == [], "no warning up to 99 paragraphs: %s" % warned)
        else:
            check(len(warned) == 1 and warned[0].startswith("aloud: warning: ")
                  and "groups the 150 paragraphs 2 a track" in warned[0],
                  "one warning line says the cue sheet groups paragraphs: %s" % warned)


def test_noncharacters_in_titles_render_everywhere():
    text = write_text("nonchar.txt",
                      "Title \ufffe with \uffff marks\n\nBy Zoe Writer\n\nFirst paragraph here.\n\n"
                      "A heading \uffff here\n\nSecond paragraph \ufffe text.\n")
    paragraphs = len(segmentation(text))
    for ext in ("flac", "opus", "mp3", "wav"):
        out = os.path.join(OUT, "nonchar." + ext)
        render(text, out, ["-q", "--sidecars", "json"])
        _, chapters, tags = ffprobe(out)
        # ffprobe itself prints noncharacters as U+FFFD; FLAC stores them so.
        check(tags.get("title") == "Title \ufffd with \ufffd marks",
              "%s: ffprobe title %r" % (ext, tags.get("title")))
        check(len(chapters) == paragraphs, "%s: %d chapters" % (ext, len(chapters)))
        check(chapters[3][1] == "A heading \ufffd here", "%s: heading chapter %r"
              % (ext, chapters[3][1]))
        with open(os.path.join(OUT, "nonchar.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        check(manifest["title"] == "Title \ufffe with \uffff marks",
              "%s: the manifest keeps the text as written" % ext)
    tags = subprocess.run(["metaflac", "--export-tags-to=-", os.path.join(OUT, "nonchar.flac")],
                          capture_output=True, check=True).stdout.decode("utf-8")
    check("TITLE=Title \ufffd with \ufffd marks\n" in tags, "metaflac: TITLE with U+FFFD")
    check("CHAPTER004NAME=A heading \ufffd here\n" in tags, "metaflac: the heading's chapter name")


case(test_wav_is_plain_pcm_readable_by_python_wave)
case(test_wav_unicode_title_in_id3_chunk)
case(test_cue_sheet_never_past_track_99)
case(test_noncharacters_in_titles_render_everywhere)
finish()
