#!/usr/bin/env python3
"""M4B and M4A (issue 14): AAC-LC in MP4 with a QuickTime chapter track and a
Nero chpl box, title/artist/album tags, the duration exact to the sample (the
encoder delay and padding cut by the edit list), the same bytes for any -j,
read back by ffprobe, ffmpeg's decoder, mutagen and `aloud --chapters`; and a
hostile M4B read without a crash."""
import os
import struct
import subprocess

from aloudtest import (case, check, ffprobe, finish, mutagen, need, own_chapters, run, samples,
                       skip, tempdir)

need("ffprobe")
need("ffmpeg")
if mutagen() is None:
    skip("python3-mutagen is not installed")
OUT = tempdir()
TEXT = samples()[-1]


def render(name, extra=()):
    path = os.path.join(OUT, name)
    rc, _, err = run(["-j", "2"] + list(extra) + ["-o", path, TEXT])
    assert rc == 0, err
    return path


def probe_streams(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,profile,sample_rate,channels,duration_ts:"
                          "format_tags=major_brand", "-of", "compact", path],
                         capture_output=True, text=True, check=True).stdout
    return out


def decoded_frames(path):
    """Samples ffmpeg's decoder gives, as a player plays them."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "s16le",
                          "-ac", "1", "-"], capture_output=True, check=True).stdout
    return len(pcm) // 2


def test_m4b_reads_back_everywhere():
    wav = own_chapters(render("ref.wav"))
    m4b = render("a.m4b")
    own = own_chapters(m4b)
    check(own["format"].startswith("m4b, 22050 Hz, 1 channel"), "aloud reads %s" % own["format"])
    check(own["frames"] == wav["frames"], "the duration is exact: %d frames, the WAV has %d"
          % (own["frames"], wav["frames"]))
    check([t for _, t in own["chapters"]] == [t for _, t in wav["chapters"]],
          "the same chapter titles as the WAV")
    check(all(abs(a - b) <= 1 for (a, _), (b, _) in zip(own["chapters"], wav["chapters"])),
          "the chapters start where the WAV's do")
    streams = probe_streams(m4b)
    check("codec_name=aac|profile=LC|sample_rate=22050|channels=1|duration_ts=%d" % wav["frames"]
          in streams, "ffprobe: AAC-LC mono, exactly %d samples: %s" % (wav["frames"], streams))
    check("major_brand=M4B " in streams, "the M4B brand: %s" % streams)
    # FFmpeg 5.1's decoder cuts the encoder delay the edit list skips, not the padding of the
    # last 1024-sample frame after the edit's end (ffprobe's duration above does stop there).
    extra = decoded_frames(m4b) - wav["frames"]
    check(0 <= extra < 1024, "ffmpeg decodes the input's samples, the delay cut: %d more" % extra)
    duration, chapters, tags = ffprobe(m4b)
    check(abs(duration - wav["frames"] / 22050) < 1e-5, "ffprobe's duration %.6f" % duration)
    check([t for _, t in chapters] == [t for _, t in wav["chapters"]], "ffprobe's chapter titles")
    check(tags.get("title") == wav.get("title") and tags.get("artist") == wav.get("author")
          and tags.get("album") == wav.get("title"), "title, artist and album tags: %s" % tags)
    # Both chapter lists: the QuickTime text track (ffprobe shows it as a stream, referenced
    # by tref/chap) and the Nero chpl box (mutagen reads only that).
    check("codec_name=bin_data" in streams or "codec_name=mov_text" in streams,
          "a chapter text track: %s" % streams)
    mp4 = mutagen().mp4.MP4(m4b)
    check([c.title for c in mp4.chapters] == [t for _, t in wav["chapters"]],
          "mutagen reads the chpl chapters")
    # mutagen takes chpl's 100 ns units for milliseconds of the movie's time scale,
    # which it assumes is 1000; ours is the sample rate, for an exact edit list.
    starts = [c.start * mp4.chapters._timescale / 1000.0 for c in mp4.chapters]
    check(all(abs(s - f / 22050) < 0.001 for s, (f, _) in zip(starts, wav["chapters"])),
          "the chpl times are the chapter starts")
    check(mp4.tags["\xa9nam"] == [wav["title"]] and mp4.tags["\xa9ART"] == [wav["author"]]
          and mp4.tags["\xa9alb"] == [wav["title"]], "mutagen reads the tags")
    m4a = render("a.m4a")
    check("major_brand=M4A " in probe_streams(m4a), "an .m4a has the M4A brand")
    check(own_chapters(m4a)["chapter_count"] == own["chapter_count"], "M4A holds the chapters")


def test_same_bytes_for_any_jobs():
    one = os.path.join(OUT, "j1.m4b")
    two = os.path.join(OUT, "j2.m4b")
    for path, jobs in ((one, "1"), (two, "2")):
        rc, _, err = run(["-j", jobs, "-o", path, TEXT])
        assert rc == 0, err
    with open(one, "rb") as a, open(two, "rb") as b:
        check(a.read() == b.read(), "-j 1 and -j 2 write the same bytes")
    again = render("again.m4b")
    with open(again, "rb") as a, open(two, "rb") as b:
        check(a.read() == b.read(), "two runs write the same bytes")


def test_bitrate():
    small = render("b24.m4b", ["--bitrate", "24"])
    big = render("b64.m4b", ["--bitrate", "64"])
    check(os.path.getsize(small) < os.path.getsize(big), "--bitrate changes the size")
    rc, _, err = run(["--bitrate", "8", "-o", os.path.join(OUT, "b8.m4b"), TEXT])
    check(rc == 2 and "M4B takes 16 to 128 kb/s" in err, "a bitrate out of range: %s" % err)


def boxes(data, start, end):
    """[(offset, size, type)] of the boxes in data[start:end]."""
    found, at = [], start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if size < 8:
            break
        found.append((at, size, kind))
        at += size
    return found


def test_hostile_m4b():
    """Every cut and every box size made wrong: a clear error (exit 2), never a crash."""
    good = render("good.m4b")
    with open(good, "rb") as f:
        data = f.read()
    moov = [b for b in boxes(data, 0, len(data)) if b[2] == b"moov"][0]
    cases = {}
    for cut in list(range(0, 64)) + list(range(moov[0], len(data), max(1, moov[1] // 97))):
        cases["cut%d" % cut] = data[:cut]

    def walk(start, end, depth):
        for at, size, kind in boxes(data, start, end):
            for bad in (0, 1, 7, 9, size + 1, 0xFFFFFFFF):
                cases["%s@%d=%d" % (kind.decode("latin-1"), at, bad)] = \
                    data[:at] + struct.pack(">I", bad) + data[at + 4:]
            if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts") \
                    and depth < 6:
                walk(at + 8, at + size, depth + 1)
            if kind == b"chpl":
                cases["chpl-count"] = data[:at + 16] + b"\xff" + data[at + 17:]
                cases["chpl-title"] = data[:at + 25] + b"\xff" + data[at + 26:]
    walk(moov[0] + 8, moov[0] + moov[1], 0)
    bad_path = os.path.join(OUT, "bad.m4b")
    crashes, silent = [], []
    for name, body in sorted(cases.items()):
        with open(bad_path, "wb") as f:
            f.write(body)
        rc, out, err = run(["--chapters", bad_path])
        if rc not in (0, 2):
            crashes.append((name, rc, err[-200:]))
        elif rc == 2 and "bad.m4b" not in err:
            silent.append((name, err))
    check(not crashes, "no crash on %d hostile files: %s" % (len(cases), crashes[:5]))
    check(not silent, "every error names the file: %s" % silent[:5])


case(test_m4b_reads_back_everywhere)
case(test_same_bytes_for_any_jobs)
case(test_bitrate)
case(test_hostile_m4b)
finish()
