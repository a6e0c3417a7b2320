#!/usr/bin/env python3
"""The CLI's other modes: --help, --version, --sentences, --list-voices."""
import os

from aloudtest import SEEDS_DIR, case, check, finish, run, segmentation, tempdir


def test_help_and_version():
    rc, out, err = run(["--help"])
    check(rc == 0 and out.startswith("Usage: aloud") and err == "", "--help on stdout")
    for option in ("--output", "--format", "--voice", "--rate", "--pitch", "--sentence-pause",
                   "--paragraph-pause", "--sentences", "--chapters", "--list-voices", "--lang"):
        check(option in out, "--help documents " + option)
    rc, out, _ = run(["--version"])
    check(rc == 0 and out.startswith("aloud ") and "espeak-ng 1." in out, "--version: " + out)


def test_sentences_seed():
    seed = os.path.join(SEEDS_DIR, "000_8dbececf641d20b2.txt")
    if not os.path.exists(seed):
        print("seed article absent; skipping that part")
        return
    paragraphs = segmentation(seed)
    check(len(paragraphs) == 10, "seed: %d paragraphs" % len(paragraphs))
    check(sum(len(p) for p in paragraphs) == 17, "seed: %d sentences"
          % sum(len(p) for p in paragraphs))
    check(paragraphs[-2] == ["Author: Dave DeCamp"], "seed: byline paragraph")


def test_sentences_stdin_and_format():
    text = ("A Title\n\nDr. Smith visited the U.S. embassy. He said “hello.” Then he left!\n"
            "It was\nlate.\n\n\nBy Jane Roe\n").encode()
    rc, out, err = run(["--sentences", "-"], stdin=text)
    check(rc == 0, "--sentences - exits 0: " + err)
    check(out == "A Title\n\nDr. Smith visited the U.S. embassy.\nHe said “hello.”\nThen he left!\n"
                 "It was late.\n\nBy Jane Roe\n", "--sentences output:\n" + out)


def test_sentences_lang():
    """--lang picks the segmenter's language data; no data means the shared rules."""
    de = "Am 17. Dezember sind Wahlen. „Er kommt.“ Sie nickte.\n".encode()
    rc, out, err = run(["--sentences", "--lang", "de", "-"], stdin=de)
    check(rc == 0 and err == "", "--lang de exits 0: " + err)
    check(out == "Am 17. Dezember sind Wahlen.\n„Er kommt.“\nSie nickte.\n", "--lang de:\n" + out)
    # Without --lang the language is detected and the text read again in it.
    long_de = ("Am 17. Dezember sind Wahlen in der Stadt. Die Parteien haben ihre Kandidaten "
               "vorgestellt, und die Bürger diskutieren seit Wochen über die Straßenbahn.\n")
    rc, out, err = run(["--sentences", "-"], stdin=long_de.encode())
    check(rc == 0 and out.startswith("Am 17. Dezember sind Wahlen in der Stadt.\n"),
          "detected German keeps the ordinal date:\n" + out + err)
    rc, out, _ = run(["--sentences", "--lang", "en", "-"], stdin=de)
    check(out.startswith("Am 17.\nDezember"), "English rules end the ordinal:\n" + out)
    zh = "今天下雨。明天晴天！后天呢？\n".encode()
    # Chinese has a voice, with a warning about what espeak-ng reads badly;
    # Klingon has data of its own neither here nor in espeak-ng: a voice is named.
    for args in (["--lang", "zh"], ["--lang", "zh-Hans-CN"], ["--lang", "tlh", "--voice", "en-us"]):
        rc, out, err = run(["--sentences"] + args + ["-"], stdin=zh)
        check(rc == 0 and "error" not in err, "%s exits 0: %s" % (args, err))
        check(out == "今天下雨。\n明天晴天！\n后天呢？\n", "%s:\n%s" % (args, out))
    rc, out, err = run(["--sentences", "--lang", "german", "-"], stdin=de)
    check(rc == 2 and out == "" and "--lang takes a language code" in err, "bad --lang: " + err)


def test_list_voices():
    rc, out, err = run(["--list-voices"])
    check(rc == 0, "--list-voices exits 0: " + err)
    lines = out.splitlines()
    presets = []
    section = None
    for line in lines:
        if line and not line.startswith(" "):
            section = line
        elif line.strip() and section and section.startswith("Presets"):
            presets.append(line.split()[0])
    check("narrator" in presets and len(presets) >= 3, "presets listed: %s" % presets)
    check(any(line.split()[1:2] == ["en-us"] for line in lines), "espeak-ng's en-us listed")


def test_every_preset_renders():
    rc, out, _ = run(["--list-voices"])
    d = tempdir()
    text = os.path.join(d, "t.txt")
    with open(text, "w") as f:
        f.write("Testing one voice.\n")
    in_presets = False
    for line in out.splitlines():
        if line and not line.startswith(" "):
            in_presets = line.startswith("Presets")
        elif in_presets and line.strip():
            name = line.split()[0]
            rc, _, err = run(["-q", "--voice", name, "-o", os.path.join(d, name + ".wav"), text])
            check(rc == 0, "preset %s renders: %s" % (name, err))


def test_speak_text_emoji_and_counts():
    text = "At 9:00 the \U0001F389 team paid $18,854 for 5km [3].\n".encode()
    rc, out, err = run(["--speak-text", "-v", "-"], stdin=text)
    check(rc == 0, "--speak-text -v exits 0: " + err)
    check(out == "At 9 o'clock the team paid eighteen thousand eight hundred and fifty-four "
                 "dollars for 5 kilometers.\n", "--speak-text drops the emoji:\n" + out)
    check("aloud: spoken: 1 time, 1 unit, 1 mark left out, 1 emoji left out, 1 amount of money\n"
          in err, "-v counts each rule's rewrites:\n" + err)
    rc, out, err = run(["--speak-text", "--emoji", "read", "-"], stdin=text)
    check(rc == 0 and "the \U0001F389 team" in out, "--emoji read keeps it: " + out + err)
    check("spoken:" not in err, "no counts without -v: " + err)
    rc, out, _ = run(["--sentences", "-"], stdin=text)
    check(rc == 0 and "the \U0001F389 team" in out, "the text as written keeps it: " + out)
    rc, _, err = run(["--sentences", "--emoji", "read", "-"], stdin=text)
    check(rc == 2 and "--emoji applies when rendering or with --speak-text" in err,
          "--emoji with --sentences is refused: %d %s" % (rc, err))
    d = tempdir()
    src = os.path.join(d, "e.txt")
    with open(src, "wb") as f:
        f.write(text)
    rc, _, err = run(["-v", "-o", os.path.join(d, "e.wav"), src])
    check(rc == 0 and "aloud: spoken: 1 time," in err, "a render with -v counts too: " + err)


case(test_help_and_version)
case(test_sentences_seed)
case(test_sentences_stdin_and_format)
case(test_sentences_lang)
case(test_list_voices)
case(test_every_preset_renders)
case(test_speak_text_emoji_and_counts)
finish()
