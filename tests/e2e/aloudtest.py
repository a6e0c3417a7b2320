"""Shared helpers for aloud's end-to-end tests.

The tests drive the built program ($ALOUD) and read its results back with
independent readers (ffprobe, metaflac, Python's wave module) as well as with
`aloud --chapters`. Each test script exits 0 on success, 1 on failure and 77
when something it needs is missing (ctest reports that as skipped).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

ALOUD = os.environ.get("ALOUD", "build/aloud")
SOURCE_DIR = os.environ.get("ALOUD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SEEDS_DIR = os.path.join(SOURCE_DIR, "..", "shared", "seeds")
RATE = 22050

_failures = []
_tempdirs = []


def run(args, stdin=None, cwd=None, env=None):
    """Runs aloud with args; returns (exit code, stdout, stderr) as text."""
    proc = subprocess.run([ALOUD] + list(args), input=stdin, cwd=cwd, env=env,
                          capture_output=True, timeout=600)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def check(cond, what):
    """Records a failed expectation without stopping the script."""
    if not cond:
        _failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def case(fn):
    """Runs one test function, reporting exceptions as failures."""
    try:
        fn()
        print("ok: " + fn.__name__)
    except Exception:  # noqa: BLE001 - a test harness reports everything
        _failures.append(fn.__name__)
        traceback.print_exc()
        print("FAIL: " + fn.__name__, file=sys.stderr)


def _clean_up(keep):
    """Removes the test's folders (renders run to gigabytes), or names them."""
    for d in _tempdirs:
        if keep:
            print("kept for inspection: " + d, file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)


def finish():
    _clean_up(keep=bool(_failures))
    if _failures:
        print("%d failed" % len(_failures), file=sys.stderr)
        sys.exit(1)
    sys.exit(0)


def skip(reason):
    _clean_up(keep=False)
    print("skipped: " + reason)
    sys.exit(77)


def need(tool):
    if shutil.which(tool) is None:
        skip(tool + " is not installed")


def tempdir():
    """A fresh folder, removed by finish() when every check passed."""
    d = tempfile.mkdtemp(prefix="aloud-e2e-")
    _tempdirs.append(d)
    return d


def children(pid):
    """The processes pid has forked and not yet reaped."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def descendants(pid):
    """Its children, theirs, and so on."""
    found, frontier = [], children(pid)
    while frontier:
        found += frontier
        frontier = [c for p in frontier for c in children(p)]
    return found


def alive(pid):
    """Running, not a zombie waiting to be reaped."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def samples():
    """The sample texts in text/, and the seed article when ../shared exists."""
    texts = sorted(os.path.join(SOURCE_DIR, "text", f)
                   for f in os.listdir(os.path.join(SOURCE_DIR, "text")) if f.endswith(".txt"))
    if os.path.isdir(SEEDS_DIR):
        texts += sorted(os.path.join(SEEDS_DIR, f) for f in os.listdir(SEEDS_DIR)
                        if f.endswith(".txt"))
    return texts


def write(folder, name, text):
    """Writes `text` to folder/name as UTF-8; returns the path."""
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def long_text(d, name="long.txt", times=10):
    """The samples repeated: a few seconds of rendering with -j 2."""
    body = []
    for path in samples():
        with open(path, encoding="utf-8-sig") as f:
            body.append(f.read())
    return write(d, name, "\n\n".join(body * times))


def segmentation(path):
    """Paragraphs as lists of sentences, from `aloud --sentences`."""
    rc, out, err = run(["--sentences", path])
    assert rc == 0, err
    paragraphs = [[]]
    for line in out.split("\n"):
        if line == "":
            if paragraphs[-1]:
                paragraphs.append([])
        else:
            paragraphs[-1].append(line)
    return [p for p in paragraphs if p]


def timeline(stderr):
    """[(frame, title)] from the chapter lines `aloud -v` prints."""
    return [(int(m.group(2)), m.group(3)) for m in
            re.finditer(r"^aloud: chapter (\d+) at frame (\d+) \([^)]*\): (.*)$", stderr, re.M)]


def own_chapters(path):
    """What `aloud --chapters` reads back: dict with frames, duration and chapters."""
    rc, out, err = run(["--chapters", path])
    assert rc == 0, err
    info = {"chapters": []}
    for line in out.split("\n"):
        if line.startswith("chapters: "):
            info["chapter_count"] = int(line.split()[1])
            continue
        m = re.match(r"^\s*(\d+)  (\d+:\d\d:\d\d\.\d{3})  +(\d+)  (.*)$", line)
        if m:
            info["chapters"].append((int(m.group(3)), m.group(4)))
            continue
        m = re.match(r"^(\w+): (.*)$", line)
        if m:
            info[m.group(1)] = m.group(2)
    m = re.search(r"\((\d+) frames\)", info.get("duration", ""))
    info["frames"] = int(m.group(1)) if m else -1
    return info


def ffprobe(path):
    """ffprobe's view: (duration in seconds, [(start seconds, title)], tags)."""
    proc = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-show_format",
                           "-show_streams", "-of", "json", path], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    chapters = [(float(c["start_time"]), c.get("tags", {}).get("title", ""))
                for c in data.get("chapters", [])]
    # Ogg keeps its comments on the stream; the other containers on the file.
    tags = {}
    for holder in data.get("streams", []) + [data["format"]]:
        tags.update({k.lower(): v for k, v in holder.get("tags", {}).items()})
    return float(data["format"]["duration"]), chapters, tags


def wav_pcm(path):
    """(sample rate, raw little-endian 16-bit mono samples) of a RIFF or RF64
    WAV, read chunk by chunk (Python's wave module knows no RF64, nor the
    WAVE_FORMAT_EXTENSIBLE of WAVs from elsewhere)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE", path
    pos, rate, size64 = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"ds64":
            size64 = struct.unpack("<Q", data[body + 8:body + 16])[0]
        elif cid == b"fmt ":
            channels, rate = struct.unpack("<HI", data[body + 2:body + 8])
            bits = struct.unpack("<H", data[body + 14:body + 16])[0]
            assert channels == 1 and bits == 16, (channels, bits)
        elif cid == b"data":
            if size == 0xFFFFFFFF and size64 is not None:
                size = size64
            return rate, data[body:body + size]
        pos = body + size + (size & 1)
    raise AssertionError("no data chunk in " + path)


def wav_frames(path):
    """All samples of a mono 16-bit WAV as an array of ints."""
    import array
    _, raw = wav_pcm(path)
    samples = array.array("h")
    samples.frombytes(raw)
    if sys.byteorder != "little":
        samples.byteswap()
    return samples


def wav_duration(path):
    rate, raw = wav_pcm(path)
    return len(raw) / 2 / rate


def mutagen():
    """python3-mutagen (Debian's, in its dist-packages when this Python is another)."""
    try:
        import mutagen as m  # noqa: F401
    except ImportError:
        debian = "/usr/lib/python3/dist-packages"
        if os.path.isdir(os.path.join(debian, "mutagen")):
            sys.path.append(debian)
    try:
        import mutagen as m
        import mutagen.flac  # noqa: F401
        import mutagen.id3  # noqa: F401
        import mutagen.mp4  # noqa: F401
        import mutagen.oggopus  # noqa: F401
        import mutagen.wave  # noqa: F401
        return m
    except ImportError:
        return None


def mutagen_view(path):
    """What mutagen reads: (chapter titles in order, has a front cover)."""
    m = mutagen()
    ext = path.rsplit(".", 1)[1]
    if ext == "mp3":
        tags = m.id3.ID3(path)
        chaps = {c.element_id: c for c in tags.getall("CHAP")}
        tocs = [t for t in tags.getall("CTOC") if t.flags & m.id3.CTOCFlags.TOP_LEVEL]
        assert len(tocs) == 1, "one top-level CTOC, got %d" % len(tocs)
        titles = [str(chaps[e].sub_frames["TIT2"]) for e in tocs[0].child_element_ids]
        return titles, bool(tags.getall("APIC"))
    if ext in ("m4b", "m4a"):
        f = m.mp4.MP4(path)
        return [c.title for c in f.chapters], bool(f.tags and f.tags.get("covr"))
    if ext in ("flac", "opus"):
        f = m.flac.FLAC(path) if ext == "flac" else m.oggopus.OggOpus(path)
        tags = {k.upper(): v[0] for k, v in f.tags.items()} if f.tags else {}
        titles = []
        while "CHAPTER%03dNAME" % (len(titles) + 1) in tags:
            titles.append(tags["CHAPTER%03dNAME" % (len(titles) + 1)])
        cover = bool(f.pictures) if ext == "flac" else "METADATA_BLOCK_PICTURE" in tags
        return titles, cover
    f = m.wave.WAVE(path)
    return [], bool(f.tags and f.tags.getall("APIC"))


FORMATS = ("wav", "flac", "opus", "mp3", "m4b", "m4a")
# The chapters a file of each format holds at most (aloud_format_chapter_cap).
CHAPTER_CAP = {"wav": 178956970, "flac": 999, "opus": 999, "mp3": 255, "m4b": 255, "m4a": 255}


def asan_build():
    """Whether the program under test is built with AddressSanitizer."""
    with open(ALOUD, "rb") as f:
        return b"__asan_init" in f.read()
