#!/usr/bin/python3
"""Proof that MP3 (or M4B) encoded in parallel segments sounds like one encoder.

aloud's MP3 and M4B writers cut the audio inside runs of digital silence and
encode each segment with a fresh encoder in a thread of its own (segenc.h).
This script renders the same text to WAV (the PCM the encoder is handed), to
the format as aloud makes it (segments), and through one encoder
(ALOUD_ENCODE_WHOLE=1), decodes both with ffmpeg at the source rate and
compares them:

- the decoded lengths (MP3: each must be the source's, to the sample; for
  M4B ffmpeg applies the edit list's start, not its end, so both decode to
  whole AAC frames: they must be equal);
- where the two decodes differ: the share of differing samples that lie in
  the source's silence (with --slack ms around speech), and the largest
  difference in speech. Not 0: an encoder after a cut starts with an empty
  bit reservoir (MP3) or fresh state, so the speech after a cut is a
  different encoding of the same audio, not a worse one;
- the peak of each decode in deep silence (the source zero and more than
  --slack from speech): a click at a cut would show here;
- how close each decode is to the source in speech: SNR over the source's
  nonzero samples, and the mel log-spectral distance of
  bench/codec_settings.py (lower is better).

Exit status 0 when the segments are equivalent: the same length, the peak
in deep silence within 1 dB of one encoder's (or under -60 dBFS), speech
SNR no more than 0.1 dB lower and mel LSD no more than 0.02 dB higher than
one encoder's.

    bench/encode_cuts.py [--format mp3|m4b] [--aloud build/aloud] [--text text/news.txt]

Needs numpy and ffmpeg.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from codec_settings import Reference, read_wav, snr  # noqa: E402


def decode(path, rate):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1",
                          "-ar", str(rate), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<i2") / 32768.0


def near_speech(src, reach):
    """True where a nonzero source sample lies within `reach` samples."""
    loud = (src != 0).astype(np.int64)
    c = np.concatenate([[0], np.cumsum(loud)])
    i = np.arange(len(src))
    lo = np.clip(i - reach, 0, len(src))
    hi = np.clip(i + reach + 1, 0, len(src))
    return (c[hi] - c[lo]) > 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", default="mp3", choices=("mp3", "m4b"))
    ap.add_argument("--aloud", default=os.path.join(HERE, "..", "build", "aloud"))
    ap.add_argument("--text", default=os.path.join(HERE, "..", "text", "news.txt"))
    ap.add_argument("--voice", default="narrator")
    ap.add_argument("--slack", type=float, default=30.0, help="ms around speech")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="aloud-cuts-")
    wav, cut, whole = (os.path.join(d, n) for n in
                       ("src.wav", "cut." + args.format, "whole." + args.format))
    base = [args.aloud, "-q", "--voice", args.voice, args.text, "-o"]
    subprocess.run(base + [wav], check=True)
    subprocess.run(base + [cut], check=True)
    subprocess.run(base + [whole], check=True, env=dict(os.environ, ALOUD_ENCODE_WHOLE="1"))

    src, rate = read_wav(wav)
    a, b = decode(cut, rate), decode(whole, rate)
    print("%s, %s: source %d samples at %d Hz (%.1f s); decoded: segments %d, one encoder %d"
          % (args.format, os.path.basename(args.text), len(src), rate, len(src) / rate,
             len(a), len(b)))
    same_length = len(a) == len(b) and (len(a) == len(src) if args.format == "mp3"
                                        else 0 <= len(a) - len(src) < 1024)
    n = min(len(a), len(b), len(src))
    src, a, b = src[:n], a[:n], b[:n]
    speech = near_speech(src, int(args.slack * rate / 1000))
    differ = a != b
    print("samples that differ: %d of %d; in silence (more than %.0f ms from speech): %d, "
          "in or near speech: %d" % (differ.sum(), n, args.slack, (differ & ~speech).sum(),
                                     (differ & speech).sum()))
    if (differ & speech).any():
        print("largest difference in speech: %.1f dB below full scale"
              % (-20 * np.log10(np.abs(a - b)[speech].max())))

    def peak(dec):
        quiet = np.abs(dec[~speech])
        p = quiet.max() if len(quiet) else 0.0
        return 20 * np.log10(p) if p > 0 else -np.inf

    ref = Reference(src, rate)
    pa, pb = peak(a), peak(b)
    sa, sb = snr(src, a), snr(src, b)
    la, lb = ref.lsd(a, rate), ref.lsd(b, rate)
    print("peak in deep silence: segments %.1f dBFS, one encoder %.1f dBFS" % (pa, pb))
    print("speech SNR: segments %.2f dB, one encoder %.2f dB" % (sa, sb))
    print("speech mel LSD: segments %.3f dB, one encoder %.3f dB" % (la, lb))
    print("sizes: segments %d bytes, one encoder %d bytes"
          % (os.path.getsize(cut), os.path.getsize(whole)))
    equivalent = (same_length and pa <= max(pb + 1.0, -60.0) and sa >= sb - 0.1
                  and la <= lb + 0.02)
    print("equivalent (same length; no click: peak in deep silence within 1 dB of one "
          "encoder's or under -60 dBFS; SNR at most 0.1 dB lower, mel LSD at most 0.02 dB "
          "higher): %s"
          % ("yes" if equivalent else "NO"))
    for f in (wav, cut, whole):
        os.unlink(f)
    os.rmdir(d)
    sys.exit(0 if equivalent else 1)


if __name__ == "__main__":
    main()
