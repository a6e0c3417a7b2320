#!/bin/bash
# Builds and runs the example as a user of the installed library would:
# installs the build tree into a temporary prefix, compiles
# examples/render_text.c with nothing but pkg-config's flags, renders a WAV
# and checks it with an independent reader (ffprobe when present, else a
# RIFF chunk walk) and with the installed `aloud --chapters`.
#
#   examples/build_and_run.sh BUILD_DIR [WORK_DIR]
#
# WORK_DIR (made afresh; a temporary folder when left out, removed after)
# receives the prefix, the program and the WAV. Needs no root. $CC, $CFLAGS,
# $CMAKE and $PYTHON are honoured. Exits 0 when all is well, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: build_and_run.sh BUILD_DIR [WORK_DIR]}
if [ $# -ge 2 ]; then
  work=$2
  rm -rf "$work"
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
prefix=$work/prefix

"${CMAKE:-cmake}" --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name aloud.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || { echo "build_and_run: no aloud.pc installed under $prefix" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --static --libs aloud)
echo "pkg-config: $flags"

# Strict C11 and no warnings: the public header must be clean for its users.
# shellcheck disable=SC2086 # the flags are words
"${CC:-cc}" -std=c11 -Wall -Wextra -Wpedantic -Werror ${CFLAGS:-} \
  "$here/render_text.c" -o "$work/render_text" $flags
# Nothing of the source tree may be needed: only the installed header.
(cd "$work" && ./render_text "$work/walk.wav") | tee "$work/render_text.out"
grep -q '^  *[0-9.]* s  A Short Walk$' "$work/render_text.out"

"${PYTHON:-python3}" - "$work/walk.wav" <<'PY'
import json, shutil, struct, subprocess, sys
path = sys.argv[1]
if shutil.which("ffprobe"):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_chapters",
                          "-of", "json", path], capture_output=True, check=True).stdout
    data = json.loads(out)
    duration = float(data["format"]["duration"])
    chapters = len(data.get("chapters", []))
    reader = "ffprobe"
else:
    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", "not a RIFF WAVE file"
    pos, rate, duration, chapters = 12, 0, 0.0, -1
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            channels, rate = struct.unpack("<HI", data[pos + 10:pos + 16])
        elif cid == b"data":
            duration = size / 2 / channels / rate
        elif cid == b"cue ":
            chapters = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        pos += 8 + size + (size & 1)
    reader = "RIFF chunks"
print("%s: %.3f s, %d chapters (%s)" % (path, duration, chapters, reader))
if not 5.0 < duration < 60.0:
    sys.exit("build_and_run: duration %.3f s is not sane for the built-in text" % duration)
if chapters != 4:
    sys.exit("build_and_run: %d chapters, want 4 (one per paragraph)" % chapters)
PY

"$prefix/bin/aloud" --chapters "$work/walk.wav" | grep -q '^chapters: 4$'
echo "build_and_run: ok"
