#!/bin/sh
# segmentation.sh - scores aloud's sentence splitter on the public test sets,
# each with the --lang of its language, and prints one table per language.
#
#   bench/segmentation.sh [--aloud PATH] [--data DIR] [--only LANG]
#
# Runs score.py (exact match per case, whitespace runs squashed) on every
# set: golden_rules_en.tsv, gum_news_wiki.tsv and sentencex_en.tsv (English),
# and ud/*.tsv, whose language is the start of the file name (de_gsd_dev.tsv
# is German), against `aloud --sentences --lang LANG -`. Prints a table per
# language, one row per set:
#
#   de
#   set                 core        all
#   de_gsd_dev          189/190     199/200
#
# PATH defaults to build/aloud and DIR to ../shared/bench/segmentation, both
# relative to the repository root (the test sets live outside the
# repository; see their SOURCES.md and ud/README.md). --only scores one
# language. Failing cases do not make this script fail: it exits 0 whatever
# the scores, 2 on a usage problem (bad option, no aloud program, no
# python3). Without the test sets it says so and exits 0.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
aloud="$root/build/aloud"
data="$root/../shared/bench/segmentation"
only=""

usage() {
    echo "usage: bench/segmentation.sh [--aloud PATH] [--data DIR] [--only LANG]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --aloud) [ $# -ge 2 ] || usage; aloud=$2; shift 2 ;;
    --data) [ $# -ge 2 ] || usage; data=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# "LANG PATH" lines: the English sets first, then ud/ by file name.
sets=$(
    for set in golden_rules_en gum_news_wiki sentencex_en; do
        echo "en $data/$set.tsv"
    done
    for f in "$data"/ud/*.tsv; do
        [ -f "$f" ] || continue
        name=$(basename "$f")
        echo "${name%%_*} $f"
    done
)
sets=$(printf '%s\n' "$sets" | sort -s -k1,1)

last=""
while read -r lang path; do
    [ -n "$lang" ] || continue
    [ -z "$only" ] || [ "$only" = "$lang" ] || continue
    if [ "$lang" != "$last" ]; then
        [ -z "$last" ] || echo
        echo "$lang"
        printf '%-22s %-11s %s\n' set core all
        last=$lang
    fi
    set=$(basename "$path" .tsv)
    if [ ! -f "$path" ]; then
        printf '%-22s missing\n' "$set"
        continue
    fi
    out=$(python3 "$data/score.py" "$path" -q --squash-ws -- "$aloud" --sentences --lang "$lang" - 2>&1)
    if [ $? -eq 2 ]; then
        printf '%s\n' "$out" >&2
        exit 2
    fi
    line=$(printf '%s\n' "$out" | grep '^score:' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%-22s no score (score.py said: %s)\n' "$set" "$(printf '%s' "$out" | tail -n 1)"
        continue
    fi
    # "score: P/N core, Q/M all"
    core=$(printf '%s\n' "$line" | sed 's/^score: \([0-9]*\/[0-9]*\) core.*/\1/')
    all=$(printf '%s\n' "$line" | sed 's/.*, \([0-9]*\/[0-9]*\) all$/\1/')
    printf '%-22s %-11s %s\n' "$set" "$core" "$all"
done <<EOF
$sets
EOF
exit 0
