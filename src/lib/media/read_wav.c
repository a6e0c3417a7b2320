/*
 * read_wav.c - reads WAV and RF64 back: walked chunk by chunk (fmt, ds64,
 * data, LIST/INFO, cue, LIST/adtl), with every length checked against the
 * file and its enclosing chunk. Chunks after `data` count too, as ffprobe
 * reads them.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "media_read.h"

/* Bytes of one point in a `cue ` chunk. */
#define READ_WAV_CUE_POINT 24u

/* A chunk id is four printable ASCII characters; anything else is not a chunk. */
static bool read_wav_is_fourcc(const unsigned char *p)
{
    for (int i = 0; i < 4; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    }
    return true;
}

/* Printable form of a chunk id for messages. */
static void read_wav_id_text(const unsigned char *id, char out[5])
{
    for (int i = 0; i < 4; i++)
        out[i] = (id[i] >= 0x20 && id[i] <= 0x7e) ? (char)id[i] : '?';
    out[4] = '\0';
}

/* ------------------------------------------------------- sub-chunk walking */

/* One sub-chunk of a LIST chunk held in memory. */
typedef struct read_wav_sub {
    const unsigned char *id;
    const unsigned char *data;
    uint32_t size;
} read_wav_sub;

/*
 * Where the chunk after one ending at `end` (with an odd size when `odd`)
 * starts: after the pad byte, unless the writer forgot the pad, which we
 * tell by a valid chunk id sitting right at `end` and none after the pad.
 */
static uint64_t read_wav_skip_pad(uint64_t end, bool odd, bool id_at_end, bool id_after_pad)
{
    if (!odd)
        return end;
    return (!id_after_pad && id_at_end) ? end : end + 1;
}

/* Next sub-chunk of buf[0..len) at *pos: 1 found, 0 at the end, -1 when it overruns. */
static int read_wav_sub_next(const unsigned char *buf, size_t len, size_t *pos, read_wav_sub *out)
{
    size_t end;

    if (len < 8 || *pos > len - 8)
        return 0; /* fewer than 8 bytes left: stray padding, not a chunk */
    out->id = buf + *pos;
    out->size = media_u32(buf + *pos + 4);
    out->data = buf + *pos + 8;
    if (out->size > len - *pos - 8)
        return -1;
    end = *pos + 8 + out->size;
    *pos = (size_t)read_wav_skip_pad(end, out->size & 1u, end + 4 <= len && read_wav_is_fourcc(buf + end),
                                  end + 5 <= len && read_wav_is_fourcc(buf + end + 1));
    return 1;
}

/* ---------------------------------------------------------------------- WAV */

typedef struct read_wav_label {
    uint32_t id;
    const unsigned char *text; /* inside the adtl buffer, not NUL-terminated */
    size_t length;
} read_wav_label;

typedef struct read_wav_file {
    FILE *f;
    uint64_t file_size;
    bool rf64;
    bool have_ds64;
    uint64_t ds64_data;      /* data size from ds64 (RF64) */
    bool have_fmt;
    unsigned channels;
    unsigned rate;
    unsigned block_align;
    bool have_data;
    uint64_t data_size;
    unsigned char *cue;      /* owned body of the first `cue ` chunk */
    uint32_t cue_size;
    unsigned char *adtl;     /* owned body of the first LIST/adtl chunk */
    uint32_t adtl_size;
} read_wav_file;

static bool read_wav_fourcc_at(read_wav_file *mw, uint64_t offset)
{
    unsigned char id[4];

    return offset + 4 <= mw->file_size && media_read_at(mw->f, offset, id, 4)
           && read_wav_is_fourcc(id);
}

/* Loads a whole metadata chunk body; caller frees *out. */
static aloud_status read_wav_load(read_wav_file *mw, uint64_t offset, uint32_t size, const char *what,
                               unsigned char **out, aloud_error *err)
{
    if (size > MEDIA_MAX_META_CHUNK)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "WAV %s chunk too large (%" PRIu32 " bytes)", what, size);
    *out = malloc(size ? size : 1);
    if (!*out)
        return media_nomem(err);
    if (!media_read_at(mw->f, offset, *out, size))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the WAV %s chunk", what);
    return ALOUD_OK;
}

static aloud_status read_wav_fmt(read_wav_file *mw, uint64_t offset, uint32_t size, aloud_error *err)
{
    unsigned char b[16];

    if (size < sizeof b)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "WAV fmt chunk too short (%" PRIu32 " bytes)", size);
    if (!media_read_at(mw->f, offset, b, sizeof b))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the WAV fmt chunk");
    mw->channels = media_u16(b + 2);
    mw->rate = media_u32(b + 4);
    mw->block_align = media_u16(b + 12);
    if (mw->channels == 0 || mw->block_align == 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "WAV fmt chunk has %u channels and block size %u", mw->channels,
                               mw->block_align);
    mw->have_fmt = true;
    return ALOUD_OK;
}

static aloud_status read_wav_ds64(read_wav_file *mw, uint64_t offset, uint32_t size,
                                   aloud_error *err)
{
    unsigned char b[24];

    if (size < sizeof b)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "RF64 ds64 chunk too short (%" PRIu32 " bytes)", size);
    if (!media_read_at(mw->f, offset, b, sizeof b))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the RF64 ds64 chunk");
    mw->ds64_data = media_u64(b + 8);
    mw->have_ds64 = true;
    return ALOUD_OK;
}

/* INAM, IART and ISFT from a LIST/INFO body. */
static aloud_status read_wav_info(const unsigned char *buf, uint32_t size, aloud_media *m,
                                   aloud_error *err)
{
    size_t pos = 4; /* after "INFO" */
    read_wav_sub sub;
    int rc;
    aloud_status st = ALOUD_OK;

    while (st == ALOUD_OK && (rc = read_wav_sub_next(buf, size, &pos, &sub)) != 0) {
        if (rc < 0) {
            char id[5];

            read_wav_id_text(sub.id, id);
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "WAV LIST/INFO entry '%s' overruns its list", id);
        }
        if (memcmp(sub.id, "INAM", 4) == 0)
            st = media_set_tag(&m->title, sub.data, sub.size, err);
        else if (memcmp(sub.id, "IART", 4) == 0)
            st = media_set_tag(&m->author, sub.data, sub.size, err);
        else if (memcmp(sub.id, "ISFT", 4) == 0)
            st = media_set_tag(&m->software, sub.data, sub.size, err);
    }
    return st;
}

static aloud_status read_wav_list(read_wav_file *mw, uint64_t offset, uint32_t size,
                                   aloud_media *m, aloud_error *err)
{
    unsigned char type[4];
    unsigned char *buf = NULL;
    aloud_status st = ALOUD_OK;

    if (size < 4)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV LIST chunk without a type");
    if (!media_read_at(mw->f, offset, type, sizeof type))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read a WAV LIST chunk");
    if (memcmp(type, "INFO", 4) == 0) {
        st = read_wav_load(mw, offset, size, "LIST/INFO", &buf, err);
        if (st == ALOUD_OK)
            st = read_wav_info(buf, size, m, err);
        free(buf);
    } else if (memcmp(type, "adtl", 4) == 0 && !mw->adtl) {
        st = read_wav_load(mw, offset, size, "LIST/adtl", &mw->adtl, err);
        mw->adtl_size = size;
    }
    return st;
}

/* Size of the data chunk: RF64 keeps it in ds64; a RIFF of unknown length runs to the end. */
static aloud_status read_wav_data_size(read_wav_file *mw, uint64_t body, uint32_t size32,
                                        uint64_t *size, aloud_error *err)
{
    *size = size32;
    if (size32 != UINT32_MAX)
        return ALOUD_OK;
    if (mw->rf64) {
        if (!mw->have_ds64)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "RF64 data chunk before any ds64 chunk");
        *size = mw->ds64_data;
    } else {
        *size = mw->file_size - body;
    }
    return ALOUD_OK;
}

/* Handles one top-level chunk whose body lies wholly inside the file. */
static aloud_status read_wav_chunk(read_wav_file *mw, const unsigned char *id, uint64_t body,
                                    uint64_t size, aloud_media *m, aloud_error *err)
{
    uint32_t size32 = (uint32_t)size; /* every chunk but data has a 32-bit size */

    if (memcmp(id, "fmt ", 4) == 0 && !mw->have_fmt)
        return read_wav_fmt(mw, body, size32, err);
    if (memcmp(id, "ds64", 4) == 0 && !mw->have_ds64)
        return read_wav_ds64(mw, body, size32, err);
    if (memcmp(id, "data", 4) == 0 && !mw->have_data) {
        mw->have_data = true;
        mw->data_size = size;
        return ALOUD_OK;
    }
    if (memcmp(id, "LIST", 4) == 0)
        return read_wav_list(mw, body, size32, m, err);
    if (memcmp(id, "cue ", 4) == 0 && !mw->cue) {
        mw->cue_size = size32;
        return read_wav_load(mw, body, size32, "cue", &mw->cue, err);
    }
    return ALOUD_OK;
}

/*
 * Walks the chunks after the RIFF/RF64 header up to the end of the file:
 * chunks after `data` count too. Stops quietly at bytes that are not a
 * chunk id (trailing garbage); a chunk running past the end of the file
 * means the file was cut short.
 */
static aloud_status read_wav_walk(read_wav_file *mw, aloud_media *m, aloud_error *err)
{
    uint64_t pos = 12;
    aloud_status st = ALOUD_OK;

    while (st == ALOUD_OK && pos + 8 <= mw->file_size) {
        unsigned char h[8];
        uint64_t size, end;
        char idtext[5];

        if (!media_read_at(mw->f, pos, h, sizeof h))
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read WAV chunk at %" PRIu64,
                                   pos);
        if (!read_wav_is_fourcc(h))
            break;
        read_wav_id_text(h, idtext);
        if (memcmp(h, "data", 4) == 0) {
            st = read_wav_data_size(mw, pos + 8, media_u32(h + 4), &size, err);
            if (st != ALOUD_OK)
                return st;
        } else {
            size = media_u32(h + 4);
        }
        if (size > mw->file_size - pos - 8)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "truncated WAV: chunk '%s' at byte %" PRIu64 " needs %" PRIu64
                                   " bytes, the file has %" PRIu64 " left",
                                   idtext, pos, size, mw->file_size - pos - 8);
        st = read_wav_chunk(mw, h, pos + 8, size, m, err);
        end = pos + 8 + size;
        pos = (size & 1u) ? read_wav_skip_pad(end, true, read_wav_fourcc_at(mw, end),
                                           read_wav_fourcc_at(mw, end + 1))
                          : end;
    }
    if (st == ALOUD_OK && !mw->have_fmt)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV without a fmt chunk");
    if (st == ALOUD_OK && !mw->have_data)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV without a data chunk");
    return st;
}

static int read_wav_label_cmp(const void *a, const void *b)
{
    const read_wav_label *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Collects the `labl`s of the adtl list, sorted by id; *out owned by the caller. */
static aloud_status read_wav_labels(const read_wav_file *mw, read_wav_label **out, size_t *count,
                                     aloud_error *err)
{
    size_t pos = 4, n = 0, cap = mw->adtl_size / 12 + 1; /* a labl takes at least 12 bytes */
    read_wav_sub sub;
    int rc;

    *out = NULL;
    *count = 0;
    if (!mw->adtl)
        return ALOUD_OK;
    *out = malloc(cap * sizeof **out);
    if (!*out)
        return media_nomem(err);
    while ((rc = read_wav_sub_next(mw->adtl, mw->adtl_size, &pos, &sub)) != 0) {
        if (rc < 0)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "WAV LIST/adtl entry overruns its list");
        if (memcmp(sub.id, "labl", 4) != 0)
            continue;
        if (sub.size < 4)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "WAV labl entry too short (%" PRIu32 " bytes)", sub.size);
        if (n == cap)
            break; /* cannot happen given the size bound; keeps the writes in range */
        (*out)[n].id = media_u32(sub.data);
        (*out)[n].text = sub.data + 4;
        (*out)[n].length = sub.size - 4;
        n++;
    }
    qsort(*out, n, sizeof **out, read_wav_label_cmp);
    *count = n;
    return ALOUD_OK;
}

/* One chapter per cue point, titled by the labl with its id, sorted by position. */
static aloud_status read_wav_chapters(const read_wav_file *mw, aloud_media *m, aloud_error *err)
{
    read_wav_label *labels = NULL;
    size_t label_count = 0;
    uint32_t points;
    aloud_status st;

    if (!mw->cue)
        return ALOUD_OK;
    if (mw->cue_size < 4)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV cue chunk too short");
    points = media_u32(mw->cue);
    if (points > (mw->cue_size - 4) / READ_WAV_CUE_POINT)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "WAV cue chunk claims %" PRIu32 " points but holds %" PRIu32,
                               points, (mw->cue_size - 4) / READ_WAV_CUE_POINT);
    st = read_wav_labels(mw, &labels, &label_count, err);
    if (st == ALOUD_OK && points > 0) {
        m->chapters = calloc(points, sizeof *m->chapters);
        if (!m->chapters)
            st = media_nomem(err);
    }
    for (uint32_t i = 0; st == ALOUD_OK && i < points; i++) {
        const unsigned char *p = mw->cue + 4 + (size_t)i * READ_WAV_CUE_POINT;
        read_wav_label key = {media_u32(p), NULL, 0};
        const read_wav_label *l = label_count
                                   ? bsearch(&key, labels, label_count, sizeof *labels,
                                             read_wav_label_cmp)
                                   : NULL;

        m->chapters[i].frame = media_u32(p + 20); /* dwSampleOffset, as ffprobe reads it */
        m->chapters[i].title = l ? media_text_dup(l->text, l->length) : strdup("");
        if (!m->chapters[i].title)
            st = media_nomem(err);
        else
            m->chapter_count = i + 1;
    }
    free(labels);
    if (st == ALOUD_OK)
        st = media_sort_chapters(m->chapters, m->chapter_count, err);
    return st;
}

bool read_wav_sniff(const media_file *file)
{
    const unsigned char *h = file->head;

    return file->head_size >= 12 && memcmp(h + 8, "WAVE", 4) == 0
           && (memcmp(h, "RIFF", 4) == 0 || memcmp(h, "RF64", 4) == 0
               || memcmp(h, "BW64", 4) == 0);
}

aloud_status read_wav_read(const media_file *file, aloud_media *m, aloud_error *err)
{
    read_wav_file mw;
    aloud_status st;

    memset(&mw, 0, sizeof mw);
    mw.f = file->f;
    mw.rf64 = memcmp(file->head, "RIFF", 4) != 0;
    mw.file_size = file->size;
    st = read_wav_walk(&mw, m, err);
    if (st == ALOUD_OK)
        st = read_wav_chapters(&mw, m, err);
    if (st == ALOUD_OK) {
        m->sample_rate = mw.rate;
        m->channels = mw.channels;
        m->frames = mw.data_size / mw.block_align;
    }
    free(mw.cue);
    free(mw.adtl);
    return st;
}
