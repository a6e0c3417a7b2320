#!/usr/bin/env python3
"""Languages end to end: an article in German, French, Russian and Chinese
(text/languages/), rendered with no options, is read with espeak-ng's voice
for its language (--json and -v say which), has one chapter per paragraph
(ffprobe), and espeak-ng is handed no English word the text does not hold
(--speak-text). A German article with a long French paragraph reads that
paragraph with the French voice, the same for any -j, cut into sentences
by French rules and with the French lexicon; a short one keeps German."""
import filecmp
import json
import os
import re

from aloudtest import SOURCE_DIR, case, check, ffprobe, finish, need, run, tempdir, write

need("ffprobe")
OUT = tempdir()
ARTICLES = os.path.join(SOURCE_DIR, "text", "languages")
# Language, the espeak-ng voice it must get, the article.
CASES = [
    ("de", "de", "strassenbahn.de.txt"),
    ("fr", "fr", "fromagerie.fr.txt"),
    ("ru", "ru", "parom.ru.txt"),
    ("zh", "cmn", "chaye.zh.txt"),
]
# The language's own words that the web-address rule may add (its data is
# in src/lib/spoken/speak_web.c): "Punkt" for a dot in German, "point" and
# "arobase" in French. Nothing else may appear.
OWN_WORDS = {"de": {"Punkt"}, "fr": {"point", "arobase"}}
LATIN_WORD = re.compile(r"[A-Za-z]+")


def paragraphs(path):
    with open(path, encoding="utf-8") as f:
        return [p for p in f.read().split("\n\n") if p.strip()]


def test_articles_read_in_their_language():
    for lang, voice, name in CASES:
        text = os.path.join(ARTICLES, name)
        check(len(paragraphs(text)) == 10, "%s has 10 paragraphs" % name)
        out = os.path.join(OUT, lang + ".opus")
        rc, stdout, err = run(["-v", "--json", "-o", out, text])
        check(rc == 0, "%s renders: %s" % (name, err))
        result = json.loads(stdout)
        check(result.get("lang") == lang and result.get("voice") == voice,
              "%s: --json says lang %r voice %r, expected %r %r"
              % (name, result.get("lang"), result.get("voice"), lang, voice))
        check(re.search(r"language %s \(detected: %s, \d+%% of the text, sure\); voice %s$"
                        % (lang, lang, voice), err, re.M) is not None,
              "%s: -v names the detected language and voice: %s" % (name, err))
        check("warning: " not in err or lang == "zh",
              "%s: no warning but espeak-ng's own limits: %s" % (name, err))
        _, chapters, _ = ffprobe(out)
        check(len(chapters) == 10, "%s: ffprobe sees %d chapters, expected 10"
              % (name, len(chapters)))


def test_no_english_words_added():
    for lang, _, name in CASES:
        text = os.path.join(ARTICLES, name)
        with open(text, encoding="utf-8") as f:
            written = set(LATIN_WORD.findall(f.read()))
        rc, spoken, err = run(["-q", "--speak-text", text])
        check(rc == 0, "%s: --speak-text: %s" % (name, err))
        added = sorted(set(LATIN_WORD.findall(spoken)) - written - OWN_WORDS.get(lang, set()))
        check(not added, "%s: words espeak-ng is handed that the text does not hold: %s"
              % (name, added))


def test_espeak_limits_said_once():
    rc, _, err = run(["-q", "--sentences", os.path.join(ARTICLES, "chaye.zh.txt")])
    check(rc == 0, "zh --sentences: %s" % err)
    check(err.count("warning:") == 0, "-q says nothing: %s" % err)
    rc, _, err = run(["--sentences", os.path.join(ARTICLES, "chaye.zh.txt")])
    check(err.count("warning:") == 1 and "'zh'" in err and "tone" in err,
          "one warning naming Chinese: %s" % err)


def test_lang_and_voice_override_detection():
    text = os.path.join(ARTICLES, "strassenbahn.de.txt")
    rc, _, err = run(["-v", "--sentences", "--lang", "nl", text])
    check(rc == 0 and "language nl (from --lang); voice nl" in err, "--lang wins: %s" % err)
    rc, _, err = run(["-v", "--speak-text", "--voice", "fr-fr", text])
    check(rc == 0 and "language fr-FR (from --voice); voice fr-fr" in err,
          "--voice's language wins: %s" % err)
    rc, _, err = run(["--sentences", "--lang", "x", text])
    check(rc == 2 and "--lang takes a language code" in err, "bad --lang is usage: %s" % err)
    rc, _, err = run(["--sentences", "--lang", "tlh", text])
    check(rc == 2 and "no voice for the language 'tlh'" in err,
          "a language espeak-ng lacks is refused: %s" % err)


def test_unsure_falls_back_to_english():
    path = write(OUT, "numbers.txt", "12 34 56 78 90.\n")
    rc, _, err = run(["-v", "--sentences", path])
    check(rc == 0, "numbers: %s" % err)
    warnings = [l for l in err.splitlines() if "warning:" in l]
    check(len(warnings) == 1 and "reading it as English" in warnings[0],
          "one warning, English: %s" % err)


def test_lexicon_of_the_language():
    """Without --voice, voices/lexicon/LANG.lex of the detected language applies."""
    voices = os.path.join(OUT, "voices")
    os.makedirs(os.path.join(voices, "lexicon"))
    with open(os.path.join(SOURCE_DIR, "voices", "narrator.voice"), encoding="utf-8") as f:
        write(voices, "narrator.voice", f.read())
    write(os.path.join(voices, "lexicon"), "de.lex", "Kleinfeld = Klein Feld\n")
    # Words of the German and French articles: must not apply to either.
    write(os.path.join(voices, "lexicon"), "en.lex",
          "Stadtwerke = English entry\nfromagerie = English entry\n")
    env = dict(os.environ, ALOUD_VOICES=voices)
    text = os.path.join(ARTICLES, "strassenbahn.de.txt")
    rc, out, err = run(["-v", "--speak-text", text], env=env)
    check(rc == 0, "de.lex: %s" % err)
    check("Klein Feld" in out and "Kleinfeld" not in out, "the German lexicon applies")
    check("English entry" not in out, "the English one does not")
    check(re.search(r"lexicon .*de\.lex:1: 'Kleinfeld'", err) is not None, "-v names it: %s" % err)
    rc, out, _ = run(["-q", "--speak-text", os.path.join(ARTICLES, "fromagerie.fr.txt")],
                     env=env)
    check(rc == 0 and "English entry" not in out, "no lexicon for French: nothing applies")


def test_mixed_document():
    de = paragraphs(os.path.join(ARTICLES, "strassenbahn.de.txt"))
    fr = paragraphs(os.path.join(ARTICLES, "fromagerie.fr.txt"))
    short_fr = "Merci beaucoup, à bientôt !"
    doc = write(OUT, "mixed.txt", "\n\n".join(de[:4] + [fr[3], short_fr] + de[4:7]) + "\n")
    rc, _, err = run(["-v", "-j", "1", "--sidecars", "json", "-o",
                      os.path.join(OUT, "mixed1.wav"), doc])
    check(rc == 0, "mixed renders: %s" % err)
    check("language de (detected" in err, "mixed: German overall: %s" % err)
    foreign = re.findall(r"paragraph (\d+) is in (\S+): voice (\S+)", err)
    check(foreign == [("5", "fr", "fr")], "mixed: only the long French paragraph is French: %s"
          % foreign)
    rc, _, err = run(["-q", "-j", "3", "-o", os.path.join(OUT, "mixed3.wav"), doc])
    check(rc == 0, "mixed -j 3: %s" % err)
    check(filecmp.cmp(os.path.join(OUT, "mixed1.wav"), os.path.join(OUT, "mixed3.wav"),
                      shallow=False), "mixed: the same audio with -j 1 and -j 3")
    # Spoken by the French voice: each sentence lasts what it lasts when the
    # paragraph alone is read as French by the French voice, and not what
    # the German voice takes. Its sentences are cut by French rules, so the
    # paragraph alone is read with --lang fr.
    lengths = {}
    for lang in ("fr", "de"):
        alone = write(OUT, "alone.txt", fr[3] + "\n")
        out = os.path.join(OUT, "alone-%s.wav" % lang)
        rc, _, err = run(["-q", "--lang", "fr", "--voice", lang, "--sidecars", "json", "-o",
                          out, alone])
        check(rc == 0, "alone in %s: %s" % (lang, err))
        lengths[lang] = sentence_lengths(out, 0)
    mixed = sentence_lengths(os.path.join(OUT, "mixed1.wav"), 4)
    check(mixed == lengths["fr"], "mixed: the French paragraph as French reads it: %s, %s"
          % (mixed, lengths["fr"]))
    check(mixed != lengths["de"], "mixed: not as German reads it")


# A French quotation, written for this test: « » quote whole sentences (in
# German » opens a quote and « closes one), and "M." and "env." are French
# abbreviations.
QUOTATION = ("« Nous avons refait la toiture et changé les cuves. » La présidente de la "
             "coopérative montre la cave d'affinage, encore fraîche. « Les tommes restent ici "
             "trois à quatre mois. » Selon M. Girard, le maire, la boutique ouvrira dès le "
             "printemps, env. trois semaines avant la fête du village.")
QUOTATION_SENTENCES = [
    "« Nous avons refait la toiture et changé les cuves. »",
    "La présidente de la coopérative montre la cave d'affinage, encore fraîche.",
    "« Les tommes restent ici trois à quatre mois. »",
    "Selon M. Girard, le maire, la boutique ouvrira dès le printemps, env. trois semaines "
    "avant la fête du village.",
]


def test_mixed_document_sentences():
    """A paragraph in another language is cut into sentences by its own
    language's rules, and its spoken text and lexicon are its language's."""
    de = paragraphs(os.path.join(ARTICLES, "strassenbahn.de.txt"))
    doc = write(OUT, "quotation.txt", "\n\n".join(de[:4] + [QUOTATION] + de[4:7]) + "\n")
    rc, out, err = run(["-v", "--sentences", doc])
    check(rc == 0, "quotation --sentences: %s" % err)
    check(re.findall(r"paragraph (\d+) is in (\S+): voice (\S+)", err) == [("5", "fr", "fr")],
          "quotation: the fifth paragraph is French: %s" % err)
    got = out.split("\n\n")[4].splitlines()
    check(got == QUOTATION_SENTENCES, "quotation: cut by French rules: %s" % got)
    # The German paragraphs around it are still cut by German rules: the
    # same as the German article alone.
    rc, alone, _ = run(["-q", "--sentences", os.path.join(ARTICLES, "strassenbahn.de.txt")])
    check(rc == 0 and out.split("\n\n")[:4] == alone.split("\n\n")[:4],
          "quotation: German before it as in the German article")
    # Read as German, the same paragraph is cut otherwise: the test shows something.
    rc, as_de, _ = run(["-q", "--sentences", "--lang", "de", doc])
    check(rc == 0 and as_de.split("\n\n")[4].splitlines() != QUOTATION_SENTENCES,
          "quotation: German rules cut it otherwise")
    # The spoken text and lexicon are French: voices/lexicon/fr.lex applies
    # to the French paragraph, de.lex to the German ones only.
    voices = os.path.join(OUT, "voices-quotation")
    os.makedirs(os.path.join(voices, "lexicon"))
    with open(os.path.join(SOURCE_DIR, "voices", "narrator.voice"), encoding="utf-8") as f:
        write(voices, "narrator.voice", f.read())
    write(os.path.join(voices, "lexicon"), "de.lex", "Kleinfeld = Klein Feld\ntommes = deutsch\n")
    write(os.path.join(voices, "lexicon"), "fr.lex", "Girard = Jirar\nKleinfeld = français\n")
    env = dict(os.environ, ALOUD_VOICES=voices)
    rc, spoken, err = run(["-v", "--speak-text", doc], env=env)
    check(rc == 0, "quotation --speak-text: %s" % err)
    parts = spoken.split("\n\n")
    check("Jirar" in parts[4] and "deutsch" not in parts[4], "fr.lex on the French paragraph: %s"
          % parts[4])
    check("Klein Feld" in spoken and "français" not in spoken, "de.lex on the German ones only")
    check(re.search(r"lexicon .*fr\.lex:1: 'Girard'", err) is not None, "-v names fr.lex: %s" % err)


def sentence_lengths(audio, paragraph):
    """Milliseconds of each sentence of a paragraph, from the JSON manifest."""
    with open(os.path.splitext(audio)[0] + ".json", encoding="utf-8") as f:
        manifest = json.load(f)
    return [round((s["end"] - s["start"]) * 1000)
            for s in manifest["paragraphs"][paragraph]["sentences"]]


case(test_articles_read_in_their_language)
case(test_no_english_words_added)
case(test_espeak_limits_said_once)
case(test_lang_and_voice_override_detection)
case(test_unsure_falls_back_to_english)
case(test_lexicon_of_the_language)
case(test_mixed_document)
case(test_mixed_document_sentences)
finish()
