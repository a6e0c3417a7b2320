#!/usr/bin/env python3
"""Batch rendering: several inputs into a folder with one engine, each output
the same bytes as alone, one bad input not stopping the others, --json result lines, and the documented recipe for
many machines (GNU parallel) run locally."""
import json
import os
import shutil
import signal
import subprocess

from aloudtest import ALOUD, case, check, finish, need, own_chapters, run, samples, segmentation, tempdir


def write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_batch_into_folder_with_a_bad_input():
    d = tempdir()
    good = samples()[:2]
    bad = write(d, "bad.txt", b"Fine start.\n\xff\n")
    missing = os.path.join(d, "missing.txt")
    out = os.path.join(d, "renders")
    rc, stdout, err = run(["--json", "-q", "-o", out, good[0], bad, missing, good[1]])
    check(rc == 1, "a failed input makes exit 1, got %d" % rc)
    check(bad + ":2:1: invalid UTF-8" in err, "the bad input is named: %r" % err)
    check(missing + ": cannot open" in err, "the missing input is named: %r" % err)
    stems = sorted(os.path.splitext(os.path.basename(p))[0] + ".flac" for p in good)
    check(sorted(os.listdir(out)) == stems, "good inputs rendered: %s" % os.listdir(out))

    results = {r["input"]: r for r in map(json.loads, stdout.splitlines())}
    check(len(results) == 4, "one JSON line per input: %r" % stdout)
    for path in good:
        r = results.get(path, {})
        check(r.get("ok") is True, "%s ok in JSON" % path)
        check(r.get("chapters") == len(segmentation(path)), "%s chapters in JSON" % path)
        own = own_chapters(r.get("output", ""))
        check(abs(r.get("duration", 0) - own["frames"] / 22050) < 0.001, "%s duration" % path)
    check(results.get(bad, {}).get("ok") is False and "invalid UTF-8" in results[bad]["error"],
          "bad input in JSON: %r" % results.get(bad))
    check(results.get(missing, {}).get("ok") is False, "missing input in JSON")


def test_batch_all_good_and_stdin():
    d = tempdir()
    with open(samples()[0], "rb") as f:
        text = f.read()
    rc, stdout, err = run(["-q", "--json", "-f", "wav", "-o", d, samples()[1], "-"], stdin=text)
    check(rc == 0, "all good exits 0: %s" % err)
    stem = os.path.splitext(os.path.basename(samples()[1]))[0]
    check(sorted(os.listdir(d)) == sorted([stem + ".wav", "stdin.wav"]), "outputs: %s"
          % os.listdir(d))
    check(len(stdout.splitlines()) == 2, "two JSON lines")


def run_to(args, stdout, ignore_sigpipe=False):
    """Runs aloud with its stdout on the descriptor `stdout`; (exit code, stderr)."""
    pre = (lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)) if ignore_sigpipe else None
    proc = subprocess.run([ALOUD] + args, stdout=stdout, stderr=subprocess.PIPE, timeout=600,
                          preexec_fn=pre)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def test_json_line_not_written():
    """A --json line that cannot be written (a full disk, a pipe nobody
    reads) is a failure: exit 1 and a message, never silence and 0."""
    d = tempdir()
    short = [write(d, "one.txt", b"A short line.\n"), write(d, "two.txt", b"Another one.\n")]
    out = os.path.join(d, "out")
    with open("/dev/full", "wb") as full:
        rc, err = run_to(["-q", "--json", "-f", "wav", "-o", out + "/", short[0]], full.fileno())
        check(rc == 1, "--json to a full disk exits 1, got %d" % rc)
        check("aloud: error: cannot write the --json result line to standard output: "
              "No space left on device" in err, "the full disk is named: %r" % err)
        check(os.path.exists(os.path.join(out, "one.wav")), "the render itself succeeded")
        rc, err = run_to(["-q", "--json", "-f", "wav", "-o", out + "/"] + short, full.fileno())
        check(rc == 1, "a batch with --json to a full disk exits 1, got %d" % rc)
        check(err.count("cannot write the --json result line") == 2, "each input says so: %r"
              % err)

    # A pipe whose reader is gone before aloud starts: with SIGPIPE ignored by
    # the parent the write fails with EPIPE (exit 1, said); with it at its
    # default aloud ends as for any stopping signal: 128+13, without a word.
    for ignore in (True, False):
        r, w = os.pipe()
        os.close(r)
        try:
            rc, err = run_to(["-q", "--json", "-f", "wav", "-o", out + "/", short[0]], w,
                             ignore_sigpipe=ignore)
        finally:
            os.close(w)
        if ignore:
            check(rc == 1, "--json to a closed pipe exits 1, got %d" % rc)
            check("result line to standard output: Broken pipe" in err, "EPIPE is named: %r" % err)
        else:
            check(rc == 128 + signal.SIGPIPE, "SIGPIPE at its default ends with 141, got %d" % rc)
            check("error" not in err, "a reader that left is no error to report: %r" % err)


def test_batch_bytes_as_alone():
    """One engine for the whole batch, the next input started early: every output is
    byte-identical to a render of that input alone, with -j 1 and -j 2, for WAV and FLAC,
    and an input that fails in the middle (bad UTF-8, read one input ahead) is named, exits
    1 and leaves the inputs around it as they would be alone."""
    d = tempdir()
    texts = samples()
    bad = write(d, "bad.txt", b"Fine start.\n\xff\n")
    inputs = texts[:1] + [bad] + texts[1:]
    for fmt in ("wav", "flac"):
        for jobs in ("1", "2"):
            out = os.path.join(d, "batch-%s-%s" % (fmt, jobs))
            rc, _, err = run(["-q", "-j", jobs, "-f", fmt, "-o", out + "/"] + inputs)
            check(rc == 1, "a batch with a bad input exits 1, got %d: %s" % (rc, err))
            check(err.count("aloud: error:") == 1 and bad + ":2:1: invalid UTF-8" in err,
                  "only the bad input is named: %r" % err)
            for src in texts:
                stem = os.path.splitext(os.path.basename(src))[0]
                alone = os.path.join(d, "alone.%s" % fmt)
                rc, _, err = run(["-q", "-j", jobs, "-o", alone, src])
                check(rc == 0, "alone: %s" % err)
                with open(alone, "rb") as f, open(os.path.join(out, stem + "." + fmt), "rb") as g:
                    check(f.read() == g.read(), "%s -j %s %s: batch output as alone"
                          % (fmt, jobs, stem))
            check(not os.path.exists(os.path.join(out, "bad." + fmt)), "no output for bad input")


def test_trailing_slash_is_a_folder():
    d = tempdir()
    rc, _, err = run(["-q", "-o", os.path.join(d, "new") + "/", samples()[0]])
    stem = os.path.splitext(os.path.basename(samples()[0]))[0]
    check(rc == 0 and os.listdir(os.path.join(d, "new")) == [stem + ".flac"],
          "-o DIR/ for one input: %s" % err)


def test_same_stem_refused():
    d = tempdir()
    a = os.path.join(d, "a")
    b = os.path.join(d, "b")
    os.makedirs(a)
    os.makedirs(b)
    one = write(a, "x.txt", b"One.\n")
    two = write(b, "x.txt", b"Two.\n")
    rc, _, err = run(["-o", os.path.join(d, "out"), one, two])
    check(rc == 2 and "would both be written" in err, "same stems refused: %d %r" % (rc, err))
    check(not os.path.exists(os.path.join(d, "out")), "nothing rendered")


def test_parallel_recipe():
    """The README's recipe for many machines, run on this one."""
    need("parallel")
    d = tempdir()
    listing = write(d, "inputs.txt", ("\n".join(samples()) + "\n").encode())
    out = os.path.join(d, "shard")
    cmd = ["parallel", "--will-cite", "-j", "2", "--joblog", os.path.join(d, "log"),
           ALOUD, "-q", "-j", "1", "--json", "-o", out + "/", "{}", "::::", listing]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    check(proc.returncode == 0, "parallel recipe: %s" % proc.stderr)
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    check(len(lines) == len(samples()) and all(x["ok"] for x in lines), "every shard ok")
    # Retrying a shard gives the same bytes: outputs are deterministic.
    first = os.path.join(out, os.listdir(out)[0])
    with open(first, "rb") as f:
        before = f.read()
    src = [p for p in samples() if os.path.basename(p).startswith(
        os.path.splitext(os.path.basename(first))[0])][0]
    rc, _, _ = run(["-q", "-j", "1", "-o", out + "/", src])
    with open(first, "rb") as f:
        check(rc == 0 and f.read() == before, "a retried shard is byte-identical")


case(test_batch_into_folder_with_a_bad_input)
case(test_batch_all_good_and_stdin)
case(test_json_line_not_written)
case(test_batch_bytes_as_alone)
case(test_trailing_slash_is_a_folder)
case(test_same_stem_refused)
if shutil.which("parallel"):
    case(test_parallel_recipe)
else:
    print("GNU parallel is not installed; the recipe test is skipped")
finish()
