#!/usr/bin/env python3
"""Speed and memory of aloud against the espeak-ng program on the same text.

Runs, in turn and several times, `espeak-ng -v en-us -f TEXT -w OUT.wav` and
aloud to WAV, FLAC, WAV with -j 1, Opus, MP3 and M4B, on about 100 KB of text (the GPL-3
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
OTHER to WAV and FLAC (or to the formats of --rows), and a paired line per format gives the median over
rounds of this build's time over OTHER's: the A/B for a change that must not
be slower. The batch and short rows then run OTHER too, in the same rounds.

Three more rows, each against espeak-ng in the same round:
- batch: 40 short articles of about 4 KB, made deterministically from the
  paragraphs of the same text (article k starts at paragraph 7k), rendered by
  one `aloud -o DIR/ -f wav|flac` against `xargs -P2 espeak-ng -w` over the
  same files (skip with --no-batch);
- short: the seed article (../shared/seeds/*.txt, skipped when absent), to
  WAV and FLAC against `espeak-ng -w`;
- tree memory: the peak of the memory of all of aloud's processes together
  (the main process, its helper and the workers) on the text and on one four
  times longer: /proc/PID/smaps_rollup's Pss summed over the process tree,
  sampled every 10 ms while the render runs. Pss shares each page among the
  processes that map it, so pages the workers share with their helper
  (espeak-ng's data, the libraries) count once, as the machine pays for them;
  the sum of Rss, which counts them in every process, is printed beside it.

    bench/speed.py [--aloud build/aloud] [--baseline OLD_ALOUD] [--runs 5] [--text FILE]
                   [--no-batch] [--seeds DIR]
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def timed(cmd, output):
    """Wall seconds, peak RSS (MB) of the largest process in cmd's tree, and CPU seconds (user
    and system, of the process and the children it waited for)."""
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
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def tree(pid):
    """pid and its descendants, from /proc/PID/task/PID/children."""
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        found.append(p)
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                frontier += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return found


def mem_kb(pid):
    """(Pss, Rss) of pid in kB, from /proc/PID/smaps_rollup; zeros once it is gone."""
    pss = rss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def tree_peak(cmd, output):
    """Wall seconds and the peaks of Pss and of Rss summed over cmd's process tree (MB)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0, 0]

    def sample():
        while proc.poll() is None:
            mems = [mem_kb(p) for p in tree(proc.pid)]
            peak[0] = max(peak[0], sum(m[0] for m in mems))
            peak[1] = max(peak[1], sum(m[1] for m in mems))
            time.sleep(0.01)

    watcher = threading.Thread(target=sample)
    start = time.perf_counter()
    watcher.start()
    proc.wait()
    wall = time.perf_counter() - start
    watcher.join()
    if proc.returncode != 0:
        sys.exit("failed: %s" % " ".join(cmd))
    os.unlink(output)
    return wall, peak[0] / 1024.0, peak[1] / 1024.0


def timed_batch(cmd, folder):
    """Wall seconds of cmd, which writes into folder; the folder is emptied after."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), proc.stderr.decode()))
    out = os.path.join(folder, "out")
    for name in os.listdir(out):
        os.unlink(os.path.join(out, name))
    return wall


def make_articles(folder, source, count=40, size=4000):
    """count articles of about size bytes from source's paragraphs: a title, then
    paragraphs in order from paragraph 7k on, wrapping round. Returns their names."""
    with open(source, encoding="utf-8") as f:
        paras = [" ".join(p.split()) for p in f.read().split("\n\n") if p.strip()]
    names = []
    for k in range(count):
        body, n, i = ["Article %d" % (k + 1)], 0, 7 * k
        while n < size:
            body.append(paras[i % len(paras)])
            n += len(body[-1])
            i += 1
        name = "article%02d.txt" % (k + 1)
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write("\n\n".join(body) + "\n")
        names.append(name)
    os.makedirs(os.path.join(folder, "out"))
    return names


def ratio_line(name, walls, base):
    ratios = [w / b for w, b in zip(walls, base)]
    print("%-16s %9.3f %9.3f %6.2f-%-6.2f" % (name, statistics.median(walls),
                                              statistics.median(ratios), min(ratios),
                                              max(ratios)))


def batch_rows(args, work):
    """The batch row: 40 short articles, aloud against xargs -P2 espeak-ng."""
    folder = os.path.join(work, "batch")
    os.makedirs(folder)
    names = make_articles(folder, args.text)
    aloud = os.path.abspath(args.aloud)
    cases = [
        ("xargs espeak-ng", ["sh", "-c", "printf '%s\\n' \"$@\" | xargs -P2 -I{} espeak-ng -v en-us "
                                        "-f {} -w out/{}.wav", "sh"] + names),
        ("aloud batch wav", [aloud, "-q", "-f", "wav", "-o", "out/"] + names),
        ("aloud batch flac", [aloud, "-q", "-f", "flac", "-o", "out/"] + names),
    ]
    if args.baseline:
        base = os.path.abspath(args.baseline)
        cases += [("baseline bat wav", [base, "-q", "-f", "wav", "-o", "out/"] + names),
                  ("baseline bat flac", [base, "-q", "-f", "flac", "-o", "out/"] + names)]
    walls = {name: [] for name, _ in cases}
    for _ in range(args.runs):
        for name, cmd in cases:
            walls[name].append(timed_batch(cmd, folder))
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in names) / len(names)
    print("batch: %d articles of %.0f bytes on average, %d rounds" % (len(names), size, args.runs))
    for name, _ in cases:
        ratio_line(name, walls[name], walls["xargs espeak-ng"])


def short_rows(args, work):
    """The short-article row: the seed article alone."""
    seeds = sorted(os.path.join(args.seeds, f) for f in os.listdir(args.seeds)
                   if f.endswith(".txt")) if os.path.isdir(args.seeds) else []
    if not seeds:
        print("short: skipped, no seed article in %s" % args.seeds)
        return
    seed = seeds[0]
    out = lambda name: os.path.join(work, name)  # noqa: E731
    cases = [
        ("espeak-ng", ["espeak-ng", "-v", "en-us", "-f", seed, "-w"], out("s-espeak.wav")),
        ("aloud wav", [args.aloud, "-q", seed, "-o"], out("s.wav")),
        ("aloud flac", [args.aloud, "-q", seed, "-o"], out("s.flac")),
    ]
    if args.baseline:
        cases += [("baseline wav", [args.baseline, "-q", seed, "-o"], out("b.wav")),
                  ("baseline flac", [args.baseline, "-q", seed, "-o"], out("b.flac"))]
    walls = {name: [] for name, _, _ in cases}
    for _ in range(args.runs * 4):
        for name, cmd, output in cases:
            walls[name].append(timed(cmd + [output], output)[0])
    print("short: %s, %d bytes; %d rounds" % (os.path.basename(seed), os.path.getsize(seed),
                                              args.runs * 4))
    for name, _, _ in cases:
        ratio_line(name, walls[name], walls["espeak-ng"])


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


def paired(args, walls, formats):
    """This build's time over the baseline's, round by round."""
    if not args.baseline:
        return
    for fmt in formats:
        ratios = [a / b for a, b in zip(walls["aloud " + fmt], walls["baseline " + fmt])]
        print("paired %-9s this build / baseline: median %.3f, range %.2f-%.2f" % (
            fmt, statistics.median(ratios), min(ratios), max(ratios)))


def report(args, text, cases, walls, rss, cpus):
    """The table of median times and ratios to espeak-ng."""
    base = walls["espeak-ng"]
    print("machine: %s" % machine())
    print("text: %s x%d, %d bytes; %d rounds, the programs in turn in each" % (
        args.text, args.copies, os.path.getsize(text), args.runs))
    print("%-16s %9s %9s %13s %9s %9s" % ("", "median s", "ratio", "ratio range", "peak MB",
                                          "CPU s"))
    for name, _, _ in cases:
        ratios = [w / b for w, b in zip(walls[name], base)]
        print("%-16s %9.3f %9.3f %6.2f-%-6.2f %9.1f %9.2f" % (
            name, statistics.median(walls[name]), statistics.median(ratios), min(ratios),
            max(ratios), max(rss[name]), statistics.median(cpus[name])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "aloud"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--text", default="/usr/share/common-licenses/GPL-3")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--baseline", help="an earlier aloud to compare with, round by round")
    ap.add_argument("--no-batch", action="store_true", help="leave out the batch row")
    ap.add_argument("--rows", help="only these of aloud's rows, e.g. opus,mp3 (with espeak-ng's; "
                    "no memory rows; the short-article and batch rows when named: short, batch)")
    ap.add_argument("--seeds", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "..", "..", "shared", "seeds"))
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
        ("aloud m4b", [args.aloud, "-q", text, "-o"], out("a.m4b")),
    ]
    if args.rows:
        keep = {"espeak-ng"} | {"aloud " + r for r in args.rows.split(",")}
        cases = [c for c in cases if c[0] in keep]
    # The baseline in the formats of --rows, else in WAV and FLAC.
    paired_formats = ([r for r in args.rows.split(",") if r not in ("short", "batch")]
                      if args.rows else ["wav", "flac"])
    if args.baseline:
        cases += [("baseline " + fmt, [args.baseline, "-q", text, "-o"], out("b." + fmt))
                  for fmt in paired_formats]
    walls = {name: [] for name, _, _ in cases}
    rss = {name: [] for name, _, _ in cases}
    cpus = {name: [] for name, _, _ in cases}
    for _ in range(args.runs):
        for name, cmd, output in cases:
            w, m, c = timed(cmd + [output], output)
            walls[name].append(w)
            rss[name].append(m)
            cpus[name].append(c)
    if args.rows:
        report(args, text, cases, walls, rss, cpus)
        paired(args, walls, paired_formats)
        if "short" in args.rows.split(","):
            short_rows(args, work)
        if "batch" in args.rows.split(","):
            batch_rows(args, work)
        shutil.rmtree(work)
        return
    big_rss = max(timed([args.aloud, "-q", big, "-o", out("big.flac")], out("big.flac"))[1]
                  for _ in range(2))

    report(args, text, cases, walls, rss, cpus)
    paired(args, walls, paired_formats)
    small = max(rss["aloud flac"])
    print("memory: %.1f MB on the text, %.1f MB on one four times longer (ratio %.2f)" % (
        small, big_rss, big_rss / small))
    trees = [tree_peak([args.aloud, "-q", path, "-o", out("t.flac")], out("t.flac"))
             for path in (text, big) for _ in range(2)]
    print("tree memory (all aloud processes together, peak of the sum): Pss %.1f MB on the "
          "text, %.1f MB on one four times longer; Rss, which counts shared pages once per "
          "process, %.1f and %.1f MB" % (max(t[1] for t in trees[:2]), max(t[1] for t in trees[2:]),
                                         max(t[2] for t in trees[:2]), max(t[2] for t in trees[2:])))
    short_rows(args, work)
    if not args.no_batch:
        batch_rows(args, work)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
