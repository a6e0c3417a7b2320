#!/usr/bin/env python3
"""Opus encoded in parallel segments: bench/opus_cuts.py in small. The
segmented encode and one encoder through (ALOUD_OPUS_WHOLE=1) decode to the
same length, the Ogg pages are one well-formed stream (sequence numbers,
granules, one BOS and one EOS, read here), and the speech is as close to
the source in both (SNR within 0.2 dB)."""
import os
import array
import math
import struct
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


case(test_segments_join_into_one_stream)
finish()
