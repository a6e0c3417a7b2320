#!/usr/bin/env python3
"""--cover embeds a JPEG or PNG in every format, shown by ffprobe as an attached
picture and found by mutagen; a bad image is refused (exit 2, the file named)
before anything renders. -o - writes the file to standard output (issue 14)."""
import os
import subprocess

from aloudtest import (FORMATS, case, check, ffprobe, finish, mutagen, mutagen_view, need,
                       own_chapters, run, samples, skip, tempdir, write)

need("ffprobe")
need("ffmpeg")
if mutagen() is None:
    skip("python3-mutagen is not installed")
OUT = tempdir()
TEXT = samples()[-1]


def image(name, size):
    path = os.path.join(OUT, name)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=" + size,
                    "-frames:v", "1", path], check=True)
    return path


def attached(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,width,height:stream_disposition=attached_pic",
                          "-of", "csv=p=0", path], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if line.endswith(",1")]


def test_cover_in_every_format():
    jpeg, png = image("c.jpg", "80x60"), image("c.png", "64x48")
    for ext in FORMATS:
        for pic, want in ((jpeg, "mjpeg,80,60,1"), (png, "png,64,48,1")):
            path = os.path.join(OUT, "cover.%s" % ext)
            rc, _, err = run(["-q", "-j", "2", "--cover", pic, "-o", path, TEXT])
            if not check(rc == 0, "%s renders with a cover: %s" % (ext, err)):
                continue
            check(attached(path) == [want], "%s: ffprobe shows the attached picture %s: %s"
                  % (ext, want, attached(path)))
            check(mutagen_view(path)[1], "%s: mutagen finds the cover" % ext)
            check(own_chapters(path)["chapter_count"] > 1, "%s: the chapters are still there"
                  % ext)


def test_bad_cover_refused_before_rendering():
    jpeg = image("ok.jpg", "16x16")
    with open(jpeg, "rb") as f:
        good = f.read()
    bad = {
        "text.png": b"not an image at all\n",
        "empty.jpg": b"",
        "cut.jpg": good[:20],                      # SOI and APP0, no frame header
        "zero.png": b"\x89PNG\r\n\x1a\n" + b"\0\0\0\x0dIHDR" + b"\0" * 13 + b"\0" * 4,
    }
    for name, body in bad.items():
        pic = write(OUT, name, "") if not body else os.path.join(OUT, name)
        if body:
            with open(pic, "wb") as f:
                f.write(body)
        out = os.path.join(OUT, "never.mp3")
        rc, _, err = run(["--cover", pic, "-o", out, TEXT])
        check(rc == 2 and name in err, "%s: exit 2 naming the image: %d %s" % (name, rc, err))
        check(not os.path.exists(out), "%s: nothing written" % name)
    rc, _, err = run(["--cover", os.path.join(OUT, "missing.jpg"), "-o",
                      os.path.join(OUT, "never.mp3"), TEXT])
    check(rc == 2 and "missing.jpg" in err, "a missing cover: %s" % err)


def test_standard_output():
    for ext in FORMATS:
        ref = os.path.join(OUT, "ref.%s" % ext)
        rc, _, err = run(["-q", "-o", ref, TEXT])
        assert rc == 0, err
        # ffprobe reads what it needs from the pipe and may leave early (aloud then stops
        # with SIGPIPE, as it should): only ffprobe's side is checked here.
        proc = subprocess.run(["bash", "-c", "\"$0\" -q -f %s -o - \"$1\" | "
                               "ffprobe -v error -select_streams a -show_entries "
                               "stream=codec_name,sample_rate -of csv=p=0 -"
                               % ext, os.path.abspath(os.environ.get("ALOUD", "build/aloud")),
                               TEXT], capture_output=True, text=True, timeout=300)
        duration, _, _ = ffprobe(ref)
        codec = {"wav": "pcm_s16le", "flac": "flac", "opus": "opus", "mp3": "mp3", "m4b": "aac",
                 "m4a": "aac"}[ext]
        check(proc.returncode == 0 and proc.stdout.strip().startswith(codec + ","),
              "%s: aloud -o - | ffprobe - reads it: %r %s" % (ext, proc.stdout, proc.stderr))
        with open(ref, "rb") as f:
            want = f.read()
        got = subprocess.run([os.environ.get("ALOUD", "build/aloud"), "-q", "-f", ext, "-o", "-",
                              TEXT], capture_output=True, check=True).stdout
        check(got == want, "%s: standard output gets the very bytes of the file" % ext)
        piped = os.path.join(OUT, "piped.%s" % ext)
        with open(piped, "wb") as f:
            f.write(got)
        _, chapters, _ = ffprobe(piped)
        check(len(chapters) == len(ffprobe(ref)[1]) and duration == ffprobe(piped)[0],
              "%s: the piped file reads back as the file" % ext)
    check(not os.path.exists("-"), "no file named '-'")
    rc, _, err = run(["-o", "-", TEXT])
    check(rc == 2 and "needs --format" in err, "-o - without --format: %s" % err)
    rc, _, err = run(["-f", "mp3", "-o", "-", "--sidecars", "lrc", TEXT])
    check(rc == 2 and "--sidecars" in err, "-o - with sidecars: %s" % err)


case(test_cover_in_every_format)
case(test_bad_cover_refused_before_rendering)
case(test_standard_output)
finish()
