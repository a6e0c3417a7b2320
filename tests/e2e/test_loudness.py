#!/usr/bin/env python3
"""Loudness end to end, measured independently by ffmpeg's ebur128 filter:
every format and every voice preset comes out at the target within 1 LU
with no true peak above -1.5 dBTP; --loudness moves the target, 'off'
keeps espeak-ng's level; the gain tags say what was done (metaflac,
ffprobe, mutagen); the same bytes for any -j; FLAC encoded in pieces is
one sound stream, the very one the flac program makes of that audio."""
import glob
import os
import re
import shutil
import subprocess

from aloudtest import (SEEDS_DIR, SOURCE_DIR, case, check, finish, need, run, tempdir)

need("ffmpeg")
need("metaflac")
OUT = tempdir()
FORMATS = ("wav", "flac", "opus", "mp3", "m4b")
CEILING = -1.5


def text():
    """The seed article when ../shared is there, else the news sample."""
    seeds = sorted(glob.glob(os.path.join(SEEDS_DIR, "*.txt")))
    return seeds[0] if seeds else os.path.join(SOURCE_DIR, "text", "news.txt")


def ebur128(path):
    """(integrated LUFS, true peak dBTP) by ffmpeg."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", path, "-af",
                           "ebur128=peak=true", "-f", "null", "-"], capture_output=True, timeout=600)
    summary = proc.stderr.decode("utf-8", "replace").rsplit("Summary:", 1)[-1]
    lufs = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def render(voice, ext, *extra):
    path = os.path.join(OUT, "%s%s.%s" % (voice, "".join(extra).replace(" ", ""), ext))
    rc, _, err = run(["-q", "--voice", voice, "-o", path] + list(extra) + [text()])
    check(rc == 0, "%s %s renders: %s" % (voice, ext, err))
    return path


def test_every_format_and_preset_at_the_target():
    presets = sorted(os.path.basename(p)[:-6]
                     for p in glob.glob(os.path.join(SOURCE_DIR, "voices", "*.voice")))
    check(len(presets) >= 4, "the presets are found: %s" % presets)
    for voice in presets:
        for ext in FORMATS:
            lufs, peak = ebur128(render(voice, ext))
            print("%-9s %-4s %6.1f LUFS %5.1f dBTP" % (voice, ext, lufs, peak))
            check(abs(lufs - -19.0) <= 1.0, "%s %s: %.1f LUFS, target -19" % (voice, ext, lufs))
            check(peak <= CEILING, "%s %s: true peak %.1f dBTP over %.1f" % (voice, ext, peak,
                                                                           CEILING))


def test_target_and_off():
    lufs, peak = ebur128(render("narrator", "flac", "--loudness", "-16"))
    check(abs(lufs - -16.0) <= 1.0, "--loudness -16 gives %.1f LUFS" % lufs)
    check(peak <= CEILING, "--loudness -16: true peak %.1f dBTP" % peak)
    off = render("narrator", "wav", "--loudness", "off")
    on = render("narrator", "wav")
    raw, _ = ebur128(off)
    check(abs(raw - -19.0) > 0.5, "off keeps espeak-ng's level (%.1f LUFS)" % raw)
    # Same length either way: the limiter's delay is taken back.
    check(os.path.getsize(off) == os.path.getsize(on), "the same length with and without")
    for bad in ("-3", "-80", "loud", ""):
        rc, _, err = run(["--loudness", bad, "-o", os.path.join(OUT, "x.wav"), text()])
        check(rc == 2 and "--loudness" in err, "--loudness %r refused: %d %s" % (bad, rc, err))
    check(not os.path.exists(os.path.join(OUT, "x.wav")), "no file for a refused --loudness")


def test_gain_tags():
    flac = render("narrator", "flac")
    tags = subprocess.run(["metaflac", "--export-tags-to=-", flac], capture_output=True,
                          timeout=60).stdout.decode()
    check("REPLAYGAIN_TRACK_GAIN=+1.00 dB" in tags, "FLAC ReplayGain to -18 LUFS: " + tags)
    m = re.search(r"REPLAYGAIN_TRACK_PEAK=(\d\.\d{6})", tags)
    check(m and 0.5 < float(m.group(1)) <= 10 ** (CEILING / 20) + 1e-6, "FLAC peak: " + tags)
    opus = render("narrator", "opus")
    probe = subprocess.run(["ffprobe", "-hide_banner", opus], capture_output=True,
                           timeout=60).stderr.decode()
    # RFC 7845: Q7.8 dB to the R128 reference of -23 LUFS: -4 dB is -1024.
    check(re.search(r"R128_TRACK_GAIN\s*:\s*-1024\b", probe), "Opus R128_TRACK_GAIN: " + probe)
    mp3 = render("narrator", "mp3")
    try:
        import mutagen  # noqa: PLC0415 - optional reader
    except ImportError:
        mutagen = None
    if mutagen:
        frames = {k: str(v) for k, v in mutagen.File(mp3).tags.items()}
        check(frames.get("TXXX:REPLAYGAIN_TRACK_GAIN") == "+1.00 dB", "MP3 gain: %s" % frames)
        check("TXXX:REPLAYGAIN_TRACK_PEAK" in frames, "MP3 peak: %s" % frames)
    off = render("narrator", "flac", "--loudness", "off")
    tags = subprocess.run(["metaflac", "--export-tags-to=-", off], capture_output=True,
                          timeout=60).stdout.decode()
    check("REPLAYGAIN" not in tags, "no gain tags when loudness is off")


def test_same_bytes_for_any_jobs():
    for ext in ("flac", "opus", "mp3"):
        files = []
        for jobs in ("1", "2", "3"):
            path = os.path.join(OUT, "j%s.%s" % (jobs, ext))
            rc, _, err = run(["-q", "-j", jobs, "-o", path, text()])
            check(rc == 0, "-j %s renders: %s" % (jobs, err))
            with open(path, "rb") as f:
                files.append(f.read())
        check(files[0] == files[1] == files[2], "%s: the same bytes for -j 1, 2 and 3" % ext)


def flac_parts(path):
    """(STREAMINFO's body, the audio frames) of a FLAC file."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:4] == b"fLaC", "%s is FLAC" % path)
    at, info = 4, None
    while True:
        last, kind = data[at] & 0x80, data[at] & 0x7f
        size = int.from_bytes(data[at + 1:at + 4], "big")
        if kind == 0:
            info = data[at + 4:at + 4 + size]
        at += 4 + size
        if last:
            return info, data[at:]


def test_flac_pieces_make_one_stream():
    """With loudness on, FLAC is encoded in pieces in threads and joined: the
    flac program finds it sound (frame CRCs, MD5), metaflac lists it, and its
    frames and STREAMINFO are those the flac program makes of the same audio
    in one go (libFLAC level 0, fixed 1152-sample blocks)."""
    if not shutil.which("flac"):
        print("skipped: no flac program")
        return
    path = render("narrator", "flac")
    proc = subprocess.run(["flac", "-t", "-s", path], capture_output=True, timeout=600)
    check(proc.returncode == 0 and not proc.stderr, "flac -t: %s" % proc.stderr)
    proc = subprocess.run(["metaflac", "--list", path], capture_output=True, timeout=60)
    check(proc.returncode == 0, "metaflac --list: %s" % proc.stderr)
    wav = os.path.join(OUT, "pieces.wav")
    again = os.path.join(OUT, "again.flac")
    for cmd in (["flac", "-d", "-f", "-s", "-o", wav, path],
                ["flac", "-0", "-f", "-s", "--no-padding", "--no-seektable", "-o", again, wav]):
        proc = subprocess.run(cmd, capture_output=True, timeout=600)
        check(proc.returncode == 0, "%s: %s" % (" ".join(cmd), proc.stderr))
    ours, theirs = flac_parts(path), flac_parts(again)
    check(ours[0] == theirs[0], "STREAMINFO as the flac program's (sizes, samples, MD5)")
    check(len(ours[1]) > 100000 and ours[1] == theirs[1],
          "the frames are the flac program's: %d and %d bytes" % (len(ours[1]), len(theirs[1])))


case(test_every_format_and_preset_at_the_target)
case(test_target_and_off)
case(test_gain_tags)
case(test_same_bytes_for_any_jobs)
case(test_flac_pieces_make_one_stream)
finish()
