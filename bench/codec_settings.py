#!/usr/bin/env python3
"""Opus and MP3 encoder settings for espeak-ng speech, by measurement.

Renders a text to WAV once (what the writers are handed), then renders it
with aloud at each Opus complexity (ALOUD_OPUS_COMPLEXITY, a benchmark hook)
and each LAME quality (ALOUD_MP3_QUALITY), and reports the file size, aloud's wall and CPU time for the whole render,
and the SNR in speech of the decode against the source (ffmpeg decodes; a
waveform measure, blunt for a perceptual codec, but the same for every
setting, so it ranks them).

    bench/codec_settings.py [--aloud build/aloud] [--text text/news.txt]
"""
import argparse
import array
import math
import os
import resource
import subprocess
import tempfile
import time
import wave


def snr(src, rate, path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar",
                          str(rate), "-"], capture_output=True, check=True).stdout
    dec = array.array("h")
    dec.frombytes(raw)
    sig = err = 0.0
    for i in range(min(len(src), len(dec))):
        if src[i]:
            sig += src[i] * src[i]
            e = dec[i] - src[i]
            err += e * e
    return 10 * math.log10(sig / err)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(__file__)
    ap.add_argument("--aloud", default=os.path.join(here, "..", "build", "aloud"))
    ap.add_argument("--text", default=os.path.join(here, "..", "text", "news.txt"))
    ap.add_argument("--complexities", default="0,2,4,5,6,8,10")
    ap.add_argument("--qualities", default="0,2,3,5,7,9")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="aloud-opus-")
    wav = os.path.join(d, "src.wav")
    subprocess.run([args.aloud, "-q", args.text, "-o", wav], check=True)
    with wave.open(wav) as w:
        rate = w.getframerate()
        src = array.array("h")
        src.frombytes(w.readframes(w.getnframes()))
    runs = [("opus", "ALOUD_OPUS_COMPLEXITY", c) for c in args.complexities.split(",")]
    runs += [("mp3", "ALOUD_MP3_QUALITY", q) for q in args.qualities.split(",")]
    print("| format | setting | size | wall | CPU | SNR in speech |")
    print("| --- | --- | --- | --- | --- | --- |")
    for ext, var, value in runs:
        out = os.path.join(d, "s%s.%s" % (value, ext))
        env = dict(os.environ, **{var: value})
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([args.aloud, "-q", args.text, "-o", out], check=True, env=env)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print("| %s | %s=%s | %d | %.2f s | %.2f s | %.2f dB |"
              % (ext, var.split("_")[-1].lower(), value, os.path.getsize(out), wall, cpu,
                 snr(src, rate, out)))
        os.unlink(out)
    os.unlink(wav)
    os.rmdir(d)


if __name__ == "__main__":
    main()
