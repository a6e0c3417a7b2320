/*
 * read_mp3.c - reads MP3 back: the ID3v2 tag through id3v2.c, the length
 * from MPEG Layer III frames.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "clock.h"
#include "id3v2.h"
#include "media_read.h"

/*
 * MP3: an ID3v2 tag (title, artist, software, CHAP chapters; id3v2.c),
 * then MPEG-1/2/2.5 Layer III frames. The length comes from the first
 * frame's Xing/Info header when there is one: its frame count times the
 * samples per frame, less the encoder delay and padding of a LAME header
 * (what gapless players drop, so frames and chapter times agree with the
 * writer's input). Without it, the frames are counted one by one; then
 * the length includes the encoder delay, as every player plays it.
 * A file shorter than the Xing byte count, or whose last frame is cut,
 * is truncated.
 */
#define READ_MP3_MPEG_HEADER 4u
#define READ_MP3_SYNC_SEARCH 65536u  /* junk tolerated between the tag and the first frame */
#define READ_MP3_XING_FRAMES 0x1u
#define READ_MP3_XING_BYTES 0x2u
#define READ_MP3_XING_TOC 0x4u
#define READ_MP3_XING_QUALITY 0x8u

typedef struct read_mp3_frame {
    unsigned version;         /* 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5) */
    unsigned rate;
    unsigned channels;
    unsigned samples;         /* per frame */
    size_t size;              /* bytes, header included */
} read_mp3_frame;

/* Decodes a Layer III frame header; false for anything else (free format included). */
static bool read_mp3_header(const unsigned char *h, read_mp3_frame *fr)
{
    static const unsigned kbps_v1[16] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
                                         256, 320, 0};
    static const unsigned kbps_v2[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                         160, 0};
    static const unsigned rates[3] = {44100, 48000, 32000};
    unsigned ver = (h[1] >> 3) & 3u, layer = (h[1] >> 1) & 3u;
    unsigned br = h[2] >> 4, sr = (h[2] >> 2) & 3u, pad = (h[2] >> 1) & 1u;
    unsigned kbps;

    if (h[0] != 0xffu || (h[1] & 0xe0u) != 0xe0u || ver == 1 || layer != 1 || sr == 3)
        return false;
    fr->version = ver == 3 ? 1 : ver == 2 ? 2 : 25;
    kbps = fr->version == 1 ? kbps_v1[br] : kbps_v2[br];
    if (kbps == 0)
        return false;
    fr->rate = rates[sr] >> (fr->version == 1 ? 0 : fr->version == 2 ? 1 : 2);
    fr->channels = (h[3] >> 6) == 3u ? 1 : 2;
    fr->samples = fr->version == 1 ? 1152 : 576;
    fr->size = (size_t)((fr->version == 1 ? 144000u : 72000u) * kbps / fr->rate + pad);
    return true;
}

typedef struct read_mp3_state {
    FILE *f;
    uint64_t file_size;
    uint64_t audio;           /* offset of the first frame */
    read_mp3_frame first;
} read_mp3_state;

/* Skips the ID3v2 tag(s) at `pos` (loading the first into *tag) up to the audio. */
static aloud_status read_mp3_tags(read_mp3_state *mp, uint64_t *pos, id3_tag **tag, aloud_error *err)
{
    unsigned char head[ID3_HEADER_SIZE];

    while (*pos + ID3_HEADER_SIZE <= mp->file_size && media_read_at(mp->f, *pos, head, sizeof head)
           && memcmp(head, "ID3", 3) == 0) {
        uint64_t size = id3_tag_total_size(head, sizeof head);
        unsigned char *buf;
        aloud_status st = ALOUD_OK;

        if (size == 0)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad ID3v2 header");
        if (size > mp->file_size - *pos)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "truncated: the ID3v2 tag needs %" PRIu64
                                   " bytes, the file has %" PRIu64,
                                   size, mp->file_size - *pos);
        if (!*tag) {
            if (size > MEDIA_MAX_META_CHUNK)
                return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                       "ID3v2 tag too large (%" PRIu64 " bytes)", size);
            buf = malloc((size_t)size);
            if (!buf)
                return media_nomem(err);
            if (!media_read_at(mp->f, *pos, buf, (size_t)size))
                st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the ID3v2 tag");
            else
                st = id3_tag_parse(buf, (size_t)size, tag, err);
            free(buf);
            if (st != ALOUD_OK)
                return st;
        }
        *pos += size;
    }
    return ALOUD_OK;
}

/* Whether a frame header sits at `pos` and a second one right after it. */
static bool read_mp3_frame_pair(const read_mp3_state *mp, uint64_t pos, read_mp3_frame *fr)
{
    unsigned char h[READ_MP3_MPEG_HEADER];
    read_mp3_frame next;

    if (pos + READ_MP3_MPEG_HEADER > mp->file_size || !media_read_at(mp->f, pos, h, sizeof h)
        || !read_mp3_header(h, fr))
        return false;
    if (pos + fr->size == mp->file_size)
        return true; /* a one-frame file */
    return pos + fr->size + READ_MP3_MPEG_HEADER <= mp->file_size
           && media_read_at(mp->f, pos + fr->size, h, sizeof h) && read_mp3_header(h, &next)
           && next.rate == fr->rate;
}

/* Finds the first frame at or shortly after `pos`: two headers in a row, to rule out chance. */
static aloud_status read_mp3_sync(read_mp3_state *mp, uint64_t pos, aloud_error *err)
{
    uint64_t end = pos + READ_MP3_SYNC_SEARCH;

    for (; pos < end && pos < mp->file_size; pos++) {
        if (read_mp3_frame_pair(mp, pos, &mp->first)) {
            mp->audio = pos;
            return ALOUD_OK;
        }
    }
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "no MPEG audio frames found");
}

/* Counts frames from the first to the end (or to a trailing tag); a cut last frame is an error. */
static aloud_status read_mp3_count(const read_mp3_state *mp, uint64_t *frames, aloud_error *err)
{
    uint64_t pos = mp->audio, n = 0;
    unsigned char h[READ_MP3_MPEG_HEADER];
    read_mp3_frame fr;

    while (pos + READ_MP3_MPEG_HEADER <= mp->file_size && media_read_at(mp->f, pos, h, sizeof h)
           && read_mp3_header(h, &fr)) {
        if (fr.size > mp->file_size - pos)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "truncated MP3: the frame at byte %" PRIu64 " is cut", pos);
        pos += fr.size;
        n++;
    }
    *frames = n * mp->first.samples;
    return ALOUD_OK;
}

/* Byte offset of the Xing/Info header in a Layer III frame: after the side information. */
static size_t read_mp3_xing_offset(const read_mp3_frame *fr)
{
    if (fr->version == 1)
        return READ_MP3_MPEG_HEADER + (fr->channels == 1 ? 17u : 32u);
    return READ_MP3_MPEG_HEADER + (fr->channels == 1 ? 9u : 17u);
}

/*
 * The length from a Xing/Info header in the first frame; *found is false
 * when there is none (or it has no frame count). ALOUD_ERR_MEDIA when it
 * announces more bytes than the file holds.
 */
static aloud_status read_mp3_xing(const read_mp3_state *mp, bool *found, uint64_t *frames,
                                   aloud_error *err)
{
    unsigned char buf[1441]; /* the largest Layer III frame: 320 kb/s at 32 kHz, padded */
    size_t x = read_mp3_xing_offset(&mp->first), at;
    uint32_t flags, count, bytes = 0;
    uint64_t total, trim = 0;

    *found = false;
    if (mp->first.size > sizeof buf || mp->first.size < x + 12
        || !media_read_at(mp->f, mp->audio, buf, mp->first.size))
        return ALOUD_OK;
    if (memcmp(buf + x, "Xing", 4) != 0 && memcmp(buf + x, "Info", 4) != 0)
        return ALOUD_OK;
    flags = (uint32_t)buf[x + 4] << 24 | (uint32_t)buf[x + 5] << 16 | (uint32_t)buf[x + 6] << 8
            | buf[x + 7];
    if (!(flags & READ_MP3_XING_FRAMES))
        return ALOUD_OK;
    count = (uint32_t)buf[x + 8] << 24 | (uint32_t)buf[x + 9] << 16 | (uint32_t)buf[x + 10] << 8
            | buf[x + 11];
    at = x + 12;
    if ((flags & READ_MP3_XING_BYTES) && at + 4 <= mp->first.size)
        bytes = (uint32_t)buf[at] << 24 | (uint32_t)buf[at + 1] << 16
                | (uint32_t)buf[at + 2] << 8 | buf[at + 3];
    at += (flags & READ_MP3_XING_BYTES) ? 4u : 0u;
    at += (flags & READ_MP3_XING_TOC) ? 100u : 0u;
    at += (flags & READ_MP3_XING_QUALITY) ? 4u : 0u;
    /* A LAME (or ffmpeg "Lavf"/"Lavc") extension: encoder delay and padding, 12 bits each. */
    if (at + 24 <= mp->first.size
        && (memcmp(buf + at, "LAME", 4) == 0 || memcmp(buf + at, "Lavf", 4) == 0
            || memcmp(buf + at, "Lavc", 4) == 0))
        trim = ((uint64_t)buf[at + 21] << 4 | buf[at + 22] >> 4)
               + ((uint64_t)(buf[at + 22] & 0x0fu) << 8 | buf[at + 23]);
    if (bytes && bytes > mp->file_size - mp->audio)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated MP3: %" PRIu32 " bytes of audio announced, %" PRIu64
                               " present",
                               bytes, mp->file_size - mp->audio);
    total = (uint64_t)count * mp->first.samples;
    *frames = total > trim ? total - trim : 0;
    *found = true;
    return ALOUD_OK;
}

/* CHAP frames as chapters, in milliseconds turned into frames at the stream's rate. */
static aloud_status read_mp3_chapters(const id3_tag *tag, aloud_media *m, aloud_error *err)
{
    if (tag->chapter_count == 0)
        return ALOUD_OK;
    m->chapters = calloc(tag->chapter_count, sizeof *m->chapters);
    if (!m->chapters)
        return media_nomem(err);
    for (size_t i = 0; i < tag->chapter_count; i++) {
        const id3_chapter *c = &tag->chapters[i];
        m->chapters[i].frame = clock_frames(c->start_ms, m->sample_rate);
        m->chapters[i].title = strdup(c->title ? c->title : "");
        if (!m->chapters[i].title)
            return media_nomem(err);
        m->chapter_count = i + 1;
    }
    return media_sort_chapters(m->chapters, m->chapter_count, err);
}

/* Title, artist and software from the tag; the first tag of a kind wins, as elsewhere. */
static aloud_status read_mp3_tag_strings(const id3_tag *tag, aloud_media *m, aloud_error *err)
{
    aloud_status st = ALOUD_OK;

    if (tag->title)
        st = media_set_tag(&m->title, tag->title, strlen(tag->title), err);
    if (st == ALOUD_OK && tag->artist)
        st = media_set_tag(&m->author, tag->artist, strlen(tag->artist), err);
    if (st == ALOUD_OK && tag->software)
        st = media_set_tag(&m->software, tag->software, strlen(tag->software), err);
    return st;
}

/* An ID3v2 tag (FLAC with one is claimed first, in table order) or an MPEG frame sync. */
bool read_mp3_sniff(const media_file *file)
{
    const unsigned char *h = file->head;

    if (file->head_size >= ID3_HEADER_SIZE && memcmp(h, "ID3", 3) == 0)
        return true;
    return file->head_size >= 2 && h[0] == 0xffu && (h[1] & 0xe0u) == 0xe0u;
}

aloud_status read_mp3_read(const media_file *file, aloud_media *m, aloud_error *err)
{
    read_mp3_state mp;
    id3_tag *tag = NULL;
    uint64_t pos = 0, frames = 0;
    bool xing = false;
    aloud_status st;

    memset(&mp, 0, sizeof mp);
    mp.f = file->f;
    mp.file_size = file->size;
    st = read_mp3_tags(&mp, &pos, &tag, err);
    if (st == ALOUD_OK)
        st = read_mp3_sync(&mp, pos, err);
    if (st == ALOUD_OK)
        st = read_mp3_xing(&mp, &xing, &frames, err);
    if (st == ALOUD_OK && !xing)
        st = read_mp3_count(&mp, &frames, err);
    if (st == ALOUD_OK) {
        m->sample_rate = mp.first.rate;
        m->channels = mp.first.channels;
        m->frames = frames;
        if (tag)
            st = read_mp3_tag_strings(tag, m, err);
        if (st == ALOUD_OK && tag)
            st = read_mp3_chapters(tag, m, err);
    }
    id3_tag_free(tag);
    return st;
}
