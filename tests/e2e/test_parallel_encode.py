#!/usr/bin/env python3
"""Opus and MP3 encoded in parallel segments: bench/opus_cuts.py and
bench/encode_cuts.py in small. For Opus, the segmented encode and one
encoder through (ALOUD_OPUS_WHOLE=1) decode to the same length, the Ogg
pages are one well-formed stream (sequence numbers, granules, one BOS and
one EOS, read here), and the speech is as close to the source in both (SNR
within 0.2 dB). For MP3, the segments (really cut: the file differs from
one encoder's, ALOUD_ENCODE_WHOLE=1) decode to exactly the source's length,
as one encoder's do, with the same speech SNR, and silence stays silent;
the file is the same bytes for -j 1 and -j 2 and from run to run."""
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
    for path, env in ((cut, None), (whole, dict(os.environ, ALOUD_OPUS_WHOLE="1")), (wav, None)):
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


def test_mp3_segments():
    paths = {n: os.path.join(OUT, n) for n in ("j1.mp3", "j2.mp3", "again.mp3", "whole.mp3",
                                               "src.wav")}
    for name, args, env in (("j1.mp3", ["-j", "1"], None), ("j2.mp3", ["-j", "2"], None),
                            ("again.mp3", ["-j", "2"], None),
                            ("whole.mp3", [], dict(os.environ, ALOUD_ENCODE_WHOLE="1")),
                            ("src.wav", [], None)):
        rc, _, err = run(["-q", TEXT, "-o", paths[name]] + args, env=env)
        check(rc == 0, "renders %s: %s" % (name, err))
    blobs = {}
    for name in ("j1.mp3", "j2.mp3", "again.mp3", "whole.mp3"):
        with open(paths[name], "rb") as f:
            blobs[name] = f.read()
    check(blobs["j1.mp3"] == blobs["j2.mp3"], "MP3: -j 1 and -j 2 write the same bytes")
    check(blobs["j2.mp3"] == blobs["again.mp3"], "MP3: two runs write the same bytes")
    check(blobs["j1.mp3"] != blobs["whole.mp3"], "MP3: the segments really differ from one "
          "encoder (the cuts happened)")
    src, rate = read_wav(paths["src.wav"])
    cut, whole = decode_at(paths["j1.mp3"], rate), decode_at(paths["whole.mp3"], rate)
    check(len(cut) == len(src) and len(whole) == len(src),
          "MP3 decodes to the source's length: segments %d, one encoder %d, source %d"
          % (len(cut), len(whole), len(src)))

    def snr(dec):
        sig = err = 0.0
        for s, d in zip(src, dec):
            if s:
                sig += s * s
                err += (d - s) ** 2
        return 10 * math.log10(sig / err)
    sa, sb = snr(cut), snr(whole)
    check(abs(sa - sb) <= 0.2, "MP3 speech SNR: segments %.2f dB, one encoder %.2f dB" % (sa, sb))
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
    check(peak <= 64, "MP3 segments: deep silence peaks at %d" % peak)


case(test_segments_join_into_one_stream)
case(test_mp3_segments)
finish()
