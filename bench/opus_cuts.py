#!/usr/bin/env python3
"""Proof that Opus encoded in parallel segments sounds like one encoder.

aloud cuts the audio inside runs of digital silence and encodes each
segment with a fresh encoder in a thread of its own. This script renders
the same text to WAV (the PCM the encoder is handed), to Opus as aloud
makes it (segments), and to Opus through one encoder (ALOUD_ENCODE_WHOLE=1),
decodes both Opus files with ffmpeg at 48 kHz and compares them sample by
sample:

- where the two decodes differ at all, and whether every differing sample
  lies inside a span the source has silent (with --slack ms of tolerance:
  the codec's own 20 ms frames and its 6.5 ms look-ahead smear the edges);
- the largest absolute difference outside the silence (0 would mean
  "confined to silence"; it is not: libopus's adaptive state carries
  across silence, so each segment after a cut is a different encoding);
- the peak of each decode in deep silence (a click at a cut would show);
- the signal-to-noise ratio of each decode against the source in the
  speech (how close either is to the input, so the two can be compared).
Exit status 0 when the segments are equivalent: the peak in silence within
1 dB of one encoder's (or under -60 dBFS) and the speech SNR within 0.1 dB.

    bench/opus_cuts.py [--aloud build/aloud] [--text text/news.txt] [--voice narrator]
"""
import argparse
import array
import math
import os
import subprocess
import sys
import tempfile
import wave


def decode48(path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1",
                          "-ar", "48000", "-"], capture_output=True, check=True).stdout
    a = array.array("h")
    a.frombytes(raw)
    return a


def expanded_edge(fwd, bwd, i, slack):
    """Within `slack` samples of the edge of its zero run."""
    return fwd[i] <= slack or bwd[i] <= slack


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "aloud"))
    ap.add_argument("--text", default=os.path.join(os.path.dirname(__file__), "..", "text",
                                                    "news.txt"))
    ap.add_argument("--voice", default="narrator")
    ap.add_argument("--slack", type=float, default=30.0, help="ms around silence allowed")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="aloud-cuts-")
    wav, cut, whole = (os.path.join(d, n) for n in ("src.wav", "cut.opus", "whole.opus"))
    base = [args.aloud, "-q", "--voice", args.voice, args.text, "-o"]
    subprocess.run(base + [wav], check=True)
    subprocess.run(base + [cut], check=True)
    env = dict(os.environ, ALOUD_ENCODE_WHOLE="1")
    subprocess.run(base + [whole], check=True, env=env)

    with wave.open(wav) as w:
        rate = w.getframerate()
        src = array.array("h")
        src.frombytes(w.readframes(w.getnframes()))
    a, b = decode48(cut), decode48(whole)
    n = min(len(a), len(b))
    print("decoded lengths: segments %d, one encoder %d, source %d at %d Hz (%.1f s)"
          % (len(a), len(b), len(src), rate, len(src) / rate))

    # Silent at 48 kHz sample j: the source is zero within --slack ms of j's time.
    slack = int(args.slack * rate / 1000)
    silent_src = bytearray(len(src))
    run = 0
    # zero-run lengths ending at i (forward) and starting at i (backward), shrunk by slack
    fwd = [0] * len(src)
    for i, v in enumerate(src):
        run = run + 1 if v == 0 else 0
        fwd[i] = run
    bwd = [0] * len(src)
    run = 0
    for i in range(len(src) - 1, -1, -1):
        run = run + 1 if src[i] == 0 else 0
        bwd[i] = run
    # a sample counts as "inside silence" when it is in a zero run, allowing slack at its edges
    for i in range(len(src)):
        if src[i] == 0:
            silent_src[i] = 1
    expanded = bytearray(silent_src)
    for i in range(len(src)):
        if silent_src[i] and (fwd[i] == 1 or bwd[i] == 1):
            lo, hi = max(0, i - slack), min(len(src), i + slack + 1)
            for k in range(lo, hi):
                expanded[k] = 1

    # deep silence: zero in the source and more than --slack from any speech
    deep = bytearray(len(src))
    for i in range(len(src)):
        deep[i] = 1 if silent_src[i] and not expanded_edge(fwd, bwd, i, slack) else 0

    differ = 0
    outside_max = 0
    spans = []
    for j in range(n):
        dv = a[j] - b[j]
        if dv == 0:
            continue
        differ += 1
        i = min(len(src) - 1, j * rate // 48000)
        if not expanded[i]:
            outside_max = max(outside_max, abs(dv))
        if not spans or j - spans[-1][1] > 48000 // 10:
            spans.append([j, j])
        else:
            spans[-1][1] = j
    print("samples that differ: %d of %d, in %d spans" % (differ, n, len(spans)))
    print("largest difference in speech (outside silence +-%.0f ms): %d" % (args.slack, outside_max))

    def silence_peak(dec):
        """Largest |decoded| in deep silence, dBFS: a click at a cut would show here."""
        peak = 0
        for j in range(len(dec)):
            i = j * rate // 48000
            if i < len(src) and deep[i]:
                peak = max(peak, abs(dec[j]))
        return 20 * math.log10(peak / 32768) if peak else -math.inf

    def snr(dec):
        sig = err = 0.0
        for i in range(0, len(src)):
            if src[i] == 0:
                continue
            j = i * 48000 // rate
            if j >= len(dec):
                break
            s = src[i]
            e = dec[j] - s
            sig += s * s
            err += e * e
        return 10 * math.log10(sig / err) if err else math.inf
    pa, pb = silence_peak(a), silence_peak(b)
    sa, sb = snr(a), snr(b)
    print("peak in deep silence: segments %.1f dBFS, one encoder %.1f dBFS" % (pa, pb))
    print("SNR in speech against the source: segments %.2f dB, one encoder %.2f dB" % (sa, sb))
    print("sizes: segments %d bytes, one encoder %d bytes"
          % (os.path.getsize(cut), os.path.getsize(whole)))
    confined = outside_max == 0
    equivalent = pa <= max(pb + 1.0, -60.0) and abs(sa - sb) <= 0.1
    print("differences confined to silence: %s" % ("yes" if confined else "no: libopus's "
          "adaptive state (rate control, analysis) carries across silence, so every segment "
          "after a cut is a different encoding of the speech"))
    print("equivalent (no click in silence: peak within 1 dB of one encoder's, or under -60 "
          "dBFS; speech SNR "
          "within 0.1 dB): %s" % ("yes" if equivalent else "NO"))
    ok = equivalent
    for f in (wav, cut, whole):
        os.unlink(f)
    os.rmdir(d)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
