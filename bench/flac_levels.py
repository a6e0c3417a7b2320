#!/usr/bin/env python3
"""FLAC compression levels on aloud's own speech (22050 Hz mono, 16-bit):
size and encoding time of each level, measured with the flac program on a
WAV render of the GPL-3, so the level aloud uses is chosen by numbers.

    bench/flac_levels.py [--aloud build/aloud] [--text FILE] [--runs 3]
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile


def cpu_seconds(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "aloud"))
    ap.add_argument("--text", default="/usr/share/common-licenses/GPL-3")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("flac"):
        sys.exit("the flac program is not installed")
    work = tempfile.mkdtemp(prefix="aloud-flac-")
    wav = os.path.join(work, "speech.wav")
    subprocess.run([args.aloud, "-q", "-o", wav, args.text], check=True)
    raw = os.path.getsize(wav)
    seconds = (raw - 44) / 2 / 22050
    print("speech: %.0f s of audio, %.1f MB as WAV" % (seconds, raw / 1e6))
    print("%5s %10s %8s %12s %14s" % ("level", "MB", "ratio", "CPU s", "s per hour"))
    for level in range(9):
        out = os.path.join(work, "l%d.flac" % level)
        cmd = ["flac", "-s", "-f", "-%d" % level, "-o", out, wav]
        best = min(cpu_seconds(cmd) for _ in range(args.runs))
        size = os.path.getsize(out)
        print("%5d %10.2f %8.3f %12.3f %14.2f" % (level, size / 1e6, size / raw, best,
                                                   best * 3600 / seconds))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
