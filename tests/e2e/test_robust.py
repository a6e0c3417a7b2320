#!/usr/bin/env python3
"""Robustness: inputs that crash espeak-ng 1.51, binary and oversized input,
a huge paragraph without punctuation, an output equal to the input, missing
output folders, and SIGINT/SIGTERM in the middle of a render. Every case
checks its exit code, its message and what is left behind."""
import os
import signal
import subprocess
import time

from aloudtest import (ALOUD, asan_build, case, check, descendants, finish, run, samples, tempdir,
                       wav_pcm)


def write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_engine_crashers_render():
    """Texts that crash espeak-ng 1.51 itself still render, and are not dropped."""
    d = tempdir()
    crashers = {
        "apostrophes": ("Before. " + "s'" * 80 + " after.\n").encode(),
        "tamil": "Before \u0b84 after.\n".encode(),
        "digits": ("Count " + "7" * 170 + " done.\n").encode(),
    }
    for name, text in crashers.items():
        src = write(d, name + ".txt", text)
        out = os.path.join(d, name + ".wav")
        rc, _, err = run(["-o", out, src])
        check(rc == 0, "%s: renders (exit %d): %s" % (name, rc, err))
        dropped = "aloud: warning: %s:1:1: left out 1 character that espeak-ng cannot speak " \
                  "safely" % src
        check((dropped in err) == (name == "tamil"), "%s: a dropped character is reported: %r"
              % (name, err))
        check(os.path.isfile(out) and os.path.getsize(out) > 10000, "%s: audio written" % name)
        rc, spoken, _ = run(["--speak-text", src])
        check(rc == 0 and ("after" in spoken or "done" in spoken),
              "%s: the words around it are kept: %r" % (name, spoken))


def test_binary_input():
    d = tempdir()
    src = write(d, "bin.txt", b"Hello there.\nAnd \x00\x01\x02 more.\n")
    rc, _, err = run(["-o", os.path.join(d, "x.flac"), src])
    check(rc == 2, "binary input exits 2, got %d" % rc)
    check(err.strip() == "aloud: error: %s:2:5: a NUL byte: this is a binary file, not text" % src,
          "binary input message: %r" % err)
    check(sorted(os.listdir(d)) == ["bin.txt"], "nothing written: %s" % os.listdir(d))


def test_input_limit():
    d = tempdir()
    src = write(d, "big.txt", b"Words and more words.\n" * 100)
    rc, _, err = run(["--max-input", "1K", "-o", os.path.join(d, "x.flac"), src])
    check(rc == 2 and "--max-input" in err, "over --max-input exits 2: %d %r" % (rc, err))
    rc, _, err = run(["--max-input", "1K", "--sentences", "-"], stdin=b"x" * 5000)
    check(rc == 2 and "--max-input" in err, "stdin over the limit exits 2: %r" % err)
    check(sorted(os.listdir(d)) == ["big.txt"], "nothing written")


def test_huge_paragraph_without_punctuation():
    """60 KB in one paragraph and no punctuation: split at word boundaries,
    rendered in bounded memory."""
    d = tempdir()
    words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa " * 1000).encode()
    src = write(d, "wall.txt", words)
    rc, out, _ = run(["--sentences", src])
    pieces = [line for line in out.splitlines() if line]
    check(rc == 0 and len(pieces) >= 90, "split into many pieces: %d" % len(pieces))
    check(max(len(p.encode()) for p in pieces) <= 600, "no piece over 600 bytes")
    start = time.time()
    proc = subprocess.Popen([ALOUD, "-q", "-o", os.path.join(d, "wall.flac"), src],
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode()
    check(os.waitstatus_to_exitcode(status) == 0, "renders: %s" % err)
    # ASan keeps freed blocks in its quarantine (256 MB by default): the bound is
    # aloud's own in a normal build.
    check(asan_build() or usage.ru_maxrss < 200 * 1024, "peak memory %d KB" % usage.ru_maxrss)
    print("huge paragraph: %.1f s, peak %d KB" % (time.time() - start, usage.ru_maxrss))


def test_absurd_audio_fails_or_is_skipped():
    """A sentence that expands into absurd amounts of audio (here through a
    lexicon whose respelling is 144 words) stops at the per-sentence cap:
    exit 2 naming the sentence, or with --skip-bad silence and a warning."""
    d = tempdir()
    words = " ".join(["alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"] * 12)
    lex = write(d, "big.lex", ("boom = " + words + "\n").encode())
    src = write(d, "t.txt", ("A normal first sentence. Boom " + "boom " * 99 +
                             "boom.\n\nA last paragraph.\n").encode())
    out = os.path.join(d, "x.wav")
    rc, _, err = run(["--lexicon", lex, "-o", out, src])
    check(rc == 2, "absurd audio exits 2, got %d" % rc)
    check(err.strip() == "aloud: error: %s:1:26: the sentence makes more than 10 minutes of "
          "audio; stopped" % src, "absurd audio message: %r" % err)
    check(sorted(os.listdir(d)) == ["big.lex", "t.txt"], "nothing written: %s" % os.listdir(d))

    rc, _, err = run(["--skip-bad", "-v", "--lexicon", lex, "-o", out, src])
    check(rc == 0, "--skip-bad renders: %d %s" % (rc, err))
    check("aloud: warning: %s:1:26: sentence skipped (silence instead): the sentence makes "
          "more than 10 minutes of audio; stopped" % src in err, "skip reported: %r" % err)
    marks = [line for line in err.splitlines() if line.startswith("aloud: chapter ")]
    check(len(marks) == 2, "both paragraphs are chapters: %s" % marks)
    rate, raw = wav_pcm(out)
    check(len(raw) / 2 / rate < 15, "the skipped sentence is silence, not minutes of audio")


def test_output_is_input():
    d = tempdir()
    src = write(d, "same.wav", b"A text that is named like audio.\n")
    rc, _, err = run(["-f", "wav", "-o", src, src])
    check(rc == 2 and "is the input itself" in err, "output == input refused: %d %r" % (rc, err))
    with open(src, "rb") as f:
        check(f.read() == b"A text that is named like audio.\n", "input untouched")
    check(sorted(os.listdir(d)) == ["same.wav"], "nothing else written")


def test_missing_output_folder_created():
    d = tempdir()
    out = os.path.join(d, "a", "b", "c.wav")
    rc, _, err = run(["-q", "-o", out, samples()[0]])
    check(rc == 0 and os.path.isfile(out), "missing folders are created: %s" % err)


def long_text(d):
    body = []
    for path in samples():
        with open(path, encoding="utf-8-sig") as f:
            body.append(f.read())
    return write(d, "long.txt", ("\n\n".join(body * 10)).encode())


def test_signals_clean_up():
    for signo, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        d = tempdir()
        src = long_text(d)
        out = os.path.join(d, "x.flac")
        proc = subprocess.Popen([ALOUD, "-q", "-j", "2", "-o", out, src],
                                stderr=subprocess.PIPE)
        time.sleep(0.4)
        workers = descendants(proc.pid)
        proc.send_signal(signo)
        err = proc.stderr.read().decode()
        rc = proc.wait(timeout=30)
        check(rc == code, "%s: exit %d, expected %d: %s" % (signo.name, rc, code, err))
        check(sorted(os.listdir(d)) == ["long.txt"],
              "%s: temporary file removed: %s" % (signo.name, os.listdir(d)))
        time.sleep(0.1)
        alive = [w for w in workers if os.path.exists("/proc/%d" % w)]
        check(not alive, "%s: workers stopped: %s" % (signo.name, alive))


case(test_engine_crashers_render)
case(test_binary_input)
case(test_input_limit)
case(test_huge_paragraph_without_punctuation)
case(test_absurd_audio_fails_or_is_skipped)
case(test_output_is_input)
case(test_missing_output_folder_created)
case(test_signals_clean_up)
finish()
