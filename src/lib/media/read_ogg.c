/*
 * read_ogg.c - reads Ogg Opus back: Ogg pages walked here, OpusHead for the
 * rate, OpusTags for the Vorbis comments (read_comments.c), the last
 * granule position for the length.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "media_read.h"
#include "vec.h"

/*
 * Ogg Opus (RFC 7845): the first page holds OpusHead (channels, pre-skip,
 * the input's sample rate), the next pages OpusTags (the same comments as
 * FLAC), then audio. The length is the granule position of the stream's
 * last page minus the pre-skip, in 48 kHz samples.
 *
 * We report the input's rate from OpusHead (48 kHz when it says 0), with
 * frames = floor(samples48 * rate / 48000): the writer ends the stream at
 * ceil(frames * 48000 / rate), so this gives back exactly the frames that
 * were written, and `aloud --chapters` shows the render's own rate.
 *
 * Only the header pages and the last page are checksummed; the pages in
 * between are walked by their headers alone (a 27-byte read each), which
 * finds a cut file (no end-of-stream page) without reading the audio.
 * Pages of other logical streams are skipped; a chained file is read up
 * to the end of its first stream.
 */
#define READ_OGG_HEADER 27u
#define READ_OGG_MAX_BODY (255u * 255u)
#define READ_OGG_CONTINUED 0x01u
#define READ_OGG_BOS 0x02u
#define READ_OGG_EOS 0x04u
#define READ_OGG_NO_GRANULE UINT64_MAX
#define READ_OGG_OPUS_HEAD_SIZE 19u
#define READ_OGG_OPUS_RATE 48000u

typedef struct read_ogg_page {
    uint64_t offset;
    unsigned char head[READ_OGG_HEADER];
    unsigned char lacing[255];
    unsigned segments;
    size_t body_size;
    uint64_t granule;
    uint32_t serial;
    unsigned type;           /* READ_OGG_* flags */
} read_ogg_page;

typedef struct read_ogg_state {
    FILE *f;
    uint64_t file_size;
    uint64_t pos;            /* the next page */
    uint32_t serial;
    unsigned char *body;     /* READ_OGG_MAX_BODY bytes */
    unsigned char *packet;   /* the header packet being assembled, owned */
    size_t packet_size;
    size_t packet_cap;
    unsigned preskip;
    unsigned input_rate;
} read_ogg_state;

/* The Ogg CRC-32: polynomial 0x04c11db7, MSB first, no reflection, initial 0. */
static uint32_t read_ogg_crc(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* Reads the header and lacing of the page at `offset`; it must lie wholly in the file. */
static aloud_status read_ogg_page_at(const read_ogg_state *mo, uint64_t offset, read_ogg_page *pg,
                                      aloud_error *err)
{
    pg->offset = offset;
    if (offset + READ_OGG_HEADER > mo->file_size
        || !media_read_at(mo->f, offset, pg->head, READ_OGG_HEADER))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated Ogg: page header cut at byte %" PRIu64, offset);
    if (memcmp(pg->head, "OggS", 4) != 0 || pg->head[4] != 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "no Ogg page at byte %" PRIu64,
                               offset);
    pg->type = pg->head[5];
    pg->granule = media_u64(pg->head + 6);
    pg->serial = media_u32(pg->head + 14);
    pg->segments = pg->head[26];
    pg->body_size = 0;
    if (!media_read_at(mo->f, offset + READ_OGG_HEADER, pg->lacing, pg->segments))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated Ogg: page at byte %" PRIu64 " cut", offset);
    for (unsigned i = 0; i < pg->segments; i++)
        pg->body_size += pg->lacing[i];
    if (pg->body_size > mo->file_size - offset - READ_OGG_HEADER - pg->segments)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated Ogg: page at byte %" PRIu64 " cut", offset);
    return ALOUD_OK;
}

static uint64_t read_ogg_page_end(const read_ogg_page *pg)
{
    return pg->offset + READ_OGG_HEADER + pg->segments + pg->body_size;
}

/* Reads a page's body into mo->body and checks the page's checksum. */
static aloud_status read_ogg_page_body(read_ogg_state *mo, const read_ogg_page *pg,
                                        aloud_error *err)
{
    unsigned char head[READ_OGG_HEADER];
    uint32_t crc;

    if (!media_read_at(mo->f, pg->offset + READ_OGG_HEADER + pg->segments, mo->body,
                       pg->body_size))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the Ogg page at %" PRIu64,
                               pg->offset);
    memcpy(head, pg->head, sizeof head);
    memset(head + 22, 0, 4); /* the checksum is computed with its own field zeroed */
    crc = read_ogg_crc(0, head, sizeof head);
    crc = read_ogg_crc(crc, pg->lacing, pg->segments);
    crc = read_ogg_crc(crc, mo->body, pg->body_size);
    if (crc != media_u32(pg->head + 22))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "bad checksum in the Ogg page at byte %" PRIu64, pg->offset);
    return ALOUD_OK;
}

static aloud_status read_ogg_append(read_ogg_state *mo, const unsigned char *p, size_t n,
                                      aloud_error *err)
{
    if (n > MEDIA_MAX_META_CHUNK - mo->packet_size)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus header packet too large");
    if (!vec_reserve(&mo->packet, &mo->packet_cap, mo->packet_size + n, 1, 4096))
        return media_nomem(err);
    memcpy(mo->packet + mo->packet_size, p, n);
    mo->packet_size += n;
    return ALOUD_OK;
}

static aloud_status read_ogg_opus_head(read_ogg_state *mo, aloud_media *m, aloud_error *err)
{
    const unsigned char *p = mo->packet;

    if (mo->packet_size < 8 || memcmp(p, "OpusHead", 8) != 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "an Ogg file that is not Opus");
    if (mo->packet_size < READ_OGG_OPUS_HEAD_SIZE || (p[8] & 0xf0u) != 0 || p[9] == 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad OpusHead packet");
    m->channels = p[9];
    mo->preskip = media_u16(p + 10);
    mo->input_rate = media_u32(p + 12);
    /* 0 means "unknown"; anything past 768 kHz is not a real input rate. */
    m->sample_rate = (mo->input_rate == 0 || mo->input_rate > 768000u) ? READ_OGG_OPUS_RATE
                                                                         : mo->input_rate;
    return ALOUD_OK;
}

/* The comments of OpusTags: vendor string, count, then length-prefixed NAME=value entries. */
static aloud_status read_ogg_opus_tags(read_ogg_state *mo, read_comments *rc, aloud_media *m,
                                    aloud_error *err)
{
    const unsigned char *p = mo->packet;
    size_t n = mo->packet_size, pos = 12;
    uint32_t count;
    aloud_status st = ALOUD_OK;

    if (n < 16 || memcmp(p, "OpusTags", 8) != 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "no OpusTags after OpusHead");
    if (media_u32(p + 8) > n - 16)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "OpusTags vendor string overruns");
    pos += media_u32(p + 8);
    count = media_u32(p + pos);
    pos += 4;
    for (uint32_t i = 0; st == ALOUD_OK && i < count; i++) {
        uint32_t len;

        if (n - pos < 4 || (len = media_u32(p + pos)) > n - pos - 4)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "OpusTags comment %" PRIu32 " overruns the packet", i + 1);
        st = read_comments_add(rc, (const char *)p + pos + 4, len, m, err);
        pos += 4 + (size_t)len;
    }
    return st;
}

/*
 * Reads pages of the first stream until its two header packets are
 * complete, handing each to OpusHead / OpusTags parsing.
 */
static aloud_status read_ogg_headers(read_ogg_state *mo, read_comments *rc, aloud_media *m,
                                       aloud_error *err)
{
    unsigned done = 0;
    bool first = true;

    while (done < 2) {
        read_ogg_page pg;
        size_t at = 0;
        aloud_status st = read_ogg_page_at(mo, mo->pos, &pg, err);

        if (st != ALOUD_OK)
            return st;
        mo->pos = read_ogg_page_end(&pg);
        if (first) {
            if (!(pg.type & READ_OGG_BOS))
                return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                       "Ogg stream without a first page");
            mo->serial = pg.serial;
            first = false;
        } else if (pg.serial != mo->serial) {
            continue;
        }
        st = read_ogg_page_body(mo, &pg, err);
        for (unsigned i = 0; st == ALOUD_OK && i < pg.segments && done < 2; i++) {
            st = read_ogg_append(mo, mo->body + at, pg.lacing[i], err);
            at += pg.lacing[i];
            if (st != ALOUD_OK || pg.lacing[i] == 255)
                continue;
            st = done == 0 ? read_ogg_opus_head(mo, m, err) : read_ogg_opus_tags(mo, rc, m, err);
            mo->packet_size = 0;
            done++;
        }
        if (st != ALOUD_OK)
            return st;
        if (done < 2 && (pg.type & READ_OGG_EOS))
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus stream ends in its headers");
    }
    return ALOUD_OK;
}

/*
 * Walks the remaining pages of the stream by their headers to its
 * end-of-stream page; checks the last page that carries a granule
 * position and returns that position.
 */
static aloud_status read_ogg_last_granule(read_ogg_state *mo, uint64_t *granule, aloud_error *err)
{
    read_ogg_page last;
    bool have = false;

    for (;;) {
        read_ogg_page pg;
        aloud_status st;

        if (mo->pos >= mo->file_size)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "truncated Ogg Opus: no end-of-stream page");
        st = read_ogg_page_at(mo, mo->pos, &pg, err);
        if (st != ALOUD_OK)
            return st;
        mo->pos = read_ogg_page_end(&pg);
        if (pg.serial != mo->serial)
            continue;
        if (pg.granule != READ_OGG_NO_GRANULE) {
            last = pg;
            have = true;
        }
        if (pg.type & READ_OGG_EOS)
            break;
    }
    if (!have)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus stream without audio");
    *granule = last.granule;
    return read_ogg_page_body(mo, &last, err);
}

bool read_ogg_sniff(const media_file *file)
{
    return file->head_size >= 4 && memcmp(file->head, "OggS", 4) == 0;
}

aloud_status read_ogg_read(const media_file *file, aloud_media *m, aloud_error *err)
{
    read_ogg_state mo;
    read_comments *rc = read_comments_create();
    uint64_t granule = 0, samples;
    aloud_status st;

    memset(&mo, 0, sizeof mo);
    mo.f = file->f;
    mo.file_size = file->size;
    mo.body = malloc(READ_OGG_MAX_BODY);
    if (!rc || !mo.body)
        st = media_nomem(err);
    else
        st = read_ogg_headers(&mo, rc, m, err);
    if (st == ALOUD_OK)
        st = read_ogg_last_granule(&mo, &granule, err);
    if (st == ALOUD_OK && (granule < mo.preskip || granule > INT64_MAX))
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                             "Opus end position %" PRIu64 " is before the pre-skip %u", granule,
                             mo.preskip);
    if (st == ALOUD_OK) {
        samples = granule - mo.preskip;
        /* Exact in two steps: samples * rate could overflow 64 bits. */
        m->frames = samples / READ_OGG_OPUS_RATE * m->sample_rate
                    + samples % READ_OGG_OPUS_RATE * m->sample_rate / READ_OGG_OPUS_RATE;
        st = read_comments_chapters(rc, m, err);
    }
    read_comments_free(rc);
    free(mo.body);
    free(mo.packet);
    return st;
}
