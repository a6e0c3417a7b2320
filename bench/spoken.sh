#!/bin/sh
# spoken.sh - judges aloud's spoken text on the public NeMo cases.
#
#   bench/spoken.sh [--aloud PATH] [--data DIR]
#
# Runs spoken_judge.py on nemo_en.tsv and prints its per-category table and
# summary. PATH defaults to build/aloud, DIR to ../shared/bench/spoken.
# Exits 0 whatever the score, 2 on a usage problem.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
aloud="$root/build/aloud"
data="$root/../shared/bench/spoken"
while [ $# -gt 0 ]; do
    case "$1" in
    --aloud) [ $# -ge 2 ] || exit 2; aloud=$2; shift 2 ;;
    --data) [ $# -ge 2 ] || exit 2; data=$2; shift 2 ;;
    *) echo "usage: bench/spoken.sh [--aloud PATH] [--data DIR]" >&2; exit 2 ;;
    esac
done
if [ ! -f "$data/nemo_en.tsv" ]; then
    echo "spoken: no cases at $data; nothing judged"
    exit 0
fi
[ -x "$aloud" ] || { echo "spoken: no aloud program at $aloud" >&2; exit 2; }
command -v espeak-ng >/dev/null 2>&1 || { echo "spoken: espeak-ng is needed" >&2; exit 2; }
out=$(python3 "$data/spoken_judge.py" "$data/nemo_en.tsv" --aloud "$aloud") || exit 2
printf '%s\n' "$out" | sed -n '/^category /,$p'
exit 0
