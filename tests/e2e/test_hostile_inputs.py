#!/usr/bin/env python3
"""Hostile inputs and small edges (issue #18, items 9, 11 and 13), each test
named after what it protects:

- --json lines and the json sidecar stay valid UTF-8 JSON for a file name
  in Latin-1 (bad bytes become U+FFFD);
- a batch whose stdout reader left says so and exits 141, not 1 silently;
- preset faults as PRESET:LINE:COL, a file that is no preset not echoed, a
  missing presets folder named;
- UTF-16 with its BOM is converted and rendered; /dev/zero is refused as
  binary at once, not at the input limit;
- --max-input ' -5' and signed numbers refused; --bitrate for MP3 takes the
  MPEG-2 steps at 22050 Hz only; bundled short flags work;
- bidi controls, tag characters and variation selectors stay out of titles
  and sidecars; a sentence starting "[00:01.00]" keeps its LRC line.

A file cut while being read is tested on the reader (test_base.c,
test_file_read_truncated_while_read): from outside, the cut would race the
read.
"""
import json
import os
import subprocess
import time

from aloudtest import ALOUD, case, check, finish, run, tempdir

OUT = tempdir()
FAST = ["--sentence-pause", "0", "--paragraph-pause", "0", "-j", "1"]


def write_bytes(name, data):
    path = os.path.join(OUT.encode(), name if isinstance(name, bytes) else name.encode())
    with open(path, "wb") as f:
        f.write(data)
    return path


def write_text(name, text):
    return write_bytes(name, text.encode("utf-8")).decode()


def run_raw(args, env=None):
    """Runs aloud with byte arguments; (exit code, stdout bytes, stderr text)."""
    proc = subprocess.run([ALOUD.encode()] + list(args), capture_output=True, timeout=300,
                          env=env)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def test_json_line_for_latin1_file_name_is_valid_utf8():
    src = write_bytes(b"caf\xe9.txt", b"A short text to read.\n")
    out = os.path.join(OUT, "latin1").encode() + b"/"
    rc, stdout, err = run_raw([b"--json", b"-q", b"--sidecars", b"json", b"-o", out, src] +
                              [a.encode() for a in FAST])
    check(rc == 0, "render of a Latin-1 file name: %d %s" % (rc, err))
    line = json.loads(stdout.decode("utf-8", "strict"))
    check(line["input"].endswith("caf\ufffd.txt"), "--json input: %r" % line["input"])
    check(line["output"].endswith("caf\ufffd.flac"), "--json output: %r" % line["output"])
    with open(out + b"caf\xe9.json", "rb") as f:
        manifest = json.loads(f.read().decode("utf-8", "strict"))
    check(manifest["input"].endswith("caf\ufffd.txt"), "sidecar input: %r" % manifest["input"])


def test_batch_with_closed_stdout_pipe_says_so_and_exits_141():
    texts = [write_text("pipe%d.txt" % i, "Text number %d.\n" % i) for i in range(3)]
    proc = subprocess.Popen([ALOUD, "--json", "-j", "1", "-o", os.path.join(OUT, "pipe") + "/"] +
                            texts, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader leaves before the first line
    _, err = proc.communicate(timeout=300)
    err = err.decode("utf-8", "replace")
    check(proc.returncode == 141, "batch into a closed pipe exits %d: %s" % (proc.returncode, err))
    check("standard output is a pipe nobody reads any more (SIGPIPE): the batch stops" in err,
          "batch into a closed pipe names it: %r" % err)


def test_preset_fault_names_preset_line_and_column():
    preset = write_text("bad.voice", "rate = 180\n# fine\n  speed = 3\n")
    rc, _, err = run(["--voice", preset, "--speak-text", write_text("p.txt", "Hello.\n")])
    check(rc == 2, "bad preset exits %d" % rc)
    check("aloud: error: %s:3:3: unknown key 'speed'" % preset in err, "preset fault: %r" % err)


def test_voice_that_is_no_preset_is_not_echoed():
    rc, _, err = run(["--voice", "/etc/passwd", "--speak-text",
                      write_text("q.txt", "Hello.\n")])
    check(rc == 2, "--voice /etc/passwd exits %d" % rc)
    check("aloud: error: /etc/passwd:1:1: not a voice preset file" in err, "passwd: %r" % err)
    check("root" not in err, "the file's content is not echoed: %r" % err)


def test_missing_presets_folder_is_named():
    env = dict(os.environ, ALOUD_VOICES="/nonexistent/voices")
    text = write_text("r.txt", "Hello.\n")
    rc, _, err = run(["--voice", "narrator", "-o", os.path.join(OUT, "r.wav"), text], env=env)
    check(rc == 2, "missing presets folder exits %d" % rc)
    check("no presets folder at /nonexistent/voices" in err, "missing folder: %r" % err)
    # A plain espeak-ng voice needs no folder.
    rc, _, err = run(["--voice", "en-gb", "-q", "-o", os.path.join(OUT, "r.wav"), text] + FAST,
                     env=env)
    check(rc == 0, "an espeak-ng voice without presets: %d %s" % (rc, err))


def test_utf16_with_bom_is_converted_and_rendered():
    text = "A Title\n\nThe caf\u00e9 opens at nine. \U0001F600 Really.\n"
    for name, data in (("le.txt", b"\xff\xfe" + text.encode("utf-16-le")),
                       ("be.txt", b"\xfe\xff" + text.encode("utf-16-be"))):
        path = write_bytes(name, data).decode()
        rc, out, err = run(["-v", "--sentences", path])
        check(rc == 0, "%s: --sentences %d %s" % (name, rc, err))
        check(out == "A Title\n\nThe caf\u00e9 opens at nine.\n\U0001F600 Really.\n",
              "%s: sentences %r" % (name, out))
        check("read as UTF-16" in err, "%s: -v note: %r" % (name, err))
        rc, _, err = run(["-q", "-o", os.path.join(OUT, name + ".wav"), path] + FAST)
        check(rc == 0, "%s: render %d %s" % (name, rc, err))
    # An unpaired surrogate on line 3, column 5 ("The " before it).
    bad = b"\xff\xfe" + "A Title\n\nThe ".encode("utf-16-le") + b"\x00\xd8" + "x.\n".encode(
        "utf-16-le")
    path = write_bytes("bad16.txt", bad).decode()
    rc, _, err = run(["--sentences", path])
    check(rc == 2 and "%s:3:5: invalid UTF-16 (unpaired surrogate 0xD800)" % path in err,
          "bad UTF-16: %d %r" % (rc, err))


def test_dev_zero_is_binary_at_once():
    started = time.monotonic()
    rc, _, err = run(["--sentences", "/dev/zero"])
    took = time.monotonic() - started
    check(rc == 2, "/dev/zero exits %d" % rc)
    check("aloud: error: /dev/zero:1:1: a NUL byte: this is a binary file, not text" in err,
          "/dev/zero: %r" % err)
    check(took < 5, "/dev/zero refused after %.1f s" % took)
    rc, _, err = run(["--sentences", "-"], stdin=b"two\nlines\0 and more")
    check(rc == 2 and "<stdin>:2:6: a NUL byte" in err, "NUL on stdin: %d %r" % (rc, err))


def test_negative_or_blank_numbers_refused():
    text = write_text("n.txt", "Hello.\n")
    for args in (["--max-input", " -5"], ["--max-input", "-5"], ["--max-input", "+5K"],
                 ["--rate", " 200"], ["--pitch", "+5"], ["-j", " 2"],
                 ["--sentence-pause", "-0"], ["-f", "opus", "--bitrate", " 32"]):
        rc, _, err = run(args + ["-o", os.path.join(OUT, "n.wav" if "-f" not in args else "n.opus"),
                                 text])
        check(rc == 2 and "aloud: error: " in err, "%r: %d %r" % (args, rc, err))


def test_mp3_bitrate_takes_mpeg2_steps_only():
    text = write_text("m.txt", "Hello there.\n")
    for kbps in ("192", "320", "100"):
        rc, _, err = run(["--bitrate", kbps, "-o", os.path.join(OUT, "m.mp3"), text])
        check(rc == 2, "--bitrate %s for MP3 exits %d" % (kbps, rc))
        check("MP3 at 22050 Hz takes 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144 or 160 "
              "kb/s, not '%s'" % kbps in err, "--bitrate %s: %r" % (kbps, err))
    rc, _, err = run(["-q", "--bitrate", "160", "-o", os.path.join(OUT, "m.mp3"), text] + FAST)
    check(rc == 0, "--bitrate 160 for MP3: %d %s" % (rc, err))
    with open(os.path.join(OUT, "m.mp3"), "rb") as f:
        data = f.read()
    # The first frame after the ID3 tag (the Info frame): MPEG-2, index 14 = 160 kb/s.
    size = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    check(data[size] == 0xFF and (data[size + 1] & 0xF8) == 0xF0, "an MPEG-2 frame header")
    check(data[size + 2] >> 4 == 14, "frame bitrate index %d, not 14 (160 kb/s)"
          % (data[size + 2] >> 4))


def test_bundled_short_flags():
    text = write_text("s.txt", "One sentence. Two.\n")
    rc, out, err = run(["-qv", "--sentences", text])
    check(rc == 0 and out == "One sentence.\nTwo.\n", "-qv: %d %r %r" % (rc, out, err))
    rc, _, err = run(["-qj1", "-o" + os.path.join(OUT, "s.wav"), text] + FAST)
    check(rc == 0 and err == "", "-qj1 -oFILE: %d %r" % (rc, err))
    check(os.path.exists(os.path.join(OUT, "s.wav")), "-oFILE wrote the file")


def test_format_characters_left_out_of_titles_and_sidecars():
    text = ("\u202eA Title\u202c\n\nThe flag \U0001F3F4\U000E0067\U000E0062\U000E007F and a "
            "heart \u2764\ufe0f, \u2067isolated\u2069 text\u200e.\n")
    path = write_text("bidi.txt", text)
    wav = os.path.join(OUT, "bidi.wav")
    rc, _, err = run(["-q", "--sidecars", "json,vtt", "-o", wav, path] + FAST)
    check(rc == 0, "render with format characters: %d %s" % (rc, err))
    with open(os.path.join(OUT, "bidi.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(OUT, "bidi.vtt"), encoding="utf-8") as f:
        vtt = f.read()
    check(manifest["title"] == "A Title", "title %r" % manifest["title"])
    said = manifest["paragraphs"][1]["sentences"][0]["text"]
    check(said == "The flag \U0001F3F4 and a heart \u2764, isolated text.", "sentence %r" % said)
    for c in ("\u202e", "\u202c", "\u2067", "\u2069", "\u200e", "\ufe0f", "\U000E0067"):
        check(c not in vtt, "U+%04X left in the captions" % ord(c))


def test_lrc_sentence_starting_with_a_time_tag():
    path = write_text("lrc.txt", "[00:01.00] This line starts like a tag.\n")
    rc, _, err = run(["-q", "--sidecars", "lrc", "-o", os.path.join(OUT, "lrc.wav"), path] + FAST)
    check(rc == 0, "render: %d %s" % (rc, err))
    with open(os.path.join(OUT, "lrc.lrc"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    check(lines == ["[00:00.00]\uff3b00:01.00\uff3d This line starts like a tag."],
          "LRC lines %r" % lines)


for test in (test_json_line_for_latin1_file_name_is_valid_utf8,
             test_batch_with_closed_stdout_pipe_says_so_and_exits_141,
             test_preset_fault_names_preset_line_and_column,
             test_voice_that_is_no_preset_is_not_echoed,
             test_missing_presets_folder_is_named,
             test_utf16_with_bom_is_converted_and_rendered,
             test_dev_zero_is_binary_at_once,
             test_negative_or_blank_numbers_refused,
             test_mp3_bitrate_takes_mpeg2_steps_only,
             test_bundled_short_flags,
             test_format_characters_left_out_of_titles_and_sidecars,
             test_lrc_sentence_starting_with_a_time_tag):
    case(test)
finish()
