#!/bin/bash
# make_media_corpus.sh - remakes the seed corpora of fuzz_media and
# fuzz_id3v2 (tests/fuzz/corpus/media, tests/fuzz/corpus/id3v2) from real
# files: aloud's own writers in every format, and files written by ffmpeg,
# flac/metaflac, sox and lame, so that the readers also see layouts that
# are not ours. The ID3v2 seeds are the tags cut from the MP3 seeds, plus
# a few hand-built 2.4 tags for what no tool here writes (unsynchronisation,
# an extended header, frame flags, UTF-8 and UTF-16BE text).
#
# Usage: tests/fuzz/make_media_corpus.sh [BUILD_DIR]   (default: build)
# Needs build/aloud, ffmpeg, flac, metaflac, python3; sox and lame when
# present (apt-get install sox lame). Files are kept small: short audio,
# and FLAC and WAV cut short (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
media=tests/fuzz/corpus/media
id3=tests/fuzz/corpus/id3v2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$media" "$id3"

# --- aloud's own writers: three paragraphs, three chapters, a title ---
printf 'Short.\n\nOne word.\n\nThe end.\n' > "$work/three.txt"
for f in wav flac opus mp3 m4b; do
  "$build/aloud" -q -j 1 --rate 450 --sentence-pause 0 --paragraph-pause 0 \
    -f "$f" -o "$work/aloud.$f" "$work/three.txt"
done
cp "$work/aloud.wav" "$work/aloud.opus" "$work/aloud.mp3" "$work/aloud.m4b" "$media/"

# --- ffmpeg: chapters from an ffmetadata file, into every container ---
cat > "$work/meta.txt" <<'EOF'
;FFMETADATA1
title=Fuzz seed
artist=ffmpeg
[CHAPTER]
TIMEBASE=1/1000
START=0
END=100
title=First
[CHAPTER]
TIMEBASE=1/1000
START=100
END=200
title=Zweite Stüfe
[CHAPTER]
TIMEBASE=1/1000
START=200
END=300
title=三
EOF
ff() { ffmpeg -v error -y -f lavfi -i sine=d=0.3:sample_rate=22050 -i "$work/meta.txt" \
         -map_metadata 1 -map_chapters 1 -ac 1 "$@"; }
ff "$work/ff.mp3"
ff -id3v2_version 3 -b:a 32k "$work/ff_v23.mp3"
ff -write_xing 0 -b:a 32k "$work/ff_noxing.mp3"
ff "$work/ff.flac"
ff -c:a libopus -b:a 16k "$work/ff.opus"
ff "$work/ff.wav"
ff -rf64 always "$work/ff_rf64.wav"
ff -c:a pcm_u8 "$work/ff_u8.wav"
ff -ar 8000 -c:a libopus "$work/ff_8k.opus"
ff -c:a aac -b:a 16k "$work/ff.m4a"
cp "$work"/ff*.mp3 "$work"/ff*.opus "$work"/ff*.wav "$work"/ff.m4a "$media/"

# --- flac and metaflac: tags, CHAPTERnnn comments, a cue sheet, padding ---
ffmpeg -v error -y -f lavfi -i sine=d=0.3:sample_rate=44100 -ac 2 -c:a pcm_s16le "$work/cd.wav"
cat > "$work/cd.cue" <<'EOF'
FILE "cd.wav" WAVE
  TRACK 01 AUDIO
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    INDEX 00 00:00:05
    INDEX 01 00:00:10
EOF
flac -s -f --cuesheet="$work/cd.cue" -T TITLE=Cue -T ARTIST=flac -o "$work/cue.flac" "$work/cd.wav"
cp "$work/cue.flac" "$work/meta.flac"
metaflac --remove-all-tags --set-tag=TITLE=Metaflac --set-tag=CHAPTER001=00:00:00.000 \
  --set-tag=CHAPTER001NAME=Eins --set-tag=CHAPTER002=00:00:00.15 \
  --set-tag=CHAPTER002NAME=Zwei --set-tag=chapter003=0:00:00.2 --set-tag=ENCODER=metaflac \
  --add-padding=64 "$work/meta.flac"
cp "$work/aloud.flac" "$work/ff.flac" "$work/cue.flac" "$work/meta.flac" "$media/"
# An ID3v2 tag in front of FLAC, as some taggers leave it.
python3 - "$work/ff_v23.mp3" "$work/meta.flac" "$media/id3_then.flac" <<'EOF'
import sys
mp3 = open(sys.argv[1], 'rb').read()
size = 10 + (mp3[6] << 21 | mp3[7] << 14 | mp3[8] << 7 | mp3[9])
open(sys.argv[3], 'wb').write(mp3[:size] + open(sys.argv[2], 'rb').read())
EOF

# --- sox and lame, when installed ---
if command -v sox >/dev/null; then
  sox -n -r 8000 -c 1 -b 16 --comment "sox seed" "$media/sox.wav" synth 0.2 sine 440
  sox -n -r 8000 -c 2 -b 24 "$media/sox_24bit_stereo.wav" synth 0.1 sine 440
  sox -n -r 8000 -c 1 "$media/sox.flac" synth 0.2 sine 440
fi
if command -v lame >/dev/null; then
  lame --silent -b 8 --resample 8 --tt "Lame seed" --ta lame --add-id3v2 "$work/cd.wav" \
    "$work/lame.mp3"
  lame --silent -b 8 --resample 8 --id3v2-only --id3v2-utf16 --tt "Lame ü" \
    "$work/cd.wav" "$work/lame_utf16.mp3"
  lame --silent -b 8 --resample 8 -t "$work/cd.wav" "$work/lame_noinfo.mp3"
  cp "$work"/lame*.mp3 "$media/"
fi

# --- Every seed under 8 KB (CI fuzzes with -max_len=8192, which would cut
# a longer seed): FLAC keeps its blocks, padding cut to 16 bytes, and 1 KB
# of audio; WAV keeps its chunks (cue and LIST after the data too) with the
# data cut to 1 KB, the RIFF, ds64 and data sizes patched to match ---
python3 - "$media"/*.flac "$media"/*.wav <<'EOF'
import struct, sys
def flac(data):
    pos = data.find(b'fLaC') + 4
    out = bytearray(data[:pos])
    while True:
        head, length = data[pos], int.from_bytes(data[pos + 1:pos + 4], 'big')
        body = data[pos + 4:pos + 4 + length]
        if head & 0x7f == 1:
            body = body[:16]
        out += bytes([head]) + len(body).to_bytes(3, 'big') + body
        pos += 4 + length
        if head & 0x80:
            return bytes(out) + data[pos:pos + 1024]
def wav(data):
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack('<I', data[pos + 4:pos + 8])[0]
        unknown = cid == b'data' and size == 0xffffffff
        if cid == b'data':
            whole = len(data) - pos - 8 if unknown else size
            body = data[pos + 8:pos + 8 + min(whole, 1024)]
        else:
            whole = size
            body = data[pos + 8:pos + 8 + size]
        pos += 8 + whole + (whole & 1)
        chunks.append((cid, unknown, body))
    out = bytearray()
    data_len = next(len(b) for c, _, b in chunks if c == b'data')
    for cid, unknown, body in chunks:
        if cid == b'ds64':
            body = body[:8] + struct.pack('<Q', data_len) + body[16:]
        out += cid + struct.pack('<I', 0xffffffff if unknown else len(body)) + body
        out += b'\0' * (len(body) & 1)
    rf64 = data[:4] == b'RF64'
    out = bytearray(data[:4] + struct.pack('<I', 0xffffffff if rf64 else len(out) + 4)
                    + b'WAVE' + out)
    if rf64:
        at = out.find(b'ds64') + 8
        out[at:at + 8] = struct.pack('<Q', len(out) - 8)
    return bytes(out)
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    open(path, 'wb').write(flac(data) if path.endswith('.flac') else wav(data))
EOF

# --- ID3v2: the tags of the MP3 seeds, and hand-built 2.4 edge cases ---
for f in "$media"/*.mp3 "$media/id3_then.flac"; do
  python3 - "$f" "$id3/$(basename "${f%.*}").id3" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
if data[:3] == b'ID3':
    size = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
    size += 10 if data[3] == 4 and data[5] & 0x10 else 0
    open(sys.argv[2], 'wb').write(data[:size])
EOF
done
python3 - "$id3" <<'EOF'
import sys
out = sys.argv[1]

def syncsafe(n):
    return bytes([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])

def frame(fid, body, flags=b'\0\0'):
    return fid + syncsafe(len(body)) + flags + body

def tag(body, flags=0, footer=False):
    head = b'ID3\x04\x00' + bytes([flags]) + syncsafe(len(body))
    return head + body + (b'3DI\x04\x00' + bytes([flags]) + syncsafe(len(body)) if footer else b'')

def chap(eid, start, end, title, enc=3, wrap=lambda b: b):
    return frame(b'CHAP', wrap(eid + b'\0' + start.to_bytes(4, 'big') + end.to_bytes(4, 'big')
                 + b'\xff' * 8 + frame(b'TIT2', bytes([enc]) + title)))

ctoc = frame(b'CTOC', b'toc\0\x03\x02c1\0c2\0')
chaps = chap(b'c1', 0, 500, 'Un été'.encode()) + chap(b'c2', 500, 900, 'Zwei'.encode('utf-16-be'), 2)
with open(out + '/v24_utf8_footer.id3', 'wb') as f:
    f.write(tag(frame(b'TIT2', b'\x03T\xc3\xadtulo\0') + ctoc + chaps, 0x10, True))
# 2.4 unsynchronises frame by frame (sizes count the stuffed bytes), after an
# extended header; 2.3 unsynchronises the whole body (sizes count the bytes
# without the stuffing).
def stuff(b):
    return b.replace(b'\xff', b'\xff\x00')
ext = syncsafe(6) + b'\x01\x00'
tpe1 = b'\x01\xff\xfeA\x00\xff\x00'
with open(out + '/v24_unsync_extended.id3', 'wb') as f:
    f.write(tag(ext + frame(b'TPE1', stuff(tpe1)) + ctoc
                + chap(b'c1', 0, 500, 'Un été'.encode(), 3, stuff), 0xc0))
def frame23(fid, body):
    return fid + len(body).to_bytes(4, 'big') + b'\0\0' + body
body23 = frame23(b'TPE1', tpe1) + frame23(b'TIT2', b'\x00\xff\xe0 caf\xe9')
with open(out + '/v23_unsync.id3', 'wb') as f:
    f.write(b'ID3\x03\x00\x80' + syncsafe(len(stuff(body23))) + stuff(body23))
# Frame flags: grouped, data length indicator, compressed (skipped), per-frame unsync.
flagged = (frame(b'TSSE', b'\x07\0\0\0\x05' + b'\x00aloud', b'\x00\x41')
           + frame(b'TIT2', b'\x00zipped', b'\x00\x08')
           + frame(b'TPE1', b'\x00\xff\x00x', b'\x00\x02') + b'\0' * 16)
with open(out + '/v24_frame_flags.id3', 'wb') as f:
    f.write(tag(flagged))
with open(out + '/v22_empty.id3', 'wb') as f:
    f.write(b'ID3\x02\x00\x00' + syncsafe(12) + b'TT2\x00\x00\x05\x00Two\0\0\0\0')
EOF
# ...and the same tags in front of a real MP3 stream, for the whole reader.
if [ -f "$work/lame_noinfo.mp3" ]; then
  for t in "$id3"/v2[34]_*.id3; do
    cat "$t" "$work/lame_noinfo.mp3" > "$media/$(basename "${t%.id3}").mp3"
  done
fi
du -sh "$media" "$id3"
