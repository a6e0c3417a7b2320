#!/usr/bin/env python3
"""How well aloud finds a web page's main text: precision and recall of the
words it reads against the gold text of each page.

For every tests/data/inputs/NAME.html with a NAME.gold.txt (what should be
read, one paragraph a line), runs `aloud --sentences NAME.html` and compares
the multisets of words (lower-cased runs of letters and digits): precision
is the share of words read that are in the gold text, recall the share of
gold words that were read. Prints one line per page and the totals (micro
averages over all words).

    bench/html_extract.py [--aloud build/aloud] [--data tests/data/inputs]
"""
import argparse
import collections
import glob
import os
import re
import subprocess
import sys

WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text):
    return collections.Counter(w.lower() for w in WORD.findall(text))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--aloud", default=os.path.join(here, "..", "build", "aloud"))
    ap.add_argument("--data", default=os.path.join(here, "..", "tests", "data", "inputs"))
    args = ap.parse_args()
    pages = sorted(p for p in glob.glob(os.path.join(args.data, "*.html"))
                   if os.path.exists(p[:-5] + ".gold.txt"))
    if not pages:
        sys.exit("no pages with gold text in " + args.data)
    total_hit = total_read = total_gold = 0
    print("%-16s %9s %9s %6s %6s" % ("page", "precision", "recall", "read", "gold"))
    for page in pages:
        proc = subprocess.run([args.aloud, "--sentences", page], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit("%s: %s" % (page, proc.stderr.strip()))
        read = words(proc.stdout)
        with open(page[:-5] + ".gold.txt", encoding="utf-8") as f:
            gold = words(f.read())
        hit = sum((read & gold).values())
        n_read, n_gold = sum(read.values()), sum(gold.values())
        total_hit += hit
        total_read += n_read
        total_gold += n_gold
        print("%-16s %9.3f %9.3f %6d %6d" % (os.path.basename(page), hit / max(n_read, 1),
                                             hit / max(n_gold, 1), n_read, n_gold))
    print("%-16s %9.3f %9.3f %6d %6d" % ("all", total_hit / max(total_read, 1),
                                         total_hit / max(total_gold, 1), total_read, total_gold))


if __name__ == "__main__":
    main()
