#!/usr/bin/env python3
"""Opus, MP3 and M4B encoded in parallel segments: bench/opus_cuts.py and
bench/encode_cuts.py in small. For Opus, the segmented encode and one
encoder through (ALOUD_ENCODE_WHOLE=1) decode to the same length, the Ogg
pages are one well-formed stream (sequence numbers, granules, one BOS and
one EOS, read here), and the speech is as close to the source in both (SNR
within 0.2 dB). For MP3 and M4B, the segments (really cut: the file
differs from one encoder's, ALOUD_ENCODE_WHOLE=1) decode to the same length
as one encoder's (MP3: exactly the source's) with the source's duration,
speech SNR no more than 0.2 dB lower, and silence stays silent; the file is
the same bytes for -j 1 and -j 2 and from run to run."""
import os
import array
import math
import struct
import subprocess
import sys
import wave

from aloudtest import SOURCE_DIR, case, check, finish, need, run, tempdir

need("ffmpeg")
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
import opus_cuts  # noqa: E402 - the bench's measures, reused

OUT = tempdir()
TEXT = os.path.join(SOURCE_DIR, "text", "news.txt")


def pages(path):
    with open(path, "rb") as f:
        b = f.read()
    at, out = 0, []
    while at < len(b):
        check(b[at:at + 4] == b"OggS", "a page starts at byte %d" % at)
        flags, granule, serial, seq = struct.unpack_from("<BqII", b, at + 5)
        segs = b[at + 26]
        body = sum(b[at + 27:at + 27 + segs])
        out.append((flags, granule, serial, seq))
        at += 27 + segs + body
    return out


def test_segments_join_into_one_stream():
    cut, whole, wav = (os.path.join(OUT, n) for n in ("cut.opus", "whole.opus", "src.wav"))
    for path, env in ((cut, None), (whole, dict(os.environ, ALOUD_ENCODE_WHOLE="1")), (wav, None)):
        rc, _, err = run(["-q", TEXT, "-o", path], env=env)
        check(rc == 0, "renders %s: %s" % (path, err))
    ps = pages(cut)
    check([p[3] for p in ps] == list(range(len(ps))), "page sequence numbers run 0, 1, 2, ...")
    check(len({p[2] for p in ps}) == 1, "one serial number")
    check(ps[0][0] == 2 and all(not p[0] & 2 for p in ps[1:]), "one BOS page, the first")
    check(ps[-1][0] & 4 and all(not p[0] & 4 for p in ps[:-1]), "one EOS page, the last")
    grans = [p[1] for p in ps[2:] if p[1] != -1]
    check(grans == sorted(grans), "granule positions never go back")
    check(ps[-1][1] == pages(whole)[-1][1], "the same end granule as one encoder")
    a, b = opus_cuts.decode48(cut), opus_cuts.decode48(whole)
    check(len(a) == len(b), "the same decoded length: %d, %d" % (len(a), len(b)))
    check(a != b, "the segmented encode really differs from one encoder (the cuts happened)")
    with wave.open(wav) as w:
        src = array.array("h")
        src.frombytes(w.readframes(w.getnframes()))

    def snr(dec):
        sig = err = 0.0
        for i, s in enumerate(src):
            j = i * 48000 // 22050
            if s and j < len(dec):
                sig += s * s
                err += (dec[j] - s) ** 2
        return 10 * math.log10(sig / err)
    sa, sb = snr(a), snr(b)
    check(abs(sa - sb) <= 0.2, "speech SNR: segments %.2f dB, one encoder %.2f dB" % (sa, sb))


def read_wav(path):
    with wave.open(path) as w:
        src = array.array("h")
        src.frombytes(w.readframes(w.getnframes()))
        return src, w.getframerate()


def decode_at(path, rate):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1",
                          "-ar", str(rate), "-"], capture_output=True, check=True).stdout
    a = array.array("h")
    a.frombytes(raw)
    return a


def probe_duration(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", path], capture_output=True, check=True).stdout
    return float(out)


def segments_against_one_encoder(ext):
    paths = {n: os.path.join(OUT, n + "." + ext) for n in ("j1", "j2", "again", "whole")}
    paths["src"] = os.path.join(OUT, "src.wav")
    for name, args, env in (("j1", ["-j", "1"], None), ("j2", ["-j", "2"], None),
                            ("again", ["-j", "2"], None),
                            ("whole", [], dict(os.environ, ALOUD_ENCODE_WHOLE="1")),
                            ("src", [], None)):
        rc, _, err = run(["-q", TEXT, "-o", paths[name]] + args, env=env)
        check(rc == 0, "renders %s: %s" % (paths[name], err))
    blobs = {}
    for name in ("j1", "j2", "again", "whole"):
        with open(paths[name], "rb") as f:
            blobs[name] = f.read()
    check(blobs["j1"] == blobs["j2"], "%s: -j 1 and -j 2 write the same bytes" % ext)
    check(blobs["j2"] == blobs["again"], "%s: two runs write the same bytes" % ext)
    check(blobs["j1"] != blobs["whole"], "%s: the segments really differ from one encoder "
          "(the cuts happened)" % ext)
    src, rate = read_wav(paths["src"])
    cut, whole = decode_at(paths["j1"], rate), decode_at(paths["whole"], rate)
    # ffmpeg applies an MP4 edit list's start but not its end: M4B decodes to whole frames.
    want = len(src) if ext == "mp3" else (len(src) + 1023) // 1024 * 1024
    check(len(cut) == want and len(whole) == want,
          "%s decodes to %d samples: segments %d, one encoder %d"
          % (ext, want, len(cut), len(whole)))
    dc, dw = probe_duration(paths["j1"]), probe_duration(paths["whole"])
    # ffprobe gives an MP3's duration in whole frames (the LAME header's delay and padding
    # not taken off), an M4B's from its edit list: exact.
    check(dc == dw and (ext == "mp3" or abs(dc - len(src) / rate) < 0.0005),
          "%s duration: segments %.6f s, one encoder %.6f s, source %.6f s"
          % (ext, dc, dw, len(src) / rate))

    def snr(dec):
        sig = err = 0.0
        for s, d in zip(src, dec):
            if s:
                sig += s * s
                err += (d - s) ** 2
        return 10 * math.log10(sig / err)
    sa, sb = snr(cut), snr(whole)
    check(sa >= sb - 0.2, "%s speech SNR: segments %.2f dB, one encoder %.2f dB" % (ext, sa, sb))
    # Silence 0.1 s or more from any speech stays silent (no click at a cut).
    reach = rate // 10
    last_loud, peak = -reach - 1, 0
    ahead = [0] * (len(src) + 1)  # the next loud sample at or after i
    nxt = len(src) + reach + 1
    for i in range(len(src) - 1, -1, -1):
        if src[i]:
            nxt = i
        ahead[i] = nxt
    for i, s in enumerate(src):
        if s:
            last_loud = i
        elif i - last_loud > reach and ahead[i] - i > reach:
            peak = max(peak, abs(cut[i]))
    check(peak <= 64, "%s segments: deep silence peaks at %d" % (ext, peak))


def test_mp3_segments():
    segments_against_one_encoder("mp3")


def test_m4b_segments():
    segments_against_one_encoder("m4b")


case(test_segments_join_into_one_stream)
case(test_mp3_segments)
case(test_m4b_segments)
finish()
