#!/usr/bin/env python3
"""langid.py - how well aloud tells the language of a text, and what it costs.

    bench/langid.py [--aloud PATH] [--data DIR] [--textcat] [--min-chars N]

Reads the Universal Dependencies paragraphs in DIR (default
../shared/bench/segmentation/ud, one TSV per treebank, the language in its
file name) and, for each language, has `aloud -v --sentences -` detect the
language of every paragraph of at least N characters (default 100) and of
the whole document (all its paragraphs, blank lines between). It prints one
row per treebank: paragraphs right / paragraphs, what the wrong ones were
taken for, and the whole document's language.

--textcat scores libexttextcat (the other detector Debian packages, the
one aloud did not choose) on the same paragraphs through ctypes, for
comparison; it is skipped when libexttextcat is not installed.

Then mixed documents: for each other treebank, its first 30 paragraphs of
150 characters or more (the length from which a paragraph may get a
language of its own), each after three German paragraphs; it prints how
many of the document's paragraphs of 150 characters or more are read in
their own language (the document's, or the one found for the paragraph),
and how many paragraphs of each whole single-language document were given
another language than the document's (none should be).

Then the cost: `aloud -q --sentences` on a 100 KB text made of the German
paragraphs, and on one made of all of them, with detection (no --lang) and
without (--lang), the median CPU time of fifteen runs each; the
difference is what detection (document and paragraphs) costs. CPU time
holds up better than wall time on a busy machine, but stays noisy.

Exits 0 whatever the scores, 2 on a usage problem.
"""
import argparse
import collections
import ctypes
import ctypes.util
import glob
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DETECTED = re.compile(r"^aloud: <stdin>: language (\S+) \((detected|default): (\S+), (\d+)%",
                      re.M)


def paragraphs(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3:
                out.append(fields[2])
    return out


OWN_PARAGRAPH = re.compile(r"^aloud: <stdin>:\d+: paragraph (\d+) is in (\S+):", re.M)


def aloud_verbose(aloud, text):
    """(exit code, stderr) of `aloud -v --sentences -` on text."""
    proc = subprocess.run([aloud, "-v", "--sentences", "-"], input=text.encode(),
                          capture_output=True, timeout=120)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def aloud_detect(aloud, text):
    """(language aloud settled on, what detection said) for one text."""
    proc = subprocess.run([aloud, "-v", "--sentences", "-"], input=text.encode(),
                          capture_output=True, timeout=120)
    m = DETECTED.search(proc.stderr.decode("utf-8", "replace"))
    if not m:
        return "?", "?"
    return m.group(1) if m.group(2) == "detected" else "none", m.group(3)


class Textcat:
    """libexttextcat through ctypes, with Debian's fingerprints."""

    def __init__(self):
        name = ctypes.util.find_library("exttextcat-2.0")
        data = "/usr/share/libexttextcat/"
        if not name or not os.path.isdir(data):
            raise OSError("libexttextcat is not installed")
        self.lib = ctypes.CDLL(name)
        self.lib.special_textcat_Init.restype = ctypes.c_void_p
        self.lib.special_textcat_Init.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self.lib.textcat_Classify.restype = ctypes.c_char_p
        self.lib.textcat_Classify.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        self.handle = self.lib.special_textcat_Init((data + "fpdb.conf").encode(), data.encode())
        if not self.handle:
            raise OSError("libexttextcat cannot load its fingerprints")
        self.seconds = 0.0

    def detect(self, text):
        raw = text.encode()
        start = time.perf_counter()
        answer = self.lib.textcat_Classify(self.handle, raw, len(raw)).decode()
        self.seconds += time.perf_counter() - start
        # "[de--utf8][nl--utf8]", "UNKNOWN" or "SHORT": the first language code.
        m = re.match(r"\[([a-z]+)", answer)
        return m.group(1) if m else answer.lower()


def cpu_median(runs, args):
    """Median CPU seconds (user + system) of `runs` runs of args: steadier
    than wall time on a machine others share."""
    spent = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, capture_output=True, timeout=300, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(spent)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aloud", default=os.path.join(ROOT, "build", "aloud"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "bench", "segmentation",
                                                   "ud"))
    ap.add_argument("--textcat", action="store_true")
    ap.add_argument("--min-chars", type=int, default=100)
    args = ap.parse_args()
    if not os.access(args.aloud, os.X_OK):
        print("langid.py: no aloud program at " + args.aloud, file=sys.stderr)
        return 2
    files = sorted(glob.glob(os.path.join(args.data, "*.tsv")))
    if not files:
        print("langid.py: no test sets in %s; nothing to score" % args.data)
        return 0
    textcat = None
    if args.textcat:
        try:
            textcat = Textcat()
        except OSError as e:
            print("langid.py: --textcat skipped: %s" % e, file=sys.stderr)

    print("| treebank | paragraphs >= %d chars | right | wrong taken for | whole document |%s"
          % (args.min_chars, " textcat right |" if textcat else ""))
    print("| --- | --- | --- | --- | --- |%s" % (" --- |" if textcat else ""))
    all_text = []
    german = []
    total = right_total = tc_total = 0
    for path in files:
        name = os.path.basename(path)[:-4]
        lang = name.split("_")[0]
        paras = paragraphs(path)
        all_text += paras
        if lang == "de":
            german = paras
        long_ones = [p for p in paras if len(p) >= args.min_chars]
        wrong = collections.Counter()
        right = tc_right = 0
        for p in long_ones:
            got, said = aloud_detect(args.aloud, p)
            if got == lang:
                right += 1
            else:
                wrong["%s (%s)" % (got, said) if got != said else got] += 1
            if textcat and textcat.detect(p) == lang:
                tc_right += 1
        doc, _ = aloud_detect(args.aloud, "\n\n".join(paras) + "\n")
        total += len(long_ones)
        right_total += right
        tc_total += tc_right
        pct = 100.0 * right / len(long_ones) if long_ones else 0.0
        tc = (" %d/%d |" % (tc_right, len(long_ones))) if textcat else ""
        print("| %s | %d | %d (%.1f%%) | %s | %s |%s"
              % (name, len(long_ones), right, pct,
                 ", ".join("%s x%d" % kv for kv in wrong.most_common()) or "-",
                 doc + (" ok" if doc == lang else " WRONG"), tc))
    print("| all | %d | %d (%.1f%%) | | |%s" % (total, right_total, 100.0 * right_total / total,
                                                (" %d/%d |" % (tc_total, total)) if textcat else ""))
    if textcat:
        print("textcat: %.1f ms for all %d paragraphs" % (textcat.seconds * 1000, total))

    # Mixed documents, and paragraphs given another language in
    # single-language ones.
    print()
    print("| mixed with German | document | paragraphs >= 150 chars | in their language | "
          "wrong | alone: paragraphs given another language |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path in files:
        name = os.path.basename(path)[:-4]
        lang = name.split("_")[0]
        paras = paragraphs(path)
        _, err = aloud_verbose(args.aloud, "\n\n".join(paras) + "\n")
        alone = len(OWN_PARAGRAPH.findall(err))
        if lang == "de":
            print("| %s | | | | | %d |" % (name, alone))
            continue
        body, truth = [], []
        for i, p in enumerate([p for p in paras if len(p) >= 150][:30]):
            body += german[3 * i:3 * i + 3] + [p]
            truth += ["de"] * len(german[3 * i:3 * i + 3]) + [lang]
        _, err = aloud_verbose(args.aloud, "\n\n".join(body) + "\n")
        m = DETECTED.search(err)
        doc = m.group(1) if m else "?"
        own = {int(n): l for n, l in OWN_PARAGRAPH.findall(err)}
        long_ones = [i for i in range(len(body)) if len(body[i]) >= 150]
        wrong = collections.Counter()
        for i in long_ones:
            got = own.get(i + 1, doc).split("-")[0]
            if got != truth[i]:
                wrong["%s as %s" % (truth[i], got)] += 1
        print("| %s | %s | %d | %d | %s | %d |"
              % (name, doc, len(long_ones), len(long_ones) - sum(wrong.values()),
                 ", ".join("%s x%d" % kv for kv in wrong.most_common()) or "-", alone))

    # Cost: 100 KB of text, with and without detection: German alone, and
    # every treebank's paragraphs in turn (a paragraph language to settle
    # at every turn).
    for what, paras, lang in (("German", german, "de"), ("all languages, mixed", all_text, "en")):
        body = ("\n\n".join(paras) + "\n").encode()
        while len(body) < 100 * 1024:
            body += body
        body = body[:100 * 1024].rsplit(b"\n\n", 1)[0] + b"\n"
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as f:
            f.write(body)
            big = f.name
        try:
            with_detection = cpu_median(15, [args.aloud, "-q", "--sentences", big])
            without = cpu_median(15, [args.aloud, "-q", "--sentences", "--lang", lang, big])
        finally:
            os.unlink(big)
        print("100 KB text, %s (%d bytes): --sentences %.1f ms of CPU with detection, %.1f ms "
              "with --lang %s; detection costs %.1f ms (median of 15)"
              % (what, len(body), with_detection * 1000, without * 1000, lang,
                 (with_detection - without) * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
