#!/usr/bin/env python3
"""Hostile outputs (issue #18): destinations that are no regular file (the null
device, another device, a FIFO, a folder), sidecars that would overwrite the
input or their own audio, a commit that fails after the first files were in
place, output names near NAME_MAX, ten runs racing for one output, and the
temporaries a SIGKILLed run left. The rule: a render writes the audio and its
sidecars to temporaries and commits them together; a destination it cannot
take is refused before rendering, with exit 2."""
import json
import os
import signal
import stat
import subprocess
import time

from aloudtest import (ALOUD, case, check, finish, long_text, own_chapters, run, segmentation,
                       tempdir, write)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def temporaries(d):
    return sorted(n for n in os.listdir(d) if ".aloud-" in n)


def device_node(d, name, like):
    """A character device in `d` with the numbers of `like` (root only), so
    that a regression ruins a node of the test's, not the system's; None when
    it cannot be made."""
    path = os.path.join(d, name)
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.stat(like).st_rdev)
    except OSError:
        return None
    return path


def test_null_device_output_discards_the_render():
    """-o /dev/null renders and keeps nothing; /dev/null stays the device (as root too)."""
    d = tempdir()
    tmp = os.path.join(d, "tmp")
    os.mkdir(tmp)
    src = write(d, "a.txt", "A short text. It has two sentences.\n")
    env = dict(os.environ, TMPDIR=tmp)
    # A node of our own with the null device's numbers first: only when that
    # one survives is the real /dev/null risked.
    nodes = [n for n in (device_node(d, "null", "/dev/null"),) if n] + ["/dev/null"]
    for node in nodes:
        before = os.stat(node)
        for fmt in ("wav", "opus"):
            rc, _, err = run(["-f", fmt, "-o", node, "--sidecars", "json,srt,cue", src], env=env)
            check(rc == 0, "%s to %s: exit 0, not %d: %s" % (fmt, node, rc, err))
            check("wrote " + node in err, "the summary names %s: %r" % (node, err))
        after = os.stat(node)
        if not check(stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev,
                     "%s is still the null device (running as uid %d)" % (node, os.getuid())):
            break
        check(not os.path.exists(node + ".json"), "no sidecar beside " + node)
    check(os.listdir(tmp) == [], "nothing left in $TMPDIR: %s" % os.listdir(tmp))


def test_fifo_and_device_outputs_are_refused():
    d = tempdir()
    src = write(d, "a.txt", "A short text.\n")
    fifo = os.path.join(d, "out.flac")
    os.mkfifo(fifo)
    rc, _, err = run(["-o", fifo, src])
    check(rc == 2, "a FIFO output: exit 2, not %d" % rc)
    check("out.flac is a FIFO, not a regular file" in err, "the FIFO is named: %r" % err)
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
    # Another device: a node of our own like /dev/zero (not /dev/zero itself).
    zero = device_node(d, "zero", "/dev/zero")
    if zero:
        rc, _, err = run(["-f", "wav", "-o", zero, src])
        check(rc == 2 and "zero is a character device, not a regular file" in err,
              "another device refused: %d %r" % (rc, err))
        check(stat.S_ISCHR(os.lstat(zero).st_mode), "the device is still a device")
        os.unlink(zero)
    else:
        print("  (device part skipped: mknod needs root)")
    # A sidecar's destination is checked as well.
    os.mkfifo(os.path.join(d, "x.srt"))
    rc, _, err = run(["-o", os.path.join(d, "x.flac"), "--sidecars", "srt", src])
    check(rc == 2 and "x.srt is a FIFO" in err, "a FIFO sidecar refused: %d %r" % (rc, err))
    check(sorted(os.listdir(d)) == ["a.txt", "out.flac", "x.srt"],
          "nothing written: %s" % os.listdir(d))


def test_folder_output_is_refused_before_rendering():
    d = tempdir()
    src = long_text(d, times=6)
    os.mkdir(os.path.join(d, "out.flac"))
    started = time.monotonic()
    rc, _, err = run(["-j", "1", "-o", os.path.join(d, "out.flac"), src])
    took = time.monotonic() - started
    check(rc == 2 and "out.flac is a folder, not a regular file" in err,
          "a folder output: exit 2 naming it: %d %r" % (rc, err))
    # The render of this text takes seconds; the refusal comes before it.
    check(took < 2.0, "refused before rendering, in %.2f s" % took)
    check(temporaries(d) == [] and os.listdir(os.path.join(d, "out.flac")) == [],
          "nothing left behind")


def test_sidecar_never_overwrites_the_input():
    d = tempdir()
    src = write(d, "talk.srt", "A talk. Its text is in a file named like captions.\n")
    before = read(src)
    rc, _, err = run(["-o", os.path.join(d, "talk.flac"), "--sidecars", "srt", src])
    check(rc == 2 and "the output %s is the input itself" % src in err,
          "a sidecar that is the input: exit 2: %d %r" % (rc, err))
    check(read(src) == before, "the input is untouched")
    check(sorted(os.listdir(d)) == ["talk.srt"], "nothing written: %s" % os.listdir(d))


def test_sidecar_never_overwrites_its_audio():
    d = tempdir()
    src = write(d, "a.txt", "A short text.\n")
    out = os.path.join(d, "x.json")
    rc, _, err = run(["-f", "wav", "-o", out, "--sidecars", "json", src])
    check(rc == 2 and "x.json is already an output of this run" in err,
          "audio and sidecar on one path: exit 2: %d %r" % (rc, err))
    check(not os.path.exists(out), "nothing written")


def test_failed_commit_keeps_the_previous_audio_and_sidecars():
    """A sidecar that cannot be put in place after the audio is written: the
    previous audio and sidecars are all still there, exit 1."""
    d = tempdir()
    first = write(d, "first.txt", "The first text. It is short.\n")
    out = os.path.join(d, "a.flac")
    rc, _, err = run(["-o", out, "--sidecars", "srt,json", first])
    assert rc == 0, err
    old = {n: read(os.path.join(d, n)) for n in ("a.flac", "a.srt", "a.json")}
    proc = subprocess.Popen([ALOUD, "-q", "-j", "1", "-o", out, "--sidecars", "srt,json",
                             long_text(d, times=6)], stderr=subprocess.PIPE)
    # Once the audio is being written the destinations were checked: then
    # the json sidecar's place becomes a folder, which no rename can replace.
    deadline = time.time() + 60
    while not any(n.startswith(".a.flac.aloud-") for n in os.listdir(d)) \
            and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.unlink(os.path.join(d, "a.json"))
    os.mkdir(os.path.join(d, "a.json"))
    write(os.path.join(d, "a.json"), "keep", "a file in the way")
    _, err = proc.communicate(timeout=300)
    err = err.decode("utf-8", "replace")
    check(proc.returncode == 1, "exit 1, not %d: %s" % (proc.returncode, err))
    check("a.json is a folder" in err, "the reason is named: %r" % err)
    for n in ("a.flac", "a.srt"):
        check(read(os.path.join(d, n)) == old[n], "%s is still the previous one" % n)
    check(temporaries(d) == [], "no temporaries left: %s" % temporaries(d))


def test_output_names_up_to_name_max():
    """Names of 242 to 255 bytes render (Opus spools beside its temporary too);
    one too long is refused before rendering, with the reason in the message."""
    d = tempdir()
    src = write(d, "a.txt", "A short text.\n")
    for length in (242, 250, 255):
        name = "n" * (length - 5) + ".opus"
        rc, _, err = run(["-o", os.path.join(d, name), "--sidecars", "json", src])
        check(rc == 0, "a %d-byte name renders: %d %r" % (length, rc, err[-300:]))
        check(os.path.isfile(os.path.join(d, name)), "%d bytes: the audio is there" % length)
        check(os.path.isfile(os.path.join(d, name[:-5] + ".json")),
              "%d bytes: the sidecar is there" % length)
    rc, _, err = run(["-o", os.path.join(d, "n" * 251 + ".opus"), src])
    check(rc == 2 and "File name too long" in err,
          "a 256-byte name: exit 2 with its reason: %d %r" % (rc, err))
    check(temporaries(d) == [], "no temporaries left: %s" % temporaries(d))


def test_concurrent_runs_never_mix_their_files():
    """Ten runs of different texts to one output: the json, the srt and the
    audio left are all of the same run."""
    d = tempdir()
    # Texts of one length finish together, so their commits overlap.
    texts = [write(d, "t%d.txt" % i, "Run number %d. " % i + "More words here. " * 3 + "\n")
             for i in range(10)]
    out = os.path.join(d, "x.flac")
    procs = [subprocess.Popen([ALOUD, "-q", "-j", "1", "-o", out, "--sidecars", "json,srt", t],
                              stderr=subprocess.PIPE) for t in texts]
    for p in procs:
        _, err = p.communicate(timeout=300)
        check(p.returncode == 0, "every run exits 0: %r" % err)
    with open(os.path.join(d, "x.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    info = own_chapters(out)
    frames = info["frames"]
    check(frames > 0 and abs(manifest["duration"] - frames / 22050) < 0.002,
          "the json's duration %.3f is the audio's (%d frames)" % (manifest["duration"], frames))
    with open(os.path.join(d, "x.srt"), encoding="utf-8") as f:
        srt = f.read()
    sentences = [s for p in segmentation(manifest["input"]) for s in p]
    check(all(s in srt for s in sentences) and srt.count(" --> ") == len(sentences),
          "the srt holds the sentences of %s" % manifest["input"])
    check(temporaries(d) == [], "no temporaries left: %s" % temporaries(d))


def test_stale_temporaries_of_a_killed_run_are_removed():
    """What a SIGKILLed render left beside its output goes with the next run
    of that output; files of other outputs, or of other names, stay."""
    d = tempdir()
    out = os.path.join(d, "x.flac")
    proc = subprocess.Popen([ALOUD, "-q", "-j", "1", "-o", out, long_text(d, times=6)])
    deadline = time.time() + 60
    while not temporaries(d) and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = temporaries(d)
    check(len(left) == 1 and left[0].startswith(".x.flac.aloud-"), "a temporary left: %s" % left)
    other = write(d, ".y.flac.aloud-0123456789", "another output's")
    unlike = write(d, ".x.flac.aloud-notours", "not our pattern")
    # A spool named for a moment, where the filesystem has no O_TMPFILE.
    write(d, left[0] + ".spool-aB3xYz", "a spool a kill left")
    rc, _, err = run(["-o", out, write(d, "a.txt", "A short text.\n")])
    check(rc == 0, "the next run: exit 0: %s" % err)
    check(temporaries(d) == sorted([os.path.basename(other), os.path.basename(unlike)]),
          "the stale temporary is gone, the others stay: %s" % temporaries(d))


for fn in (test_null_device_output_discards_the_render,
           test_fifo_and_device_outputs_are_refused,
           test_folder_output_is_refused_before_rendering,
           test_sidecar_never_overwrites_the_input,
           test_sidecar_never_overwrites_its_audio,
           test_failed_commit_keeps_the_previous_audio_and_sidecars,
           test_output_names_up_to_name_max,
           test_concurrent_runs_never_mix_their_files,
           test_stale_temporaries_of_a_killed_run_are_removed):
    case(fn)
finish()
