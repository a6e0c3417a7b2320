#!/bin/bash
# same_output.sh OLD_ALOUD NEW_ALOUD [TEXT...]
#
# Renders each text (default: text/*.txt, the seed article when ../shared is
# there, and the GPL-3) to every format with every sidecar, once with each
# program and at the same path, and compares the files byte for byte. For
# changes that must not change what aloud writes (a refactoring). FORMATS
# (a space-separated list) overrides the formats. Exits 1 on the first
# difference, naming the file.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
texts=("$@")
if [ ${#texts[@]} -eq 0 ]; then
  texts=("$root"/text/*.txt)
  for seed in "$root"/../shared/seeds/*.txt; do [ -f "$seed" ] && texts+=("$seed"); done
  [ -f /usr/share/common-licenses/GPL-3 ] && texts+=(/usr/share/common-licenses/GPL-3)
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
formats=${FORMATS:-wav flac opus mp3}
files=0
for t in "${texts[@]}"; do
  for f in $formats; do
    for side in old new; do
      bin=$old; [ $side = new ] && bin=$new
      mkdir -p "$work/$side"
      "$bin" -q -f "$f" -o "$work/render.$f" --sidecars cue,vtt,srt,lrc,json "$t"
      for x in "$f" cue vtt srt lrc json; do mv "$work/render.$x" "$work/$side/render.$x"; done
    done
    for x in "$f" cue vtt srt lrc json; do
      if ! cmp -s "$work/old/render.$x" "$work/new/render.$x"; then
        echo "differs: $(basename "$t") as $f: the .$x file"; exit 1
      fi
      files=$((files + 1))
    done
  done
done
echo "same: $files files from ${#texts[@]} texts in formats: $(echo $formats)"
