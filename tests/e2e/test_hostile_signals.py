#!/usr/bin/env python3
"""Hostile surroundings (issue #18): resource limits that keep espeak-ng from
starting, no audio device, signals at every stage (reading input, speaking,
encoding Opus), a batch whose process or helper dies, and ^Z held for longer
than the pool's hang timeout. Each case checks the exit code, the message,
that no temporary file is left and that no process outlives the run."""
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

from aloudtest import (ALOUD, alive, asan_build, case, check, children, descendants, finish, long_text, run,
                       samples, tempdir, write)

GPL = "/usr/share/common-licenses/GPL-3"
HANG_SECONDS = 60  # POOL_HANG_SECONDS in src/lib/speech/pool.c


def limited(limit, args, user=None):
    """Runs aloud under `ulimit LIMIT` (as `user` when given) in a shell."""
    cmd = "ulimit %s && exec \"$0\" \"$@\"" % limit
    argv = ["bash", "-c", cmd, os.path.abspath(ALOUD)] + args
    if user:
        argv = ["setpriv", "--reuid=" + user, "--regid=" + user_group(user), "--clear-groups"] \
            + argv
    proc = subprocess.run(argv, capture_output=True, timeout=120)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def user_group(user):
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def no_leftovers(d, expected, what):
    left = sorted(os.listdir(d))
    check(left == sorted(expected), "%s: nothing left behind but %s: %s" % (what, expected, left))


def all_gone(pids, what, wait=5.0):
    deadline = time.time() + wait
    left = [p for p in pids if alive(p)]
    while left and time.time() < deadline:
        time.sleep(0.05)
        left = [p for p in pids if alive(p)]
    check(not left, "%s: processes left running: %s" % (what, left))


def test_espeak_start_out_of_memory_is_an_error():
    """ulimit -v: espeak-ng cannot start its thread; exit 1 naming RLIMIT_AS, no abort."""
    if asan_build():
        print("  (skipped under ASan: it cannot run under ulimit -v)")
        return
    d = tempdir()
    # Between what the program maps before main() (its libraries, libcld2,
    # libstdc++ and libzip's libcrypto among them: under 28 MB the loader
    # fails first) and what espeak-ng needs to start (more than 34 MB).
    rc, err = limited("-v 30000", ["-o", os.path.join(d, "x.flac"), samples()[0]])
    check(rc == 1, "exit 1 under ulimit -v, not %d: %s" % (rc, err))
    check("RLIMIT_AS" in err and "Assertion" not in err, "the limit is named: %r" % err)
    no_leftovers(d, [], "ulimit -v")


def test_espeak_start_out_of_processes_is_an_error():
    """ulimit -u (as a user it applies to): exit 1 naming RLIMIT_NPROC, no abort."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        print("  (skipped: needs root and setpriv to run as nobody)")
        return
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        print("  (skipped: no user nobody)")
        return
    d = tempdir()
    os.chmod(d, 0o1777)
    src = write(d, "a.txt", "A short text. It has two sentences.\n")
    os.chmod(src, 0o644)
    for limit in ("-u 2", "-u 3"):
        rc, err = limited(limit, ["-o", os.path.join(d, "x.flac"), src], user="nobody")
        check(rc == 1, "exit 1 under ulimit %s, not %d: %s" % (limit, rc, err))
        check("RLIMIT_NPROC" in err and "Assertion" not in err,
              "ulimit %s: the limit is named: %r" % (limit, err))
        no_leftovers(d, ["a.txt"], "ulimit " + limit)


def test_few_descriptors_is_an_error_not_an_unknown_voice():
    d = tempdir()
    rc, err = limited("-n 5", ["-o", os.path.join(d, "x.flac"), samples()[0]])
    check(rc == 1, "exit 1 under ulimit -n 5, not %d: %s" % (rc, err))
    check("RLIMIT_NOFILE" in err and "voice" not in err, "the limit is named: %r" % err)
    check("pulse" not in err.lower(), "nothing from an audio library: %r" % err)
    no_leftovers(d, [], "ulimit -n")


def test_no_audio_device_is_opened():
    """A file render never talks to a sound server (espeak-ng 1.51 would probe PulseAudio)."""
    d = tempdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.path.join(d, "native"))
    server.listen(4)
    server.setblocking(False)
    env = dict(os.environ, PULSE_SERVER="unix:" + os.path.join(d, "native"), HOME=d,
               XDG_RUNTIME_DIR=d)
    rc, _, err = run(["-o", os.path.join(d, "x.wav"), samples()[0]], env=env)
    check(rc == 0, "renders: %s" % err)
    try:
        server.accept()
        check(False, "espeak-ng connected to the sound server")
    except BlockingIOError:
        pass
    server.close()
    check(err.count("\n") == 1 and err.startswith("aloud: wrote"), "only the summary: %r" % err)


def test_sigint_stops_opus_encoding():
    """The Opus encoder runs after speech, for a minute an hour: a signal must stop it."""
    if not os.path.isfile(GPL):
        print("  (skipped: no %s)" % GPL)
        return
    d = tempdir()
    src = os.path.join(d, "gpl.txt")
    shutil.copy(GPL, src)
    out = os.path.join(d, "gpl.opus")
    proc = subprocess.Popen([ALOUD, "-q", "-j", "2", "-o", out, src], stderr=subprocess.PIPE)
    seen, deadline = False, time.time() + 30
    while proc.poll() is None and time.time() < deadline:
        # The workers are the helper's children; the helper lives to the end.
        workers = set(descendants(proc.pid)) - set(children(proc.pid))
        seen = seen or bool(workers)
        if seen and not workers:
            break  # speech done: encoding
        time.sleep(0.02)
    check(proc.poll() is None, "still encoding when signalled")
    time.sleep(0.3)
    start = time.time()
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=120)
    check(rc == 130, "exit 130, not %d: %s" % (rc, err))
    check(time.time() - start < 3, "stopped at once, not after %.1f s" % (time.time() - start))
    no_leftovers(d, ["gpl.txt"], "SIGINT while encoding Opus")


def test_sighup_stops_and_cleans_up():
    d = tempdir()
    src = long_text(d)
    proc = subprocess.Popen([ALOUD, "-q", "-j", "2", "-o", os.path.join(d, "x.flac"), src],
                            stderr=subprocess.PIPE)
    time.sleep(0.5)
    workers = descendants(proc.pid)
    proc.send_signal(signal.SIGHUP)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=30)
    check(rc == 129, "exit 129, not %d: %s" % (rc, err))
    no_leftovers(d, ["long.txt"], "SIGHUP")
    all_gone(workers, "SIGHUP")


def test_nohup_render_outlives_its_terminal():
    """A signal the parent ignores stays ignored: `nohup aloud ...` renders on
    after a SIGHUP and commits its file."""
    d = tempdir()
    src = long_text(d, times=3)
    out = os.path.join(d, "x.flac")
    proc = subprocess.Popen([ALOUD, "-q", "-j", "2", "-o", out, src], stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    time.sleep(0.3)
    proc.send_signal(signal.SIGHUP)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=60)
    check(rc == 0 and os.path.exists(out), "nohup: exit %d, file %s: %r"
          % (rc, os.path.exists(out), err))


def test_stop_signal_while_reading_input():
    """Waiting for a FIFO's writer, or blocked reading one or stdin: 128+signal."""
    d = tempdir()
    fifo = os.path.join(d, "in.fifo")
    os.mkfifo(fifo)
    out = os.path.join(d, "x.wav")
    # Opening: nobody writes to the FIFO yet.
    proc = subprocess.Popen([ALOUD, "-q", "-o", out, fifo], stderr=subprocess.PIPE)
    time.sleep(0.4)
    proc.send_signal(signal.SIGTERM)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=10)
    check(rc == 143 and "Interrupted" not in err, "opening a FIFO: exit %d: %r" % (rc, err))
    # Reading: a writer is there but says nothing.
    proc = subprocess.Popen([ALOUD, "-q", "-o", out, fifo], stderr=subprocess.PIPE)
    writer = open(fifo, "w")
    time.sleep(0.4)
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=10)
    writer.close()
    check(rc == 130 and "Interrupted" not in err, "reading a FIFO: exit %d: %r" % (rc, err))
    # Standard input.
    proc = subprocess.Popen([ALOUD, "-q", "-o", out, "-"], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(0.4)
    proc.send_signal(signal.SIGTERM)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=10)
    proc.stdin.close()
    check(rc == 143 and "Interrupted" not in err, "reading stdin: exit %d: %r" % (rc, err))
    no_leftovers(d, ["in.fifo"], "signals while reading")


def batch(d, names, extra=()):
    srcs = [long_text(d, n, times=6) for n in names]
    out = os.path.join(d, "out")
    proc = subprocess.Popen([ALOUD, "-q", "-j", "2", "--json", "-o", out + "/"] + list(extra)
                            + srcs, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while len(descendants(proc.pid)) < 4 and time.time() < deadline:
        time.sleep(0.02)
    return proc, out


def test_batch_processes_die_with_their_parent():
    """A batch is one process with one engine: killed, its helper and workers go too.
    SIGHUP lets it clean up; after SIGKILL, as for a single render, only temporary
    files may be left (the next run of the same outputs removes them), never an output."""
    for signo in (signal.SIGKILL, signal.SIGHUP):
        d = tempdir()
        proc, out = batch(d, ["a.txt", "b.txt"])
        everyone = descendants(proc.pid)
        check(len(everyone) >= 2, "%s: a batch is running" % signo.name)
        proc.send_signal(signo)
        rc = proc.wait(timeout=30)
        proc.stdout.read()
        err = proc.stderr.read().decode()
        if signo == signal.SIGHUP:
            check(rc == 129, "SIGHUP: exit 129, not %d: %s" % (rc, err))
        all_gone(everyone, signo.name + " to a batch")
        time.sleep(0.2)
        left = os.listdir(out) if os.path.isdir(out) else []
        if signo == signal.SIGKILL:
            left = [n for n in left if not n.startswith(".")]
        check(left == [], "%s: no outputs (or temporary files): %s" % (signo.name, left))


def test_batch_helper_killed_is_replaced():
    """The helper that forks a batch's workers, killed while it works: another takes its
    place, every input renders, and the audio is the same as a render of that input alone."""
    d = tempdir()
    proc, out = batch(d, ["a.txt", "b.txt"], extra=["--sidecars", "cue"])
    direct = children(proc.pid)
    check(len(direct) == 1, "one helper for the whole batch: %s" % direct)
    os.kill(direct[0], signal.SIGKILL)
    stdout, err = proc.communicate(timeout=120)
    err = err.decode()
    lines = [json.loads(x) for x in stdout.decode().splitlines()]
    check(proc.returncode == 0, "exit 0, not %d: %s" % (proc.returncode, err))
    check(len(lines) == 2 and all(x["ok"] for x in lines), "both inputs rendered: %s" % lines)
    left = sorted(os.listdir(out))
    check(left == ["a.cue", "a.flac", "b.cue", "b.flac"], "audio and cue sheets: %s" % left)
    alone = os.path.join(d, "alone.flac")
    rc = subprocess.run([ALOUD, "-q", "-j", "2", "-o", alone, os.path.join(d, "a.txt")]).returncode
    with open(alone, "rb") as f, open(os.path.join(out, "a.flac"), "rb") as g:
        check(rc == 0 and f.read() == g.read(), "the same bytes as a render alone")
    all_gone(descendants(proc.pid), "a batch whose helper was killed")


SHIFT_CLOCK = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
/* CLOCK_MONOTONIC plus the seconds written in $SHIFT_FILE: a stop of any length, made quickly. */
int clock_gettime(clockid_t id, struct timespec *ts)
{
    long r = syscall(SYS_clock_gettime, id, ts);
    const char *path = getenv("SHIFT_FILE");
    if (r == 0 && id == CLOCK_MONOTONIC && path) {
        char buf[32] = {0};
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            if (read(fd, buf, sizeof buf - 1) > 0)
                ts->tv_sec += atol(buf);
            close(fd);
        }
    }
    return (int)r;
}
"""


def test_stopped_process_group_is_not_a_hang():
    """^Z held longer than the hang timeout: no worker is taken as hung, nothing is redone.
    Stopping for real takes over a minute; the clock is moved on instead while stopped."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        print("  (skipped: no C compiler for the clock shim)")
        return
    d = tempdir()
    shim = os.path.join(d, "shift.so")
    write(d, "shift.c", SHIFT_CLOCK)
    subprocess.run([cc, "-shared", "-fPIC", "-o", shim, os.path.join(d, "shift.c")], check=True)
    shift = write(d, "shift", "0")
    src = long_text(d)
    env = dict(os.environ, LD_PRELOAD=shim, SHIFT_FILE=shift,
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    proc = subprocess.Popen([ALOUD, "-j", "2", "-o", os.path.join(d, "x.wav"), src], env=env,
                            stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGSTOP)
    time.sleep(0.2)
    write(d, "shift", str(HANG_SECONDS + 10))
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGCONT)
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=60)
    check(rc == 0, "renders after ^Z and fg: %s" % err)
    check("retried" not in err, "no unit redone: %r" % err)


case(test_espeak_start_out_of_memory_is_an_error)
case(test_espeak_start_out_of_processes_is_an_error)
case(test_few_descriptors_is_an_error_not_an_unknown_voice)
case(test_no_audio_device_is_opened)
case(test_sigint_stops_opus_encoding)
case(test_sighup_stops_and_cleans_up)
case(test_nohup_render_outlives_its_terminal)
case(test_stop_signal_while_reading_input)
case(test_batch_processes_die_with_their_parent)
case(test_batch_helper_killed_is_replaced)
case(test_stopped_process_group_is_not_a_hang)
finish()
