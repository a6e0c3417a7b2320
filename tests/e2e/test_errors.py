#!/usr/bin/env python3
"""Every error case: one clear line on stderr, the documented exit code, no
output file, no temporary litter, and an existing output left untouched."""
import os
import resource
import signal
import subprocess

from aloudtest import ALOUD, case, check, finish, run, samples, tempdir


def files(folder):
    return sorted(os.listdir(folder))


def expect_error(args, code, message, folder, stdin=None):
    """Runs aloud expecting failure; checks exit code, message and leftovers."""
    before = files(folder)
    rc, out, err = run(args, stdin=stdin)
    lines = err.strip().split("\n")
    check(rc == code, "%s: exit %d, expected %d (%s)" % (args, rc, code, err.strip()))
    check(len(lines) == 1 and lines[0].startswith("aloud: error: "),
          "%s: one error line, got %r" % (args, err))
    check(message in err, "%s: %r not in %r" % (args, message, err))
    check(out == "", "%s: nothing on stdout" % args)
    check(files(folder) == before, "%s: no files left behind: %s" % (args, files(folder)))


def write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_missing_input():
    d = tempdir()
    missing = os.path.join(d, "nope.txt")
    expect_error([missing, "-o", os.path.join(d, "a.flac")], 2,
                 missing + ": cannot open: No such file or directory", d)


def test_directory_input():
    d = tempdir()
    expect_error([d, "-o", os.path.join(d, "a.wav")], 2, d + ": ", d)


def test_invalid_utf8_names_line_and_column():
    d = tempdir()
    bad = write(d, "bad.txt", b"Title\n\nFirst line is fine.\nSecond \xc3\xa9t\xe9 line.\n")
    expect_error([bad, "-o", os.path.join(d, "a.flac")], 2, bad + ":4:10: invalid UTF-8", d)
    # --sentences reads through the same front end.
    expect_error(["--sentences", bad], 2, bad + ":4:10: invalid UTF-8", d)


def test_no_words():
    d = tempdir()
    empty = write(d, "empty.txt", b"\xef\xbb\xbf  \r\n\r\n\t \n")
    expect_error([empty, "-o", os.path.join(d, "a.flac")], 2, empty + ": ", d)
    zero = write(d, "zero.txt", b"")
    expect_error([zero, "-o", os.path.join(d, "a.flac")], 2, zero + ": ", d)


def test_unknown_voice_and_variant():
    d = tempdir()
    text = samples()[0]
    expect_error(["--voice", "nosuchvoice", text, "-o", os.path.join(d, "a.flac")], 2,
                 "nosuchvoice", d)
    expect_error(["--voice", "en-us+nosuchvariant", text, "-o", os.path.join(d, "a.flac")], 2,
                 "nosuchvariant", d)


def test_bad_usage():
    d = tempdir()
    text = samples()[0]
    expect_error([text, "-o", os.path.join(d, "a.mp4")], 2, "a.mp4", d)
    expect_error([text, "-f", "ogg", "-o", os.path.join(d, "a.flac")], 2, "unknown format 'ogg'", d)
    expect_error([text, "--rate", "20"], 2, "--rate", d)
    expect_error([text, "--bogus"], 2, "unknown option '--bogus'", d)
    expect_error([], 2, "no input file", d)
    expect_error(["--chapters", text], 2, text, d)


def test_existing_output_untouched_on_bad_input():
    d = tempdir()
    out = write(d, "keep.flac", b"precious")
    bad = write(d, "bad.txt", b"ok\xff")
    expect_error([bad, "-o", out], 2, "invalid UTF-8", d)
    with open(out, "rb") as f:
        check(f.read() == b"precious", "the existing output is untouched")


def limited_run(args, limit_bytes):
    """Runs aloud with a file-size limit, as a full disk would stop it."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    proc = subprocess.run([ALOUD] + args, capture_output=True, preexec_fn=limit, timeout=300)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def test_write_error_exit_1():
    text = samples()[0]
    for ext in ("wav", "flac"):
        d = tempdir()
        out = write(d, "keep." + ext, b"precious")
        rc, err = limited_run([text, "-o", out], 20000)
        check(rc == 1, "%s: a write error exits 1, got %d: %s" % (ext, rc, err))
        # libpulse, which libespeak-ng loads, prints its own line when shared
        # memory cannot grow under the limit; ours is the one aloud line.
        ours = [line for line in err.splitlines() if line.startswith("aloud:")]
        check(len(ours) == 1 and ours[0].startswith("aloud: error: " + out + ": ") and
              "File too large" in ours[0], "%s: error message %r" % (ext, err))
        check(files(d) == ["keep." + ext], "%s: temporary file removed: %s" % (ext, files(d)))
        with open(out, "rb") as f:
            check(f.read() == b"precious", "%s: the existing output is untouched" % ext)


def test_output_under_a_regular_file():
    d = tempdir()
    plain = write(d, "plain", b"x")
    expect_error([samples()[0], "-o", os.path.join(plain, "a.flac")], 1, "plain", d)


case(test_missing_input)
case(test_directory_input)
case(test_invalid_utf8_names_line_and_column)
case(test_no_words)
case(test_unknown_voice_and_variant)
case(test_bad_usage)
case(test_existing_output_untouched_on_bad_input)
case(test_write_error_exit_1)
case(test_output_under_a_regular_file)
finish()
