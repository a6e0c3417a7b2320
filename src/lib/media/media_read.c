/*
 * media_read.c - reads duration, tags and chapters back from WAV/RF64, FLAC,
 * Ogg Opus and MP3.
 *
 * The format is told by magic bytes, never by extension. WAV is walked
 * chunk by chunk here (fmt, ds64, data, LIST/INFO, cue, LIST/adtl), with
 * every length checked against the file and its enclosing chunk; FLAC goes
 * through libFLAC's metadata API; Ogg pages and MPEG frames are read here,
 * ID3v2 tags through id3v2.c. A file that is cut short or malformed gives
 * ALOUD_ERR_MEDIA with the reason, never a crash.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <FLAC/format.h>
#include <FLAC/metadata.h>

#include "aloud.h"
#include "id3v2.h"
#include "utf8.h"

/* Metadata chunks we load whole are capped: a 64 MiB label list is not ours. */
#define MEDIA_MAX_META_CHUNK (64u * 1024u * 1024u)

#define MEDIA_CUE_POINT 24u

/* CHAPTERnnn comments: three digits, so numbers 000-999. */
#define MEDIA_MAX_COMMENT_CHAPTERS 1000u
#define MEDIA_LEAD_OUT_TRACK 255u

/* ---------------------------------------------------------------- helpers */

static uint16_t media_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t media_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t media_u64(const unsigned char *p)
{
    return (uint64_t)media_u32(p) | (uint64_t)media_u32(p + 4) << 32;
}

/* A chunk id is four printable ASCII characters; anything else is not a chunk. */
static bool media_is_fourcc(const unsigned char *p)
{
    for (int i = 0; i < 4; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    }
    return true;
}

/* The length of the UTF-8 sequence `lead` would start; 1 for a byte that starts none. */
static size_t media_utf8_length(unsigned char lead)
{
    return lead < 0xc0u ? 1u : lead < 0xe0u ? 2u : lead < 0xf0u ? 3u : 4u;
}

/*
 * A NUL-terminated copy of at most `n` bytes, up to the first NUL; NULL
 * without memory. Tags and labels come from other programs, and aloud.h
 * promises UTF-8: a byte that does not start a valid sequence becomes
 * U+FFFD (three bytes, hence the room for three times the length).
 */
static char *media_strndup(const void *p, size_t n)
{
    const char *src = p;
    const char *nul = memchr(p, 0, n);
    size_t len = nul ? (size_t)(nul - src) : n, w = 0;
    char *s = malloc(len * 3 + 1);

    if (!s)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t seq = media_utf8_length((unsigned char)src[i]);

        if (seq <= len - i && utf8_validate(src + i, seq, NULL) == ALOUD_OK) {
            memcpy(s + w, src + i, seq);
            w += seq;
            i += seq;
        } else {
            memcpy(s + w, "\xEF\xBF\xBD", 3);
            w += 3;
            i++;
        }
    }
    s[w] = '\0';
    return s;
}

/* Printable form of a chunk id for messages. */
static void media_id_text(const unsigned char *id, char out[5])
{
    for (int i = 0; i < 4; i++)
        out[i] = (id[i] >= 0x20 && id[i] <= 0x7e) ? (char)id[i] : '?';
    out[4] = '\0';
}

static aloud_status media_nomem(aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory reading media");
}

/* Replaces *slot with a copy of the string (the first tag wins, so only when empty). */
static aloud_status media_set_tag(char **slot, const void *p, size_t n, aloud_error *err)
{
    if (*slot)
        return ALOUD_OK;
    *slot = media_strndup(p, n);
    return *slot ? ALOUD_OK : media_nomem(err);
}

/* A chapter and its place in the file, so that equal starts keep their order. */
typedef struct media_sorted {
    aloud_chapter c;
    size_t index;
} media_sorted;

static int media_sorted_cmp(const void *a, const void *b)
{
    const media_sorted *x = a, *y = b;

    if (x->c.frame != y->c.frame)
        return x->c.frame > y->c.frame ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Sorts chapters by start, stably (qsort is not). */
static aloud_status media_sort_chapters(aloud_chapter *c, size_t n, aloud_error *err)
{
    media_sorted *tmp;

    if (n < 2)
        return ALOUD_OK;
    tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return media_nomem(err);
    for (size_t i = 0; i < n; i++) {
        tmp[i].c = c[i];
        tmp[i].index = i;
    }
    qsort(tmp, n, sizeof *tmp, media_sorted_cmp);
    for (size_t i = 0; i < n; i++)
        c[i] = tmp[i].c;
    free(tmp);
    return ALOUD_OK;
}

void aloud_media_free(aloud_media *media)
{
    if (!media)
        return;
    for (size_t i = 0; i < media->chapter_count; i++)
        free(media->chapters[i].title);
    free(media->chapters);
    free(media->title);
    free(media->author);
    free(media->software);
    free(media);
}

/* ------------------------------------------------------- sub-chunk walking */

/* One sub-chunk of a LIST chunk held in memory. */
typedef struct media_sub {
    const unsigned char *id;
    const unsigned char *data;
    uint32_t size;
} media_sub;

/*
 * Where the chunk after one ending at `end` (with an odd size when `odd`)
 * starts: after the pad byte, unless the writer forgot the pad, which we
 * tell by a valid chunk id sitting right at `end` and none after the pad.
 */
static uint64_t media_skip_pad(uint64_t end, bool odd, bool id_at_end, bool id_after_pad)
{
    if (!odd)
        return end;
    return (!id_after_pad && id_at_end) ? end : end + 1;
}

/* Next sub-chunk of buf[0..len) at *pos: 1 found, 0 at the end, -1 when it overruns. */
static int media_sub_next(const unsigned char *buf, size_t len, size_t *pos, media_sub *out)
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
    *pos = (size_t)media_skip_pad(end, out->size & 1u, end + 4 <= len && media_is_fourcc(buf + end),
                                  end + 5 <= len && media_is_fourcc(buf + end + 1));
    return 1;
}

/* ---------------------------------------------------------------------- WAV */

typedef struct media_label {
    uint32_t id;
    const unsigned char *text; /* inside the adtl buffer, not NUL-terminated */
    size_t length;
} media_label;

typedef struct media_wav {
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
} media_wav;

static bool media_read_at(FILE *f, uint64_t offset, void *p, size_t n)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(f, (off_t)offset, SEEK_SET) != 0)
        return false;
    return fread(p, 1, n, f) == n;
}

static bool media_fourcc_at(media_wav *mw, uint64_t offset)
{
    unsigned char id[4];

    return offset + 4 <= mw->file_size && media_read_at(mw->f, offset, id, 4)
           && media_is_fourcc(id);
}

/* Loads a whole metadata chunk body; caller frees *out. */
static aloud_status media_load(media_wav *mw, uint64_t offset, uint32_t size, const char *what,
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

static aloud_status media_wav_fmt(media_wav *mw, uint64_t offset, uint32_t size, aloud_error *err)
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

static aloud_status media_wav_ds64(media_wav *mw, uint64_t offset, uint32_t size,
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
static aloud_status media_wav_info(const unsigned char *buf, uint32_t size, aloud_media *m,
                                   aloud_error *err)
{
    size_t pos = 4; /* after "INFO" */
    media_sub sub;
    int rc;
    aloud_status st = ALOUD_OK;

    while (st == ALOUD_OK && (rc = media_sub_next(buf, size, &pos, &sub)) != 0) {
        if (rc < 0) {
            char id[5];

            media_id_text(sub.id, id);
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

static aloud_status media_wav_list(media_wav *mw, uint64_t offset, uint32_t size,
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
        st = media_load(mw, offset, size, "LIST/INFO", &buf, err);
        if (st == ALOUD_OK)
            st = media_wav_info(buf, size, m, err);
        free(buf);
    } else if (memcmp(type, "adtl", 4) == 0 && !mw->adtl) {
        st = media_load(mw, offset, size, "LIST/adtl", &mw->adtl, err);
        mw->adtl_size = size;
    }
    return st;
}

/* Size of the data chunk: RF64 keeps it in ds64; a RIFF of unknown length runs to the end. */
static aloud_status media_wav_data_size(media_wav *mw, uint64_t body, uint32_t size32,
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
static aloud_status media_wav_chunk(media_wav *mw, const unsigned char *id, uint64_t body,
                                    uint64_t size, aloud_media *m, aloud_error *err)
{
    uint32_t size32 = (uint32_t)size; /* every chunk but data has a 32-bit size */

    if (memcmp(id, "fmt ", 4) == 0 && !mw->have_fmt)
        return media_wav_fmt(mw, body, size32, err);
    if (memcmp(id, "ds64", 4) == 0 && !mw->have_ds64)
        return media_wav_ds64(mw, body, size32, err);
    if (memcmp(id, "data", 4) == 0 && !mw->have_data) {
        mw->have_data = true;
        mw->data_size = size;
        return ALOUD_OK;
    }
    if (memcmp(id, "LIST", 4) == 0)
        return media_wav_list(mw, body, size32, m, err);
    if (memcmp(id, "cue ", 4) == 0 && !mw->cue) {
        mw->cue_size = size32;
        return media_load(mw, body, size32, "cue", &mw->cue, err);
    }
    return ALOUD_OK;
}

/*
 * Walks the chunks after the RIFF/RF64 header up to the end of the file:
 * chunks after `data` count too. Stops quietly at bytes that are not a
 * chunk id (trailing garbage); a chunk running past the end of the file
 * means the file was cut short.
 */
static aloud_status media_wav_walk(media_wav *mw, aloud_media *m, aloud_error *err)
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
        if (!media_is_fourcc(h))
            break;
        media_id_text(h, idtext);
        if (memcmp(h, "data", 4) == 0) {
            st = media_wav_data_size(mw, pos + 8, media_u32(h + 4), &size, err);
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
        st = media_wav_chunk(mw, h, pos + 8, size, m, err);
        end = pos + 8 + size;
        pos = (size & 1u) ? media_skip_pad(end, true, media_fourcc_at(mw, end),
                                           media_fourcc_at(mw, end + 1))
                          : end;
    }
    if (st == ALOUD_OK && !mw->have_fmt)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV without a fmt chunk");
    if (st == ALOUD_OK && !mw->have_data)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV without a data chunk");
    return st;
}

static int media_label_cmp(const void *a, const void *b)
{
    const media_label *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Collects the `labl`s of the adtl list, sorted by id; *out owned by the caller. */
static aloud_status media_wav_labels(const media_wav *mw, media_label **out, size_t *count,
                                     aloud_error *err)
{
    size_t pos = 4, n = 0, cap = mw->adtl_size / 12 + 1; /* a labl takes at least 12 bytes */
    media_sub sub;
    int rc;

    *out = NULL;
    *count = 0;
    if (!mw->adtl)
        return ALOUD_OK;
    *out = malloc(cap * sizeof **out);
    if (!*out)
        return media_nomem(err);
    while ((rc = media_sub_next(mw->adtl, mw->adtl_size, &pos, &sub)) != 0) {
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
    qsort(*out, n, sizeof **out, media_label_cmp);
    *count = n;
    return ALOUD_OK;
}

/* One chapter per cue point, titled by the labl with its id, sorted by position. */
static aloud_status media_wav_chapters(const media_wav *mw, aloud_media *m, aloud_error *err)
{
    media_label *labels = NULL;
    size_t label_count = 0;
    uint32_t points;
    aloud_status st;

    if (!mw->cue)
        return ALOUD_OK;
    if (mw->cue_size < 4)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "WAV cue chunk too short");
    points = media_u32(mw->cue);
    if (points > (mw->cue_size - 4) / MEDIA_CUE_POINT)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "WAV cue chunk claims %" PRIu32 " points but holds %" PRIu32,
                               points, (mw->cue_size - 4) / MEDIA_CUE_POINT);
    st = media_wav_labels(mw, &labels, &label_count, err);
    if (st == ALOUD_OK && points > 0) {
        m->chapters = calloc(points, sizeof *m->chapters);
        if (!m->chapters)
            st = media_nomem(err);
    }
    for (uint32_t i = 0; st == ALOUD_OK && i < points; i++) {
        const unsigned char *p = mw->cue + 4 + (size_t)i * MEDIA_CUE_POINT;
        media_label key = {media_u32(p), NULL, 0};
        const media_label *l = label_count
                                   ? bsearch(&key, labels, label_count, sizeof *labels,
                                             media_label_cmp)
                                   : NULL;

        m->chapters[i].frame = media_u32(p + 20); /* dwSampleOffset, as ffprobe reads it */
        m->chapters[i].title = l ? media_strndup(l->text, l->length) : media_strndup("", 0);
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

static aloud_status media_read_wav(FILE *f, const unsigned char *head, aloud_media *m,
                                   aloud_error *err)
{
    media_wav mw;
    off_t size;
    aloud_status st;

    memset(&mw, 0, sizeof mw);
    mw.f = f;
    mw.rf64 = memcmp(head, "RIFF", 4) != 0;
    if (fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot find the file size");
    mw.file_size = (uint64_t)size;
    st = media_wav_walk(&mw, m, err);
    if (st == ALOUD_OK)
        st = media_wav_chapters(&mw, m, err);
    if (st == ALOUD_OK) {
        memcpy(m->format, "wav", 4);
        m->sample_rate = mw.rate;
        m->channels = mw.channels;
        m->frames = mw.data_size / mw.block_align;
    }
    free(mw.cue);
    free(mw.adtl);
    return st;
}

/* --------------------------------------------------------------------- FLAC */

/* What the FLAC blocks say about chapter n, merged by number as ffprobe does. */
typedef struct media_flac_chapter {
    bool have_track;   /* from the CUESHEET: sample-exact */
    uint64_t track_frame;
    bool have_time;    /* from CHAPTERnnn */
    uint64_t ms;
    char *name;        /* from CHAPTERnnnNAME, owned */
} media_flac_chapter;

typedef struct media_flac {
    bool have_info;
    media_flac_chapter *ch; /* MEDIA_MAX_COMMENT_CHAPTERS entries */
} media_flac;

static bool media_name_is(const char *s, size_t len, const char *name)
{
    size_t n = strlen(name);

    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != name[i])
            return false;
    }
    return true;
}

/* Reads up to `max` digits into *v; returns how many were read. */
static size_t media_digits(const char *s, size_t max, uint64_t *v)
{
    size_t i = 0;

    *v = 0;
    while (i < max && s[i] >= '0' && s[i] <= '9') {
        *v = *v * 10u + (uint64_t)(s[i] - '0');
        i++;
    }
    return i;
}

/*
 * Parses HH:MM:SS[.fff] into milliseconds. The fraction is read as a
 * decimal fraction (".5" is 500 ms), as the Chapter Extension means it.
 */
static bool media_parse_time(const char *s, uint64_t *ms)
{
    uint64_t h, m, sec, frac = 0;
    size_t n, fd = 0;

    if (!(n = media_digits(s, 9, &h)) || s[n] != ':')
        return false;
    s += n + 1;
    if (!(n = media_digits(s, 2, &m)) || s[n] != ':' || m > 59)
        return false;
    s += n + 1;
    if (!(n = media_digits(s, 2, &sec)) || sec > 59)
        return false;
    s += n;
    if (*s == '.') {
        fd = media_digits(s + 1, 3, &frac);
        if (fd == 0)
            return false;
        s += 1 + fd;
        while (*s >= '0' && *s <= '9')
            s++; /* digits past milliseconds are dropped */
        for (; fd < 3; fd++)
            frac *= 10u;
    }
    if (*s != '\0')
        return false;
    *ms = ((h * 60u + m) * 60u + sec) * 1000u + frac;
    return true;
}

/* CHAPTERnnn=time or CHAPTERnnnNAME=title; other entries are ignored. */
static aloud_status media_flac_chapter_comment(media_flac *mf, const char *name, size_t name_len,
                                               const char *value, size_t value_len,
                                               aloud_error *err)
{
    uint64_t num;
    media_flac_chapter *c;

    if (name_len < 10 || !media_name_is(name, 7, "CHAPTER") || media_digits(name + 7, 3, &num) != 3)
        return ALOUD_OK;
    c = &mf->ch[num];
    if (name_len == 10) {
        char buf[40];

        if (value_len >= sizeof buf)
            return ALOUD_OK;
        memcpy(buf, value, value_len);
        buf[value_len] = '\0';
        if (!c->have_time && media_parse_time(buf, &c->ms))
            c->have_time = true;
    } else if (media_name_is(name + 10, name_len - 10, "NAME") && !c->name) {
        c->name = media_strndup(value, value_len);
        if (!c->name)
            return media_nomem(err);
    }
    return ALOUD_OK;
}

/*
 * One NAME=value Vorbis comment: the tags and the CHAPTERnnn entries.
 * Shared by FLAC and Ogg Opus, which carry the same comments.
 */
static aloud_status media_comment(media_flac *mf, const char *e, size_t len, aloud_media *m,
                                  aloud_error *err)
{
    const char *eq = e ? memchr(e, '=', len) : NULL;
    size_t name_len, value_len;

    if (!eq)
        return ALOUD_OK;
    name_len = (size_t)(eq - e);
    value_len = len - name_len - 1;
    if (media_name_is(e, name_len, "TITLE"))
        return media_set_tag(&m->title, eq + 1, value_len, err);
    if (media_name_is(e, name_len, "ARTIST"))
        return media_set_tag(&m->author, eq + 1, value_len, err);
    if (media_name_is(e, name_len, "ENCODER") || media_name_is(e, name_len, "SOFTWARE"))
        return media_set_tag(&m->software, eq + 1, value_len, err);
    return media_flac_chapter_comment(mf, e, name_len, eq + 1, value_len, err);
}

static aloud_status media_flac_comments(media_flac *mf, const FLAC__StreamMetadata *b,
                                        aloud_media *m, aloud_error *err)
{
    const FLAC__StreamMetadata_VorbisComment *vc = &b->data.vorbis_comment;
    aloud_status st = ALOUD_OK;

    for (uint32_t i = 0; st == ALOUD_OK && i < vc->num_comments; i++)
        st = media_comment(mf, (const char *)vc->comments[i].entry, vc->comments[i].length, m,
                           err);
    return st;
}

/* Track n starts at its offset plus that of index 1 (or its first index). */
static void media_flac_cuesheet(media_flac *mf, const FLAC__StreamMetadata *b)
{
    const FLAC__StreamMetadata_CueSheet *cs = &b->data.cue_sheet;

    for (uint32_t t = 0; t < cs->num_tracks; t++) {
        const FLAC__StreamMetadata_CueSheet_Track *tr = &cs->tracks[t];
        uint64_t index_offset = 0;

        if (tr->number == 0 || tr->number >= MEDIA_LEAD_OUT_TRACK || tr->num_indices == 0
            || mf->ch[tr->number].have_track)
            continue;
        index_offset = tr->indices[0].offset;
        for (uint32_t i = 0; i < tr->num_indices; i++) {
            if (tr->indices[i].number == 1)
                index_offset = tr->indices[i].offset;
        }
        mf->ch[tr->number].have_track = true;
        mf->ch[tr->number].track_frame = tr->offset + index_offset;
    }
}

static aloud_status media_flac_block(media_flac *mf, const FLAC__StreamMetadata *b,
                                     aloud_media *m, aloud_error *err)
{
    if (b->type == FLAC__METADATA_TYPE_STREAMINFO) {
        m->sample_rate = b->data.stream_info.sample_rate;
        m->channels = b->data.stream_info.channels;
        m->frames = b->data.stream_info.total_samples;
        mf->have_info = true;
        if (m->sample_rate == 0)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "FLAC STREAMINFO with rate 0");
    } else if (b->type == FLAC__METADATA_TYPE_VORBIS_COMMENT) {
        return media_flac_comments(mf, b, m, err);
    } else if (b->type == FLAC__METADATA_TYPE_CUESHEET) {
        media_flac_cuesheet(mf, b);
    }
    return ALOUD_OK;
}

static aloud_status media_flac_iter_error(FLAC__Metadata_SimpleIterator *it, aloud_error *err)
{
    FLAC__Metadata_SimpleIteratorStatus s = FLAC__metadata_simple_iterator_status(it);

    if (s == FLAC__METADATA_SIMPLE_ITERATOR_STATUS_ERROR_OPENING_FILE)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open the FLAC file");
    if (s == FLAC__METADATA_SIMPLE_ITERATOR_STATUS_MEMORY_ALLOCATION_ERROR)
        return media_nomem(err);
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad FLAC metadata: %s",
                           FLAC__Metadata_SimpleIteratorStatusString[s]);
}

/* Reads every metadata block; the audio must start after the last one. */
static aloud_status media_flac_blocks(const char *path, media_flac *mf, aloud_media *m,
                                      uint64_t file_size, aloud_error *err)
{
    FLAC__Metadata_SimpleIterator *it = FLAC__metadata_simple_iterator_new();
    aloud_status st = ALOUD_OK;

    if (!it)
        return media_nomem(err);
    if (!FLAC__metadata_simple_iterator_init(it, path, true, false))
        st = media_flac_iter_error(it, err);
    while (st == ALOUD_OK) {
        FLAC__MetadataType type = FLAC__metadata_simple_iterator_get_block_type(it);

        if (type == FLAC__METADATA_TYPE_STREAMINFO || type == FLAC__METADATA_TYPE_VORBIS_COMMENT
            || type == FLAC__METADATA_TYPE_CUESHEET) {
            FLAC__StreamMetadata *b = FLAC__metadata_simple_iterator_get_block(it);

            if (!b)
                st = media_flac_iter_error(it, err);
            else
                st = media_flac_block(mf, b, m, err);
            if (b)
                FLAC__metadata_object_delete(b);
        }
        if (st != ALOUD_OK)
            break;
        if (FLAC__metadata_simple_iterator_is_last(it)) {
            uint64_t end = (uint64_t)FLAC__metadata_simple_iterator_get_block_offset(it) + 4u
                           + FLAC__metadata_simple_iterator_get_block_length(it);

            if (end >= file_size)
                st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                     "truncated FLAC: no audio after the metadata");
            break;
        }
        if (!FLAC__metadata_simple_iterator_next(it))
            st = media_flac_iter_error(it, err);
    }
    FLAC__metadata_simple_iterator_delete(it);
    if (st == ALOUD_OK && !mf->have_info)
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "FLAC without STREAMINFO");
    return st;
}

/* Merges cuesheet tracks and CHAPTERnnn comments by number into m->chapters. */
static aloud_status media_flac_chapters(media_flac *mf, aloud_media *m, aloud_error *err)
{
    size_t n = 0;

    for (size_t i = 0; i < MEDIA_MAX_COMMENT_CHAPTERS; i++)
        n += mf->ch[i].have_track || mf->ch[i].have_time;
    if (n == 0)
        return ALOUD_OK;
    m->chapters = calloc(n, sizeof *m->chapters);
    if (!m->chapters)
        return media_nomem(err);
    for (size_t i = 0; i < MEDIA_MAX_COMMENT_CHAPTERS; i++) {
        media_flac_chapter *c = &mf->ch[i];
        aloud_chapter *out = &m->chapters[m->chapter_count];
        uint64_t ms = c->ms;

        if (!c->have_track && !c->have_time)
            continue;
        /* Rounded to the nearest frame, in two steps so that no product overflows. */
        out->frame = c->have_track ? c->track_frame
                                   : ms / 1000u * m->sample_rate
                                         + ((ms % 1000u) * m->sample_rate + 500u) / 1000u;
        out->title = c->name ? c->name : media_strndup("", 0);
        c->name = NULL;
        if (!out->title)
            return media_nomem(err);
        m->chapter_count++;
    }
    return media_sort_chapters(m->chapters, m->chapter_count, err);
}

static aloud_status media_read_flac(const char *path, uint64_t file_size, aloud_media *m,
                                    aloud_error *err)
{
    media_flac mf;
    aloud_status st;

    mf.have_info = false;
    mf.ch = calloc(MEDIA_MAX_COMMENT_CHAPTERS, sizeof *mf.ch);
    if (!mf.ch)
        return media_nomem(err);
    st = media_flac_blocks(path, &mf, m, file_size, err);
    if (st == ALOUD_OK)
        st = media_flac_chapters(&mf, m, err);
    if (st == ALOUD_OK)
        memcpy(m->format, "flac", 5);
    for (size_t i = 0; i < MEDIA_MAX_COMMENT_CHAPTERS; i++)
        free(mf.ch[i].name);
    free(mf.ch);
    return st;
}

/* ----------------------------------------------------------------- Ogg Opus */

/*
 * Ogg Opus (RFC 7845): the first page holds OpusHead (channels, pre-skip,
 * the input's sample rate), the next pages OpusTags (the same comments as
 * FLAC), then audio. The length is the granule position of the stream's
 * last page minus the pre-skip, in 48 kHz samples.
 *
 * We report the input's rate from OpusHead (48 kHz when it says 0), with
 * frames = floor(samples48 * rate / 48000): libopusenc ends the stream at
 * ceil(frames * 48000 / rate), so this gives back exactly the frames that
 * were written, and `aloud --chapters` shows the render's own rate.
 *
 * Only the header pages and the last page are checksummed; the pages in
 * between are walked by their headers alone (a 27-byte read each), which
 * finds a cut file (no end-of-stream page) without reading the audio.
 * Pages of other logical streams are skipped; a chained file is read up
 * to the end of its first stream.
 */
#define MEDIA_OGG_HEADER 27u
#define MEDIA_OGG_MAX_BODY (255u * 255u)
#define MEDIA_OGG_CONTINUED 0x01u
#define MEDIA_OGG_BOS 0x02u
#define MEDIA_OGG_EOS 0x04u
#define MEDIA_OGG_NO_GRANULE UINT64_MAX
#define MEDIA_OPUS_HEAD_SIZE 19u
#define MEDIA_OPUS_RATE 48000u

typedef struct media_ogg_page {
    uint64_t offset;
    unsigned char head[MEDIA_OGG_HEADER];
    unsigned char lacing[255];
    unsigned segments;
    size_t body_size;
    uint64_t granule;
    uint32_t serial;
    unsigned type;           /* MEDIA_OGG_* flags */
} media_ogg_page;

typedef struct media_opus {
    FILE *f;
    uint64_t file_size;
    uint64_t pos;            /* the next page */
    uint32_t serial;
    unsigned char *body;     /* MEDIA_OGG_MAX_BODY bytes */
    unsigned char *packet;   /* the header packet being assembled, owned */
    size_t packet_size;
    size_t packet_cap;
    unsigned preskip;
    unsigned input_rate;
} media_opus;

/* The Ogg CRC-32: polynomial 0x04c11db7, MSB first, no reflection, initial 0. */
static uint32_t media_ogg_crc(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* Reads the header and lacing of the page at `offset`; it must lie wholly in the file. */
static aloud_status media_ogg_page_at(const media_opus *mo, uint64_t offset, media_ogg_page *pg,
                                      aloud_error *err)
{
    pg->offset = offset;
    if (offset + MEDIA_OGG_HEADER > mo->file_size
        || !media_read_at(mo->f, offset, pg->head, MEDIA_OGG_HEADER))
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
    if (!media_read_at(mo->f, offset + MEDIA_OGG_HEADER, pg->lacing, pg->segments))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated Ogg: page at byte %" PRIu64 " cut", offset);
    for (unsigned i = 0; i < pg->segments; i++)
        pg->body_size += pg->lacing[i];
    if (pg->body_size > mo->file_size - offset - MEDIA_OGG_HEADER - pg->segments)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "truncated Ogg: page at byte %" PRIu64 " cut", offset);
    return ALOUD_OK;
}

static uint64_t media_ogg_page_end(const media_ogg_page *pg)
{
    return pg->offset + MEDIA_OGG_HEADER + pg->segments + pg->body_size;
}

/* Reads a page's body into mo->body and checks the page's checksum. */
static aloud_status media_ogg_page_body(media_opus *mo, const media_ogg_page *pg,
                                        aloud_error *err)
{
    unsigned char head[MEDIA_OGG_HEADER];
    uint32_t crc;

    if (!media_read_at(mo->f, pg->offset + MEDIA_OGG_HEADER + pg->segments, mo->body,
                       pg->body_size))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot read the Ogg page at %" PRIu64,
                               pg->offset);
    memcpy(head, pg->head, sizeof head);
    memset(head + 22, 0, 4); /* the checksum is computed with its own field zeroed */
    crc = media_ogg_crc(0, head, sizeof head);
    crc = media_ogg_crc(crc, pg->lacing, pg->segments);
    crc = media_ogg_crc(crc, mo->body, pg->body_size);
    if (crc != media_u32(pg->head + 22))
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "bad checksum in the Ogg page at byte %" PRIu64, pg->offset);
    return ALOUD_OK;
}

static aloud_status media_opus_append(media_opus *mo, const unsigned char *p, size_t n,
                                      aloud_error *err)
{
    if (n > MEDIA_MAX_META_CHUNK - mo->packet_size)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus header packet too large");
    if (mo->packet_size + n > mo->packet_cap) {
        size_t cap = mo->packet_cap ? mo->packet_cap : 4096;
        unsigned char *q;

        while (cap < mo->packet_size + n)
            cap *= 2;
        q = realloc(mo->packet, cap);
        if (!q)
            return media_nomem(err);
        mo->packet = q;
        mo->packet_cap = cap;
    }
    memcpy(mo->packet + mo->packet_size, p, n);
    mo->packet_size += n;
    return ALOUD_OK;
}

static aloud_status media_opus_head(media_opus *mo, aloud_media *m, aloud_error *err)
{
    const unsigned char *p = mo->packet;

    if (mo->packet_size < 8 || memcmp(p, "OpusHead", 8) != 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "an Ogg file that is not Opus");
    if (mo->packet_size < MEDIA_OPUS_HEAD_SIZE || (p[8] & 0xf0u) != 0 || p[9] == 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad OpusHead packet");
    m->channels = p[9];
    mo->preskip = media_u16(p + 10);
    mo->input_rate = media_u32(p + 12);
    /* 0 means "unknown"; anything past 768 kHz is not a real input rate. */
    m->sample_rate = (mo->input_rate == 0 || mo->input_rate > 768000u) ? MEDIA_OPUS_RATE
                                                                         : mo->input_rate;
    return ALOUD_OK;
}

/* The comments of OpusTags: vendor string, count, then length-prefixed NAME=value entries. */
static aloud_status media_opus_tags(media_opus *mo, media_flac *mf, aloud_media *m,
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
        st = media_comment(mf, (const char *)p + pos + 4, len, m, err);
        pos += 4 + (size_t)len;
    }
    return st;
}

/*
 * Reads pages of the first stream until its two header packets are
 * complete, handing each to OpusHead / OpusTags parsing.
 */
static aloud_status media_opus_headers(media_opus *mo, media_flac *mf, aloud_media *m,
                                       aloud_error *err)
{
    unsigned done = 0;
    bool first = true;

    while (done < 2) {
        media_ogg_page pg;
        size_t at = 0;
        aloud_status st = media_ogg_page_at(mo, mo->pos, &pg, err);

        if (st != ALOUD_OK)
            return st;
        mo->pos = media_ogg_page_end(&pg);
        if (first) {
            if (!(pg.type & MEDIA_OGG_BOS))
                return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                       "Ogg stream without a first page");
            mo->serial = pg.serial;
            first = false;
        } else if (pg.serial != mo->serial) {
            continue;
        }
        st = media_ogg_page_body(mo, &pg, err);
        for (unsigned i = 0; st == ALOUD_OK && i < pg.segments && done < 2; i++) {
            st = media_opus_append(mo, mo->body + at, pg.lacing[i], err);
            at += pg.lacing[i];
            if (st != ALOUD_OK || pg.lacing[i] == 255)
                continue;
            st = done == 0 ? media_opus_head(mo, m, err) : media_opus_tags(mo, mf, m, err);
            mo->packet_size = 0;
            done++;
        }
        if (st != ALOUD_OK)
            return st;
        if (done < 2 && (pg.type & MEDIA_OGG_EOS))
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus stream ends in its headers");
    }
    return ALOUD_OK;
}

/*
 * Walks the remaining pages of the stream by their headers to its
 * end-of-stream page; checks the last page that carries a granule
 * position and returns that position.
 */
static aloud_status media_opus_last_granule(media_opus *mo, uint64_t *granule, aloud_error *err)
{
    media_ogg_page last;
    bool have = false;

    for (;;) {
        media_ogg_page pg;
        aloud_status st;

        if (mo->pos >= mo->file_size)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                   "truncated Ogg Opus: no end-of-stream page");
        st = media_ogg_page_at(mo, mo->pos, &pg, err);
        if (st != ALOUD_OK)
            return st;
        mo->pos = media_ogg_page_end(&pg);
        if (pg.serial != mo->serial)
            continue;
        if (pg.granule != MEDIA_OGG_NO_GRANULE) {
            last = pg;
            have = true;
        }
        if (pg.type & MEDIA_OGG_EOS)
            break;
    }
    if (!have)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "Opus stream without audio");
    *granule = last.granule;
    return media_ogg_page_body(mo, &last, err);
}

static aloud_status media_read_opus(FILE *f, uint64_t file_size, aloud_media *m,
                                    aloud_error *err)
{
    media_opus mo;
    media_flac mf;
    uint64_t granule = 0, samples;
    aloud_status st;

    memset(&mo, 0, sizeof mo);
    mo.f = f;
    mo.file_size = file_size;
    mf.have_info = false;
    mf.ch = calloc(MEDIA_MAX_COMMENT_CHAPTERS, sizeof *mf.ch);
    mo.body = malloc(MEDIA_OGG_MAX_BODY);
    if (!mf.ch || !mo.body)
        st = media_nomem(err);
    else
        st = media_opus_headers(&mo, &mf, m, err);
    if (st == ALOUD_OK)
        st = media_opus_last_granule(&mo, &granule, err);
    if (st == ALOUD_OK && (granule < mo.preskip || granule > INT64_MAX))
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                             "Opus end position %" PRIu64 " is before the pre-skip %u", granule,
                             mo.preskip);
    if (st == ALOUD_OK) {
        samples = granule - mo.preskip;
        /* Exact in two steps: samples * rate could overflow 64 bits. */
        m->frames = samples / MEDIA_OPUS_RATE * m->sample_rate
                    + samples % MEDIA_OPUS_RATE * m->sample_rate / MEDIA_OPUS_RATE;
        st = media_flac_chapters(&mf, m, err);
    }
    if (st == ALOUD_OK)
        memcpy(m->format, "opus", 5);
    for (size_t i = 0; mf.ch && i < MEDIA_MAX_COMMENT_CHAPTERS; i++)
        free(mf.ch[i].name);
    free(mf.ch);
    free(mo.body);
    free(mo.packet);
    return st;
}

/* ---------------------------------------------------------------------- MP3 */

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
#define MEDIA_MPEG_HEADER 4u
#define MEDIA_MP3_SYNC_SEARCH 65536u  /* junk tolerated between the tag and the first frame */
#define MEDIA_XING_FRAMES 0x1u
#define MEDIA_XING_BYTES 0x2u
#define MEDIA_XING_TOC 0x4u
#define MEDIA_XING_QUALITY 0x8u

typedef struct media_mpeg_frame {
    unsigned version;         /* 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5) */
    unsigned rate;
    unsigned channels;
    unsigned samples;         /* per frame */
    size_t size;              /* bytes, header included */
} media_mpeg_frame;

/* Decodes a Layer III frame header; false for anything else (free format included). */
static bool media_mpeg_header(const unsigned char *h, media_mpeg_frame *fr)
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

typedef struct media_mp3 {
    FILE *f;
    uint64_t file_size;
    uint64_t audio;           /* offset of the first frame */
    media_mpeg_frame first;
} media_mp3;

/* Skips the ID3v2 tag(s) at `pos` (loading the first into *tag) up to the audio. */
static aloud_status media_mp3_tags(media_mp3 *mp, uint64_t *pos, id3_tag **tag, aloud_error *err)
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
static bool media_mp3_frame_pair(const media_mp3 *mp, uint64_t pos, media_mpeg_frame *fr)
{
    unsigned char h[MEDIA_MPEG_HEADER];
    media_mpeg_frame next;

    if (pos + MEDIA_MPEG_HEADER > mp->file_size || !media_read_at(mp->f, pos, h, sizeof h)
        || !media_mpeg_header(h, fr))
        return false;
    if (pos + fr->size == mp->file_size)
        return true; /* a one-frame file */
    return pos + fr->size + MEDIA_MPEG_HEADER <= mp->file_size
           && media_read_at(mp->f, pos + fr->size, h, sizeof h) && media_mpeg_header(h, &next)
           && next.rate == fr->rate;
}

/* Finds the first frame at or shortly after `pos`: two headers in a row, to rule out chance. */
static aloud_status media_mp3_sync(media_mp3 *mp, uint64_t pos, aloud_error *err)
{
    uint64_t end = pos + MEDIA_MP3_SYNC_SEARCH;

    for (; pos < end && pos < mp->file_size; pos++) {
        if (media_mp3_frame_pair(mp, pos, &mp->first)) {
            mp->audio = pos;
            return ALOUD_OK;
        }
    }
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "no MPEG audio frames found");
}

/* Counts frames from the first to the end (or to a trailing tag); a cut last frame is an error. */
static aloud_status media_mp3_count(const media_mp3 *mp, uint64_t *frames, aloud_error *err)
{
    uint64_t pos = mp->audio, n = 0;
    unsigned char h[MEDIA_MPEG_HEADER];
    media_mpeg_frame fr;

    while (pos + MEDIA_MPEG_HEADER <= mp->file_size && media_read_at(mp->f, pos, h, sizeof h)
           && media_mpeg_header(h, &fr)) {
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
static size_t media_xing_offset(const media_mpeg_frame *fr)
{
    if (fr->version == 1)
        return MEDIA_MPEG_HEADER + (fr->channels == 1 ? 17u : 32u);
    return MEDIA_MPEG_HEADER + (fr->channels == 1 ? 9u : 17u);
}

/*
 * The length from a Xing/Info header in the first frame; *found is false
 * when there is none (or it has no frame count). ALOUD_ERR_MEDIA when it
 * announces more bytes than the file holds.
 */
static aloud_status media_mp3_xing(const media_mp3 *mp, bool *found, uint64_t *frames,
                                   aloud_error *err)
{
    unsigned char buf[1441]; /* the largest Layer III frame: 320 kb/s at 32 kHz, padded */
    size_t x = media_xing_offset(&mp->first), at;
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
    if (!(flags & MEDIA_XING_FRAMES))
        return ALOUD_OK;
    count = (uint32_t)buf[x + 8] << 24 | (uint32_t)buf[x + 9] << 16 | (uint32_t)buf[x + 10] << 8
            | buf[x + 11];
    at = x + 12;
    if ((flags & MEDIA_XING_BYTES) && at + 4 <= mp->first.size)
        bytes = (uint32_t)buf[at] << 24 | (uint32_t)buf[at + 1] << 16
                | (uint32_t)buf[at + 2] << 8 | buf[at + 3];
    at += (flags & MEDIA_XING_BYTES) ? 4u : 0u;
    at += (flags & MEDIA_XING_TOC) ? 100u : 0u;
    at += (flags & MEDIA_XING_QUALITY) ? 4u : 0u;
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
static aloud_status media_mp3_chapters(const id3_tag *tag, aloud_media *m, aloud_error *err)
{
    if (tag->chapter_count == 0)
        return ALOUD_OK;
    m->chapters = calloc(tag->chapter_count, sizeof *m->chapters);
    if (!m->chapters)
        return media_nomem(err);
    for (size_t i = 0; i < tag->chapter_count; i++) {
        const id3_chapter *c = &tag->chapters[i];
        uint64_t ms = c->start_ms;

        m->chapters[i].frame = ms / 1000u * m->sample_rate
                               + ((ms % 1000u) * m->sample_rate + 500u) / 1000u;
        m->chapters[i].title = c->title ? media_strndup(c->title, strlen(c->title))
                                        : media_strndup("", 0);
        if (!m->chapters[i].title)
            return media_nomem(err);
        m->chapter_count = i + 1;
    }
    return media_sort_chapters(m->chapters, m->chapter_count, err);
}

/* Title, artist and software from the tag; the first tag of a kind wins, as elsewhere. */
static aloud_status media_mp3_tag_strings(const id3_tag *tag, aloud_media *m, aloud_error *err)
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

static aloud_status media_read_mp3(FILE *f, uint64_t file_size, aloud_media *m,
                                   aloud_error *err)
{
    media_mp3 mp;
    id3_tag *tag = NULL;
    uint64_t pos = 0, frames = 0;
    bool xing = false;
    aloud_status st;

    memset(&mp, 0, sizeof mp);
    mp.f = f;
    mp.file_size = file_size;
    st = media_mp3_tags(&mp, &pos, &tag, err);
    if (st == ALOUD_OK)
        st = media_mp3_sync(&mp, pos, err);
    if (st == ALOUD_OK)
        st = media_mp3_xing(&mp, &xing, &frames, err);
    if (st == ALOUD_OK && !xing)
        st = media_mp3_count(&mp, &frames, err);
    if (st == ALOUD_OK) {
        memcpy(m->format, "mp3", 4);
        m->sample_rate = mp.first.rate;
        m->channels = mp.first.channels;
        m->frames = frames;
        if (tag)
            st = media_mp3_tag_strings(tag, m, err);
        if (st == ALOUD_OK && tag)
            st = media_mp3_chapters(tag, m, err);
    }
    id3_tag_free(tag);
    return st;
}

/* ---------------------------------------------------------------- dispatch */

typedef enum media_kind {
    MEDIA_KIND_UNKNOWN = 0,
    MEDIA_KIND_WAV,
    MEDIA_KIND_FLAC,
    MEDIA_KIND_OPUS,
    MEDIA_KIND_MP3
} media_kind;

/*
 * Tells the format by its first bytes. An ID3v2 tag may precede FLAC as
 * well as MP3: what follows the tag decides (a bad or cut tag goes to the
 * MP3 reader, which says what is wrong with it).
 */
static media_kind media_sniff(FILE *f, const unsigned char *head, size_t got, uint64_t size)
{
    if (got >= 12 && memcmp(head + 8, "WAVE", 4) == 0
        && (memcmp(head, "RIFF", 4) == 0 || memcmp(head, "RF64", 4) == 0
            || memcmp(head, "BW64", 4) == 0))
        return MEDIA_KIND_WAV;
    if (got >= 4 && memcmp(head, "fLaC", 4) == 0)
        return MEDIA_KIND_FLAC;
    if (got >= 4 && memcmp(head, "OggS", 4) == 0)
        return MEDIA_KIND_OPUS;
    if (got >= ID3_HEADER_SIZE && memcmp(head, "ID3", 3) == 0) {
        uint64_t tag = id3_tag_total_size(head, got);
        unsigned char after[4];

        if (tag && tag + 4 <= size && media_read_at(f, tag, after, 4)
            && memcmp(after, "fLaC", 4) == 0)
            return MEDIA_KIND_FLAC;
        return MEDIA_KIND_MP3;
    }
    if (got >= 2 && head[0] == 0xffu && (head[1] & 0xe0u) == 0xe0u)
        return MEDIA_KIND_MP3;
    return MEDIA_KIND_UNKNOWN;
}

static aloud_status media_read_kind(media_kind kind, const char *path, FILE *f,
                                    const unsigned char *head, uint64_t size, aloud_media *m,
                                    aloud_error *err)
{
    switch (kind) {
    case MEDIA_KIND_WAV:
        return media_read_wav(f, head, m, err);
    case MEDIA_KIND_FLAC:
        /* libFLAC opens the file itself (and skips an ID3v2 prefix). */
        return media_read_flac(path, size, m, err);
    case MEDIA_KIND_OPUS:
        return media_read_opus(f, size, m, err);
    case MEDIA_KIND_MP3:
        return media_read_mp3(f, size, m, err);
    case MEDIA_KIND_UNKNOWN:
        break;
    }
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                           "%s is not a WAV, FLAC, Ogg Opus or MP3 file", path);
}

aloud_status aloud_media_read(const char *path, aloud_media **out, aloud_error *err)
{
    unsigned char head[12];
    size_t got;
    off_t size = 0;
    aloud_media *m;
    aloud_status st;
    FILE *f;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the media");
    *out = NULL;
    if (!path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no file to read");
    f = fopen(path, "rb");
    if (!f)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open %s: %s", path,
                               strerror(errno));
    got = fread(head, 1, sizeof head, f);
    m = calloc(1, sizeof *m);
    if (!m)
        st = media_nomem(err);
    else if (ferror(f))
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read %s: %s", path,
                             strerror(errno));
    else if (fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0)
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot find the size of %s", path);
    else
        st = media_read_kind(media_sniff(f, head, got, (uint64_t)size), path, f, head,
                             (uint64_t)size, m, err);
    fclose(f);
    if (st != ALOUD_OK) {
        aloud_media_free(m);
        return st;
    }
    *out = m;
    return ALOUD_OK;
}
