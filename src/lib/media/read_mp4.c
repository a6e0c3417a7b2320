/*
 * read_mp4.c - reads M4B/M4A (MP4) back: the length from the audio track's
 * edit list (what players play: the encoder delay and padding left out),
 * the iTunes tags of moov/udta/meta/ilst, and the chapters of the Nero
 * moov/udta/chpl box.
 *
 * A box is a 32-bit big-endian size (1: a 64-bit size follows the type; 0:
 * to the end of the file) and a four-character type. Only the top level
 * is walked in the file; moov, which holds everything read here, is loaded
 * whole (up to MEDIA_MAX_META_CHUNK) and walked in memory, every size
 * checked against its parent's.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "media_read.h"

/* A box within a buffer: its payload [data, data + size). */
typedef struct mp4_box {
    char type[4];
    const unsigned char *data;
    size_t size;
} mp4_box;

/* What a trak says (its boxes come in any order: edts and mdhd before hdlr). */
typedef struct mp4_track {
    bool audio;               /* a 'soun' handler */
    uint32_t media_scale;     /* mdhd */
    uint64_t media_duration;
    uint32_t rate;            /* stsd mp4a */
    unsigned channels;
    bool have_edit;
    uint64_t edit_duration;   /* in the movie's time scale */
} mp4_track;

/* What the walk finds. */
typedef struct mp4_state {
    uint32_t movie_scale;     /* mvhd */
    mp4_track cur;            /* the trak being walked */
    bool have_audio;
    mp4_track audio;          /* the first audio trak */
    const unsigned char *chpl;
    size_t chpl_size;
    aloud_media *m;
} mp4_state;

static uint32_t mp4_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t mp4_be64(const unsigned char *p)
{
    return (uint64_t)mp4_be32(p) << 32 | mp4_be32(p + 4);
}

static aloud_status mp4_bad(const char *what, aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "a malformed MP4 file: %s", what);
}

/* The next box of [*p, end) into *box; false at the end or on a box that does not fit. */
static bool mp4_next(const unsigned char **p, const unsigned char *end, mp4_box *box, bool *bad)
{
    size_t left = (size_t)(end - *p), head = 8;
    uint64_t size;

    *bad = false;
    if (left == 0)
        return false;
    if (left < 8) {
        *bad = true;
        return false;
    }
    size = mp4_be32(*p);
    memcpy(box->type, *p + 4, 4);
    if (size == 1) {
        if (left < 16) {
            *bad = true;
            return false;
        }
        size = mp4_be64(*p + 8);
        head = 16;
    } else if (size == 0) {
        size = left;
    }
    if (size < head || size > left) {
        *bad = true;
        return false;
    }
    box->data = *p + head;
    box->size = (size_t)size - head;
    *p += size;
    return true;
}

static bool mp4_is(const mp4_box *b, const char *type)
{
    return memcmp(b->type, type, 4) == 0;
}

/* One iTunes item (©nam, ©ART, ©too): its first 'data' child, UTF-8 (type 1). */
static aloud_status mp4_item(const mp4_box *item, aloud_media *m, aloud_error *err)
{
    const unsigned char *p = item->data, *end = item->data + item->size;
    char **slot = NULL;
    mp4_box d;
    bool bad;

    if (memcmp(item->type, "\xa9nam", 4) == 0)
        slot = &m->title;
    else if (memcmp(item->type, "\xa9" "ART", 4) == 0)
        slot = &m->author;
    else if (memcmp(item->type, "\xa9too", 4) == 0)
        slot = &m->software;
    if (!slot)
        return ALOUD_OK;
    while (mp4_next(&p, end, &d, &bad)) {
        if (mp4_is(&d, "data") && d.size >= 8 && mp4_be32(d.data) == 1)
            return media_set_tag(slot, d.data + 8, d.size - 8, err);
    }
    return bad ? mp4_bad("a cut tag", err) : ALOUD_OK;
}

/* Boxes whose payload is a list of boxes, and how many bytes come first. */
static bool mp4_container(const mp4_box *b, size_t *skip)
{
    static const char *const plain[] = {"moov", "trak", "mdia", "minf", "stbl", "udta",
                                        "edts", "ilst"};

    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (mp4_is(b, plain[i])) {
            *skip = 0;
            return true;
        }
    }
    if (mp4_is(b, "meta")) {
        *skip = 4; /* a full box in MP4: version and flags */
        return true;
    }
    return false;
}

static aloud_status mp4_walk(mp4_state *s, const unsigned char *p, const unsigned char *end,
                             int depth, bool in_ilst, aloud_error *err);

/* A descriptor of an esds box: tag, a length of 1-4 bytes of 7 bits; false when cut. */
static bool mp4_descriptor(const unsigned char **p, const unsigned char *end, unsigned *tag,
                           size_t *len)
{
    size_t n = 0;

    if (end - *p < 2)
        return false;
    *tag = *(*p)++;
    for (int i = 0; i < 4 && *p < end; i++) {
        unsigned char c = *(*p)++;
        n = n << 7 | (c & 0x7fu);
        if (!(c & 0x80u)) {
            *len = n;
            return n <= (size_t)(end - *p);
        }
    }
    return false;
}

/* The channel configuration of the AudioSpecificConfig in an mp4a entry's esds box
 * (ISO 14496-1 ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo;
 * 14496-3: 5 bits object type, 4 bits rate index, 4 bits channels). */
static void mp4_esds(mp4_track *t, const unsigned char *p, const unsigned char *end)
{
    mp4_box b;
    bool bad;

    while (mp4_next(&p, end, &b, &bad)) {
        const unsigned char *q = b.data + 4, *qe = b.data + b.size;
        unsigned tag, flags;
        size_t len;

        if (!mp4_is(&b, "esds") || b.size < 4 || !mp4_descriptor(&q, qe, &tag, &len) || tag != 3
            || len < 3)
            continue;
        qe = q + len;
        flags = q[2];
        q += 3 + (flags & 0x80u ? 2 : 0) + (flags & 0x20u ? 2 : 0);
        if (flags & 0x40u) {
            if (q >= qe)
                return;
            q += 1 + *q;
        }
        if (q > qe || !mp4_descriptor(&q, qe, &tag, &len) || tag != 4 || len < 13)
            return;
        qe = q + len;
        q += 13;
        if (!mp4_descriptor(&q, qe, &tag, &len) || tag != 5 || len < 2)
            return;
        if (((q[1] >> 3) & 0x0fu) != 0)
            t->channels = (q[1] >> 3) & 0x0fu;
        return;
    }
}

/* A leaf box of the moov tree. */
static aloud_status mp4_leaf(mp4_state *s, const mp4_box *b, aloud_error *err)
{
    const unsigned char *d = b->data;
    size_t n = b->size;

    if (mp4_is(b, "mvhd")) {
        if (n < 4 || n < (d[0] == 1 ? 32u : 20u))
            return mp4_bad("a short mvhd", err);
        s->movie_scale = mp4_be32(d + (d[0] == 1 ? 20 : 12));
    } else if (mp4_is(b, "hdlr")) {
        if (n < 12)
            return mp4_bad("a short hdlr", err);
        if (memcmp(d + 8, "soun", 4) == 0)
            s->cur.audio = true;
    } else if (mp4_is(b, "mdhd")) {
        if (n < 4 || n < (d[0] == 1 ? 32u : 24u))
            return mp4_bad("a short mdhd", err);
        s->cur.media_scale = mp4_be32(d + (d[0] == 1 ? 20 : 12));
        s->cur.media_duration = d[0] == 1 ? mp4_be64(d + 24) : mp4_be32(d + 16);
    } else if (mp4_is(b, "stsd")) {
        /* version/flags, count, then the first entry: size, 'mp4a', 6 reserved, index,
         * 8 reserved, channels, sample size, 4 more, rate as 16.16 */
        if (n >= 8 + 36 && memcmp(d + 12, "mp4a", 4) == 0) {
            size_t entry = mp4_be32(d + 8);
            s->cur.channels = (unsigned)d[8 + 24] << 8 | d[8 + 25];
            s->cur.rate = mp4_be32(d + 8 + 32) >> 16;
            /* ISO files put a template 2 there: the AAC config in esds says. */
            if (entry >= 36 && entry <= n - 8)
                mp4_esds(&s->cur, d + 8 + 36, d + 8 + entry);
        }
    } else if (mp4_is(b, "elst")) {
        /* Entries with media time -1 are empty edits (a delay); the first real one plays. */
        size_t entry = n >= 1 && d[0] == 1 ? 20 : 12;
        uint32_t count;
        if (n < 8)
            return mp4_bad("a short elst", err);
        count = mp4_be32(d + 4);
        if ((n - 8) / entry < count)
            return mp4_bad("a short elst", err);
        for (uint32_t i = 0; i < count; i++) {
            const unsigned char *e = d + 8 + (size_t)i * entry;
            int64_t media_time = entry == 20 ? (int64_t)mp4_be64(e + 8) : (int32_t)mp4_be32(e + 4);
            if (media_time >= 0) {
                s->cur.edit_duration = entry == 20 ? mp4_be64(e) : mp4_be32(e);
                s->cur.have_edit = true;
                break;
            }
        }
    } else if (mp4_is(b, "chpl") && !s->chpl) {
        s->chpl = d;
        s->chpl_size = n;
    }
    return ALOUD_OK;
}

static aloud_status mp4_walk(mp4_state *s, const unsigned char *p, const unsigned char *end,
                             int depth, bool in_ilst, aloud_error *err)
{
    mp4_box b;
    bool bad;

    if (depth > 16)
        return mp4_bad("boxes nested too deep", err);
    while (mp4_next(&p, end, &b, &bad)) {
        size_t skip;
        aloud_status st;

        if (mp4_is(&b, "trak"))
            memset(&s->cur, 0, sizeof s->cur);
        if (in_ilst)
            st = mp4_item(&b, s->m, err);
        else if (mp4_container(&b, &skip))
            st = b.size < skip ? mp4_bad("a short meta box", err)
                               : mp4_walk(s, b.data + skip, b.data + b.size, depth + 1,
                                          mp4_is(&b, "ilst"), err);
        else
            st = mp4_leaf(s, &b, err);
        if (st != ALOUD_OK)
            return st;
        if (mp4_is(&b, "trak") && s->cur.audio && !s->have_audio) {
            s->audio = s->cur;
            s->have_audio = true;
        }
    }
    return bad ? mp4_bad("a box larger than the one holding it", err) : ALOUD_OK;
}

/* A time in `scale` units as frames at `rate`, rounded to nearest. */
static uint64_t mp4_frames(uint64_t t, uint64_t scale, uint64_t rate)
{
    if (scale == 0)
        return 0;
    return t / scale * rate + ((t % scale) * rate + scale / 2) / scale;
}

/* The Nero chapters: version, flags, (version 1: 4 bytes), an 8-bit count, then per
 * chapter a 64-bit start in 100 ns units and a title of 8-bit length. */
static aloud_status mp4_chapters(const mp4_state *s, aloud_media *m, aloud_error *err)
{
    const unsigned char *d = s->chpl;
    size_t n = s->chpl_size, at;
    unsigned count;

    if (!d)
        return ALOUD_OK;
    at = n >= 1 && d[0] != 0 ? 8 : 4;
    if (n < at + 1)
        return mp4_bad("a short chpl box", err);
    count = d[at++];
    m->chapters = calloc(count ? count : 1, sizeof *m->chapters);
    if (!m->chapters)
        return media_nomem(err);
    for (unsigned i = 0; i < count; i++) {
        size_t len;
        if (n - at < 9)
            return mp4_bad("a cut chpl box", err);
        len = d[at + 8];
        if (n - at - 9 < len)
            return mp4_bad("a cut chpl box", err);
        m->chapters[i].frame = mp4_frames(mp4_be64(d + at), 10000000u, m->sample_rate);
        m->chapters[i].title = media_text_dup(d + at + 9, len);
        m->chapter_count = i + 1;
        if (!m->chapters[i].title)
            return media_nomem(err);
        at += 9 + len;
    }
    return media_sort_chapters(m->chapters, m->chapter_count, err);
}

bool read_m4b_sniff(const media_file *file)
{
    return file->head_size >= 12 && memcmp(file->head + 4, "ftyp", 4) == 0
           && memcmp(file->head + 8, "M4B ", 4) == 0;
}

bool read_mp4_sniff(const media_file *file)
{
    return file->head_size >= 8 && memcmp(file->head + 4, "ftyp", 4) == 0;
}

aloud_status read_mp4_read(const media_file *file, aloud_media *m, aloud_error *err)
{
    uint64_t at = 0, moov_at = 0, moov_size = 0;
    unsigned char *moov;
    mp4_state s;
    aloud_status st;

    /* The top level, in the file: find moov. */
    while (at + 8 <= file->size) {
        unsigned char head[16];
        uint64_t size, hsize = 8;
        if (!media_read_at(file->f, at, head, 8))
            return mp4_bad("cannot read a box header", err);
        size = mp4_be32(head);
        if (size == 1) {
            if (at + 16 > file->size || !media_read_at(file->f, at + 8, head + 8, 8))
                return mp4_bad("a cut box header", err);
            size = mp4_be64(head + 8);
            hsize = 16;
        } else if (size == 0) {
            size = file->size - at;
        }
        if (size < hsize || size > file->size - at)
            return mp4_bad("a box runs past the end of the file", err);
        if (memcmp(head + 4, "moov", 4) == 0) {
            moov_at = at + hsize;
            moov_size = size - hsize;
            break;
        }
        at += size;
    }
    if (moov_at == 0)
        return mp4_bad("no moov box (cut short?)", err);
    if (moov_size > MEDIA_MAX_META_CHUNK)
        return mp4_bad("a moov box over 64 MiB", err);
    moov = malloc(moov_size ? (size_t)moov_size : 1);
    if (!moov)
        return media_nomem(err);
    if (!media_read_at(file->f, moov_at, moov, (size_t)moov_size)) {
        free(moov);
        return mp4_bad("a cut moov box", err);
    }
    memset(&s, 0, sizeof s);
    s.m = m;
    st = mp4_walk(&s, moov, moov + moov_size, 0, false, err);
    if (st == ALOUD_OK && !s.have_audio)
        st = mp4_bad("no audio track", err);
    if (st == ALOUD_OK) {
        m->sample_rate = s.audio.rate ? s.audio.rate : s.audio.media_scale;
        m->channels = s.audio.channels;
        if (m->sample_rate == 0)
            st = mp4_bad("no sample rate", err);
        else if (m->channels == 0)
            st = mp4_bad("no channel count", err);
    }
    if (st == ALOUD_OK) {
        m->frames = s.audio.have_edit && s.movie_scale
                        ? mp4_frames(s.audio.edit_duration, s.movie_scale, m->sample_rate)
                        : mp4_frames(s.audio.media_duration, s.audio.media_scale, m->sample_rate);
        st = mp4_chapters(&s, m, err);
    }
    free(moov);
    return st;
}
