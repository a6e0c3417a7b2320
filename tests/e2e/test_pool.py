#!/usr/bin/env python3
"""The worker pool: the same bytes for any -j and across runs, a worker
killed on purpose costs a retry and not the render (nor does one killed
while it waits for its unit), and progress appears only when stderr is a
terminal."""
import filecmp
import os
import pty
import select
import signal
import subprocess
import time

from aloudtest import ALOUD, alive, case, check, children, finish, run, samples, tempdir

OUT = tempdir()


def long_text():
    """About 30 KB of text (a dozen units of work): the samples repeated."""
    body = []
    for path in samples():
        with open(path, encoding="utf-8-sig") as f:
            body.append(f.read())
    path = os.path.join(OUT, "long.txt")
    with open(path, "w", encoding="utf-8") as f:
        text = "\n\n".join(body)
        f.write("\n\n".join([text] * max(1, 30000 // len(text.encode()))))
    return path


TEXT = long_text()


def render(name, *extra):
    path = os.path.join(OUT, name)
    rc, _, err = run(["-q", "-o", path, TEXT] + list(extra))
    assert rc == 0, err
    return path


def test_same_bytes_for_any_jobs():
    for ext in ("wav", "flac"):
        one = render("j1." + ext, "-j", "1")
        for jobs in ("2", "5"):
            other = render("j%s.%s" % (jobs, ext), "-j", jobs)
            check(filecmp.cmp(one, other, shallow=False),
                  "%s: -j %s gives the same bytes as -j 1" % (ext, jobs))
        again = render("j1-again." + ext, "-j", "1")
        check(filecmp.cmp(one, again, shallow=False), "%s: a second run gives the same bytes" % ext)


def kill_during_render(path, pick):
    """Renders TEXT with -v -j 2 and SIGKILLs the first live process that
    pick(aloud_pid) names; returns (killed, exit code, stderr)."""
    proc = subprocess.Popen([ALOUD, "-v", "-j", "2", "-o", path, TEXT], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    killed = 0
    deadline = time.time() + 60
    while proc.poll() is None and killed < 1 and time.time() < deadline:
        for victim in pick(proc.pid):
            if alive(victim):
                try:
                    os.kill(victim, signal.SIGKILL)
                    killed += 1
                    break
                except OSError:
                    pass
    err = proc.stderr.read().decode()
    return killed, proc.wait(), err


def cpu_ticks(pid):
    """User plus system clock ticks pid has used; -1 once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return -1


def workers(pid):
    """The children of the one process aloud forks to start them: workers
    speaking a unit, and one forked ahead that waits for its unit."""
    return [w for spawner in children(pid) for w in children(spawner)]


def speaking(pid):
    """The workers that have been speaking for a while, busiest first."""
    busy = [(cpu_ticks(w), w) for w in workers(pid)]
    return [w for ticks, w in sorted(busy, reverse=True) if ticks >= 3]


def waiting(pid):
    """Once others speak, the newest worker that has not spoken yet: the one
    forked after the last unit started, which waits for its unit."""
    ticks = {w: cpu_ticks(w) for w in workers(pid)}
    if not any(t >= 3 for t in ticks.values()):
        return []
    return sorted((w for w, t in ticks.items() if t == 0), reverse=True)[:1]


CLEAN = []


def render_with_a_kill(name, pick, what):
    """kill_during_render() into `name`; checks that one process was killed,
    that the render succeeded and that it gave the bytes of a clean render
    (made once). Returns stderr."""
    if not CLEAN:
        CLEAN.append(render("clean.wav", "-j", "2"))
    path = os.path.join(OUT, name)
    killed, rc, err = kill_during_render(path, pick)
    check(killed > 0, "killed %s mid-render" % what)
    check(rc == 0, "the render survives it: %s" % err)
    check(filecmp.cmp(CLEAN[0], path, shallow=False), "the output is the same as without the kill")
    return err


def test_killed_worker_is_replaced():
    err = render_with_a_kill("killed.wav", speaking, "a worker")
    check("retried" in err, "a retry is reported with -v: %s" % err[-300:])


def test_killed_waiting_worker_is_replaced():
    render_with_a_kill("waiting.wav", waiting, "a worker that waits for its unit")


def spawner(pid):
    """The process aloud forks to start workers: its child with children of its
    own (not the short-lived one that tries espeak-ng's start first)."""
    return [c for c in children(pid) if children(c)]


def test_killed_spawner_is_replaced():
    render_with_a_kill("spawner.wav", spawner, "the process that starts workers")


def test_progress_only_on_a_terminal():
    path = os.path.join(OUT, "progress.flac")
    # Not a terminal: only the summary line.
    rc, _, err = run(["-o", path, TEXT])
    check(rc == 0, "render exits 0")
    check(err.count("\n") == 1 and err.startswith("aloud: wrote ") and "\r" not in err,
          "without a terminal, one summary line: %r" % err[:200])
    rc, _, err = run(["-q", "-o", path, TEXT])
    check(err == "", "-q prints nothing: %r" % err)

    # A terminal: progress lines redrawn with \r, cleared before the summary.
    master, slave = pty.openpty()
    proc = subprocess.Popen([ALOUD, "-j", "1", "-o", path, TEXT], stderr=slave,
                            stdout=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    proc.wait()
    os.close(master)
    text = seen.decode("utf-8", "replace")
    check(proc.returncode == 0, "render on a terminal exits 0")
    check("sentences" in text and "realtime" in text and "ETA" in text,
          "progress shows sentences, speed and ETA: %r" % text[:200])
    check("\r\x1b[K" in text, "progress is redrawn in place")
    check(text.rstrip().split("\r\x1b[K")[-1].startswith("aloud: wrote "),
          "the summary comes after the cleared progress line")


case(test_same_bytes_for_any_jobs)
case(test_killed_worker_is_replaced)
case(test_killed_waiting_worker_is_replaced)
case(test_killed_spawner_is_replaced)
case(test_progress_only_on_a_terminal)
finish()
