#!/bin/sh
# segmentation.sh - scores aloud's sentence splitter on three public test sets.
#
#   bench/segmentation.sh [--aloud PATH] [--data DIR]
#
# Runs score.py (exact match per case, whitespace runs squashed) on
# golden_rules_en.tsv, gum_news_wiki.tsv and sentencex_en.tsv against
# `aloud --sentences -`, and prints one score line per set:
#
#   golden_rules_en: score: 40/40 core, 51/52 all
#
# PATH defaults to build/aloud and DIR to ../shared/bench/segmentation, both
# relative to the repository root (the test sets live outside the
# repository; see their SOURCES.md). Failing cases do not make this script
# fail: it exits 0 whatever the scores, 2 on a usage problem (bad option,
# no aloud program, no python3). Without the test sets it says so and
# exits 0.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
aloud="$root/build/aloud"
data="$root/../shared/bench/segmentation"

usage() {
    echo "usage: bench/segmentation.sh [--aloud PATH] [--data DIR]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --aloud) [ $# -ge 2 ] || usage; aloud=$2; shift 2 ;;
    --data) [ $# -ge 2 ] || usage; data=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
    esac
done

if [ ! -f "$data/score.py" ]; then
    echo "segmentation: no test sets at $data (they are kept outside the repository, in"
    echo "../shared/bench/segmentation); nothing scored. Pass --data DIR if they are elsewhere."
    exit 0
fi
if [ ! -x "$aloud" ]; then
    echo "segmentation: no aloud program at $aloud; build it first (cmake --build build)" >&2
    exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "segmentation: python3 is needed to run score.py" >&2
    exit 2
fi

for set in golden_rules_en gum_news_wiki sentencex_en; do
    if [ ! -f "$data/$set.tsv" ]; then
        echo "$set: missing ($data/$set.tsv)"
        continue
    fi
    out=$(python3 "$data/score.py" "$data/$set.tsv" -q --squash-ws -- "$aloud" --sentences - 2>&1)
    status=$?
    if [ $status -eq 2 ]; then
        printf '%s\n' "$out" >&2
        exit 2
    fi
    line=$(printf '%s\n' "$out" | grep '^score:' | tail -n 1)
    echo "$set: ${line:-no score (score.py said: $(printf '%s' "$out" | tail -n 1))}"
done
exit 0
