#!/usr/bin/env python3
"""Speed and memory of aloud against the espeak-ng program on the same text.

Runs, in turn and several times, `espeak-ng -v en-us -f TEXT -w OUT.wav` and
aloud to WAV, FLAC, WAV with -j 1, Opus and MP3, on about 100 KB of text (the GPL-3
three times over, unless --text names another), and prints median wall
times, ratios to espeak-ng, and peak memory (the largest process of each
run's tree). A second text four times longer checks that memory does not
grow with the text.

Each run writes a new file, as rendering an article does, and the file is
deleted as soon as the run ends: otherwise the kernel writes hundreds of
megabytes back to disk during a later run, and that run pays for it.
(Replacing an existing file costs both programs about 0.15 s more on ext4,
which flushes the new data at the truncation or the rename.)
A ratio is the median over rounds of aloud's time over espeak-ng's in the
same round, which holds up better than a ratio of medians when the machine
speeds up or slows down during the benchmark.

With --baseline OTHER (an earlier build of aloud), the same rounds also run
OTHER to WAV and FLAC, and a paired line per format gives the median over
rounds of this build's time over OTHER's: the A/B for a change that must not
be slower.

    bench/speed.py [--aloud build/aloud] [--baseline OLD_ALOUD] [--runs 5] [--text FILE]
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, output):
    """Wall seconds and peak RSS (MB) of the largest process in cmd's tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), err))
    # Gone before the next run, so the kernel does not write it back in the middle of one.
    os.unlink(output)
    return wall, usage.ru_maxrss / 1024.0


def make_text(folder, copies, source):
    path = os.path.join(folder, "bench-%dx.txt" % copies)
    with open(source, encoding="utf-8") as f:
        body = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join([body] * copies))
    return path


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d cores, %.0f GiB, %s" % (cpu, os.cpu_count(), mem, platform.platform())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "aloud"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--text", default="/usr/share/common-licenses/GPL-3")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--baseline", help="an earlier aloud to compare with, round by round")
    args = ap.parse_args()
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is not installed")

    work = tempfile.mkdtemp(prefix="aloud-bench-")
    text = make_text(work, args.copies, args.text)
    big = make_text(work, args.copies * 4, args.text)
    out = lambda name: os.path.join(work, name)  # noqa: E731
    cases = [
        ("espeak-ng", ["espeak-ng", "-v", "en-us", "-f", text, "-w"], out("espeak.wav")),
        ("aloud wav", [args.aloud, "-q", text, "-o"], out("a.wav")),
        ("aloud flac", [args.aloud, "-q", text, "-o"], out("a.flac")),
        ("aloud wav -j 1", [args.aloud, "-q", "-j", "1", text, "-o"], out("a1.wav")),
        ("aloud opus", [args.aloud, "-q", text, "-o"], out("a.opus")),
        ("aloud mp3", [args.aloud, "-q", text, "-o"], out("a.mp3")),
    ]
    if args.baseline:
        cases += [
            ("baseline wav", [args.baseline, "-q", text, "-o"], out("b.wav")),
            ("baseline flac", [args.baseline, "-q", text, "-o"], out("b.flac")),
        ]
    walls = {name: [] for name, _, _ in cases}
    rss = {name: [] for name, _, _ in cases}
    for _ in range(args.runs):
        for name, cmd, output in cases:
            w, m = timed(cmd + [output], output)
            walls[name].append(w)
            rss[name].append(m)
    big_rss = max(timed([args.aloud, "-q", big, "-o", out("big.flac")], out("big.flac"))[1]
                  for _ in range(2))

    base = walls["espeak-ng"]
    print("machine: %s" % machine())
    print("text: %s x%d, %d bytes; %d rounds, the programs in turn in each" % (
        args.text, args.copies, os.path.getsize(text), args.runs))
    print("%-16s %9s %9s %13s %9s" % ("", "median s", "ratio", "ratio range", "peak MB"))
    for name, _, _ in cases:
        ratios = [w / b for w, b in zip(walls[name], base)]
        print("%-16s %9.3f %9.3f %6.2f-%-6.2f %9.1f" % (
            name, statistics.median(walls[name]), statistics.median(ratios), min(ratios),
            max(ratios), max(rss[name])))
    if args.baseline:
        for fmt in ("wav", "flac"):
            paired = [a / b for a, b in zip(walls["aloud " + fmt], walls["baseline " + fmt])]
            print("paired %-9s this build / baseline: median %.3f, range %.2f-%.2f" % (
                fmt, statistics.median(paired), min(paired), max(paired)))
    small = max(rss["aloud flac"])
    print("memory: %.1f MB on the text, %.1f MB on one four times longer (ratio %.2f)" % (
        small, big_rss, big_rss / small))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
