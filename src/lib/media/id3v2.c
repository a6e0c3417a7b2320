/*
 * id3v2.c - ID3v2 tags with CHAP/CTOC chapters: building (2.3) and
 * parsing (2.3 and 2.4). See id3v2.h for the choices.
 *
 * Layouts, from the ID3v2.3 and 2.4 structure documents and the ID3v2
 * Chapter Frame Addendum 1.0:
 *   tag header   "ID3" major minor flags size(syncsafe 4)
 *   frame        id(4) size(4: plain in 2.3, syncsafe in 2.4) flags(2) body
 *   text frame   encoding(1) text
 *   CHAP body    element-id NUL, start ms(4), end ms(4), start offset(4),
 *                end offset(4), sub-frames
 *   CTOC body    element-id NUL, flags(1: 0x02 top-level, 0x01 ordered),
 *                entry count(1), child ids each NUL-terminated, sub-frames
 * All numbers big-endian.
 */
#include "id3v2.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "utf8.h"
#include "vec.h"

/* Text encodings (the byte that starts a text frame). */
#define ID3_ENC_LATIN1 0u
#define ID3_ENC_UTF16 1u     /* with a byte order mark */
#define ID3_ENC_UTF16BE 2u   /* 2.4 only */
#define ID3_ENC_UTF8 3u      /* 2.4 only */

/* CTOC flags. */
#define ID3_CTOC_TOP_LEVEL 0x02u
#define ID3_CTOC_ORDERED 0x01u

/* Header flags. */
#define ID3_FLAG_UNSYNC 0x80u
#define ID3_FLAG_EXTENDED 0x40u
#define ID3_FLAG_FOOTER 0x10u /* 2.4 */

/* Frame format flags (second flag byte). */
#define ID3_V3_COMPRESSED 0x80u
#define ID3_V3_ENCRYPTED 0x40u
#define ID3_V3_GROUPED 0x20u
#define ID3_V4_GROUPED 0x40u
#define ID3_V4_COMPRESSED 0x08u
#define ID3_V4_ENCRYPTED 0x04u
#define ID3_V4_UNSYNC 0x02u
#define ID3_V4_LENGTH 0x01u

#define ID3_FRAME_HEADER 10u
#define ID3_CHAP_TIMES 16u

/* ------------------------------------------------------------- building */

/* A growing output buffer; after a failed allocation every put is a no-op. */
typedef struct id3_out {
    unsigned char *p;
    size_t n;
    size_t cap;
    bool nomem;
} id3_out;

static void id3_put(id3_out *o, const void *src, size_t len)
{
    if (o->nomem || len == 0)
        return;
    if (len > SIZE_MAX - o->n || !vec_reserve(&o->p, &o->cap, o->n + len, 1, 1024)) {
        o->nomem = true;
        return;
    }
    memcpy(o->p + o->n, src, len);
    o->n += len;
}

static void id3_put_byte(id3_out *o, unsigned v)
{
    unsigned char b = (unsigned char)(v & 0xffu);

    id3_put(o, &b, 1);
}

static void id3_put_be32(id3_out *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16 & 0xffu),
                          (unsigned char)(v >> 8 & 0xffu), (unsigned char)(v & 0xffu)};

    id3_put(o, b, sizeof b);
}

static void id3_put_string0(id3_out *o, const char *s)
{
    id3_put(o, s, strlen(s) + 1);
}

/* Starts a 2.3 frame; returns where its header is, for id3_frame_close(). */
static size_t id3_frame_open(id3_out *o, const char id[4])
{
    static const unsigned char zero[6] = {0};
    size_t at = o->n;

    id3_put(o, id, 4);
    id3_put(o, zero, sizeof zero); /* size, patched on close; no flags */
    return at;
}

/* Patches the size of the frame opened at `at`. Oversized tags fail later, as a whole. */
static void id3_frame_close(id3_out *o, size_t at)
{
    size_t body = o->n - at - ID3_FRAME_HEADER;

    if (o->nomem)
        return;
    if (body > UINT32_MAX)
        body = UINT32_MAX;
    o->p[at + 4] = (unsigned char)(body >> 24);
    o->p[at + 5] = (unsigned char)(body >> 16 & 0xffu);
    o->p[at + 6] = (unsigned char)(body >> 8 & 0xffu);
    o->p[at + 7] = (unsigned char)(body & 0xffu);
}

static bool id3_is_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80u)
            return false;
    }
    return true;
}

static void id3_put_utf16le(id3_out *o, unsigned unit)
{
    id3_put_byte(o, unit & 0xffu);
    id3_put_byte(o, unit >> 8);
}

/*
 * Encoding byte and text, not NUL-terminated (2.3 allows both). ASCII as
 * ISO-8859-1; anything else as UTF-16LE after the BOM FF FE. `s` is valid
 * UTF-8 (checked by the caller).
 */
static void id3_put_text(id3_out *o, const char *s)
{
    size_t len = strlen(s);

    if (id3_is_ascii(s)) {
        id3_put_byte(o, ID3_ENC_LATIN1);
        id3_put(o, s, len);
        return;
    }
    id3_put_byte(o, ID3_ENC_UTF16);
    id3_put(o, "\xff\xfe", 2);
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;

        i += utf8_decode(s + i, len - i, &cp);
        if (cp < 0x10000u) {
            id3_put_utf16le(o, cp);
        } else {
            cp -= 0x10000u;
            id3_put_utf16le(o, 0xd800u + (cp >> 10));
            id3_put_utf16le(o, 0xdc00u + (cp & 0x3ffu));
        }
    }
}

static void id3_put_text_frame(id3_out *o, const char id[4], const char *s)
{
    size_t at = id3_frame_open(o, id);

    id3_put_text(o, s);
    id3_frame_close(o, at);
}

static void id3_put_chap(id3_out *o, size_t index, const id3_chapter_spec *c)
{
    char id[32];
    size_t at = id3_frame_open(o, "CHAP");

    snprintf(id, sizeof id, "chp%zu", index + 1);
    id3_put_string0(o, id);
    id3_put_be32(o, c->start_ms);
    id3_put_be32(o, c->end_ms);
    id3_put_be32(o, ID3_NO_OFFSET);
    id3_put_be32(o, ID3_NO_OFFSET);
    if (c->title)
        id3_put_text_frame(o, "TIT2", c->title);
    id3_frame_close(o, at);
}

/* An ordered CTOC listing `prefix`first+1 .. `prefix`first+count. */
static void id3_put_ctoc(id3_out *o, const char *id, bool top_level, const char *prefix,
                         size_t first, size_t count)
{
    size_t at = id3_frame_open(o, "CTOC");

    id3_put_string0(o, id);
    id3_put_byte(o, (top_level ? ID3_CTOC_TOP_LEVEL : 0u) | ID3_CTOC_ORDERED);
    id3_put_byte(o, (unsigned)count);
    for (size_t i = 0; i < count; i++) {
        char child[32];

        snprintf(child, sizeof child, "%s%zu", prefix, first + i + 1);
        id3_put_string0(o, child);
    }
    id3_frame_close(o, at);
}

/* The front cover (picture type 3), no description. */
static void id3_put_apic(id3_out *o, const id3_tag_spec *spec)
{
    size_t at = id3_frame_open(o, "APIC");

    id3_put_byte(o, 0); /* ISO-8859-1: the empty description */
    id3_put_string0(o, spec->picture_mime);
    id3_put_byte(o, 3);
    id3_put_byte(o, 0);
    id3_put(o, spec->picture, spec->picture_size);
    id3_frame_close(o, at);
}

static aloud_status id3_check_spec(const id3_tag_spec *spec, aloud_error *err)
{
    const char *tags[] = {spec->title, spec->artist, spec->software};
    const char *tag_names[] = {"title", "artist", "software tag"};

    if (spec->chapter_count > ID3_MAX_CHAPTERS)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "%zu chapters do not fit in one ID3 table of contents (at most %u)",
                               spec->chapter_count, ID3_MAX_CHAPTERS);
    if (spec->picture && (!spec->picture_mime || spec->picture_size > ID3_MAX_BODY / 2))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "a bad ID3 picture");
    if (spec->chapter_count && !spec->chapters)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no ID3 chapters given");
    if (spec->padding > ID3_MAX_BODY)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "ID3 padding too large");
    for (size_t i = 0; i < 3; i++)
        if (!utf8_is_valid_string(tags[i]))
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "the ID3 %s is not valid UTF-8",
                                   tag_names[i]);
    for (size_t i = 0; i < spec->chapter_count; i++)
        if (!utf8_is_valid_string(spec->chapters[i].title))
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "the ID3 chapter title is not valid UTF-8");
    return ALOUD_OK;
}

aloud_status id3_tag_build(const id3_tag_spec *spec, unsigned char **out, size_t *size,
                           aloud_error *err)
{
    static const unsigned char header[6] = {'I', 'D', '3', 3, 0, 0};
    id3_out o = {NULL, 0, 0, false};
    aloud_status st;
    size_t body;

    if (!out || !size)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the ID3 tag");
    *out = NULL;
    *size = 0;
    if (!spec)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no ID3 tag to build");
    st = id3_check_spec(spec, err);
    if (st != ALOUD_OK)
        return st;
    id3_put(&o, header, sizeof header);
    id3_put_be32(&o, 0); /* syncsafe size, patched below */
    if (spec->title)
        id3_put_text_frame(&o, "TIT2", spec->title);
    if (spec->artist)
        id3_put_text_frame(&o, "TPE1", spec->artist);
    if (spec->software)
        id3_put_text_frame(&o, "TSSE", spec->software);
    for (size_t i = 0; i < spec->txxx_count; i++) {
        size_t at = id3_frame_open(&o, "TXXX");

        id3_put_byte(&o, ID3_ENC_LATIN1);
        id3_put_string0(&o, spec->txxx[i].description);
        id3_put(&o, spec->txxx[i].value, strlen(spec->txxx[i].value));
        id3_frame_close(&o, at);
    }
    if (spec->picture)
        id3_put_apic(&o, spec);
    if (spec->chapter_count)
        id3_put_ctoc(&o, "toc", true, "chp", 0, spec->chapter_count);
    for (size_t i = 0; i < spec->chapter_count; i++)
        id3_put_chap(&o, i, &spec->chapters[i]);
    for (size_t i = 0; i < spec->padding && !o.nomem; i += 1024) {
        static const unsigned char zero[1024] = {0};

        id3_put(&o, zero, spec->padding - i < 1024 ? spec->padding - i : 1024);
    }
    if (o.nomem) {
        free(o.p);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the ID3 tag");
    }
    body = o.n - ID3_HEADER_SIZE;
    if (body > ID3_MAX_BODY) {
        free(o.p);
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "tags and chapter titles exceed the ID3 limit of 256 MiB");
    }
    for (int i = 0; i < 4; i++)
        o.p[6 + i] = (unsigned char)(body >> (7 * (3 - i)) & 0x7fu);
    *out = o.p;
    *size = o.n;
    return ALOUD_OK;
}

/* -------------------------------------------------------------- parsing */

static uint32_t id3_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* A 28-bit syncsafe number, or UINT32_MAX when a byte has its top bit set. */
static uint32_t id3_syncsafe(const unsigned char *p)
{
    if ((p[0] | p[1] | p[2] | p[3]) & 0x80u)
        return UINT32_MAX;
    return (uint32_t)p[0] << 21 | (uint32_t)p[1] << 14 | (uint32_t)p[2] << 7 | (uint32_t)p[3];
}

uint64_t id3_tag_total_size(const unsigned char *head, size_t avail)
{
    uint32_t body;

    if (!head || avail < ID3_HEADER_SIZE || memcmp(head, "ID3", 3) != 0 || head[3] < 2
        || head[3] > 4 || head[4] == 0xffu)
        return 0;
    body = id3_syncsafe(head + 6);
    if (body == UINT32_MAX)
        return 0;
    return ID3_HEADER_SIZE + (uint64_t)body
           + ((head[3] == 4 && (head[5] & ID3_FLAG_FOOTER)) ? ID3_HEADER_SIZE : 0u);
}

/* Undoes unsynchronisation (FF 00 -> FF) in place; returns the new length. */
static size_t id3_unsync(unsigned char *p, size_t n)
{
    size_t w = 0;

    for (size_t r = 0; r < n; r++) {
        p[w++] = p[r];
        if (p[r] == 0xffu && r + 1 < n && p[r + 1] == 0x00u)
            r++;
    }
    return w;
}

/* A growing UTF-8 string; after a failed allocation every put is a no-op. */
typedef struct id3_str {
    char *s;
    size_t n;
    size_t cap;
    bool nomem;
} id3_str;

static void id3_str_cp(id3_str *b, uint32_t cp)
{
    char enc[4];
    size_t len = utf8_encode(cp, enc);

    if (b->nomem)
        return;
    if (!vec_reserve(&b->s, &b->cap, b->n + len + 1, 1, 64)) {
        b->nomem = true;
        return;
    }
    memcpy(b->s + b->n, enc, len);
    b->n += len;
    b->s[b->n] = '\0';
}

/* The finished string (owned by the caller), "" when empty, NULL without memory. */
static char *id3_str_take(id3_str *b)
{
    if (b->nomem) {
        free(b->s);
        return NULL;
    }
    if (!b->s) {
        b->s = malloc(1);
        if (b->s)
            b->s[0] = '\0';
    }
    return b->s;
}

/* Decodes UTF-16 code units (to the first 0000) as UTF-8; lone surrogates become U+FFFD. */
static void id3_decode_utf16(const unsigned char *p, size_t n, bool big_endian, id3_str *b)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t u = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
                                : (uint32_t)(p[i] | p[i + 1] << 8);

        if (u == 0)
            break;
        if (u >= 0xd800u && u <= 0xdbffu && i + 3 < n) {
            uint32_t lo = big_endian ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
                                     : (uint32_t)(p[i + 2] | p[i + 3] << 8);

            if (lo >= 0xdc00u && lo <= 0xdfffu) {
                id3_str_cp(b, 0x10000u + ((u - 0xd800u) << 10) + (lo - 0xdc00u));
                i += 2;
                continue;
            }
        }
        id3_str_cp(b, (u >= 0xd800u && u <= 0xdfffu) ? 0xfffdu : u);
    }
}

/*
 * The first string of a text frame body (encoding byte, then text) as
 * UTF-8, owned by the caller; NULL without memory.
 */
static char *id3_decode_text(const unsigned char *p, size_t n)
{
    id3_str b = {NULL, 0, 0, false};
    unsigned enc;

    if (n == 0)
        return id3_str_take(&b);
    enc = p[0];
    p++;
    n--;
    if (enc == ID3_ENC_UTF16 || enc == ID3_ENC_UTF16BE) {
        bool big = enc == ID3_ENC_UTF16BE;

        if (n >= 2 && ((p[0] == 0xffu && p[1] == 0xfeu) || (p[0] == 0xfeu && p[1] == 0xffu))) {
            big = p[0] == 0xfeu;
            p += 2;
            n -= 2;
        }
        id3_decode_utf16(p, n, big, &b);
        return id3_str_take(&b);
    }
    for (size_t i = 0; i < n && p[i];) {
        uint32_t cp = p[i];
        size_t len = 1;

        if (enc == ID3_ENC_UTF8) {
            len = utf8_next((const char *)p + i, n - i, &cp);
            if (len == 0) {
                cp = 0xfffdu;
                len = 1;
            }
        }
        id3_str_cp(&b, cp); /* ISO-8859-1 byte values are their code points */
        i += len;
    }
    return id3_str_take(&b);
}

/* One frame as found; `data` points into the parser's mutable copy. */
typedef struct id3_frame {
    char id[5];
    unsigned char *data;
    size_t size;
} id3_frame;

typedef struct id3_parser {
    unsigned version;
    bool unsync_frames;  /* 2.4: the header says every frame is unsynchronised */
    id3_tag *tag;
    size_t chapter_cap;
    size_t toc_cap;
} id3_parser;

static bool id3_is_frame_id(const unsigned char *p)
{
    for (int i = 0; i < 4; i++) {
        if (!(ascii_is_upper(p[i]) || ascii_is_digit(p[i])))
            return false;
    }
    return true;
}

/*
 * The next frame of buf[0..len) at *pos. Returns 1 with a frame to use,
 * 2 for a frame to skip (compressed, encrypted), 0 at the end (padding,
 * garbage, or a frame that overruns: everything before it stays good).
 */
static int id3_next_frame(const id3_parser *ps, unsigned char *buf, size_t len, size_t *pos,
                          id3_frame *f)
{
    unsigned char *h = buf + *pos;
    uint32_t size;
    unsigned flags;
    size_t skip = 0;
    bool unsync = false;

    if (len - *pos < ID3_FRAME_HEADER || !id3_is_frame_id(h))
        return 0;
    size = id3_be32(h + 4);
    if (ps->version == 4) {
        uint32_t safe = id3_syncsafe(h + 4);

        /* Some writers (old iTunes) put plain sizes in 2.4; trust what fits. */
        if (safe != UINT32_MAX)
            size = safe;
    }
    if (size > len - *pos - ID3_FRAME_HEADER)
        return 0;
    memcpy(f->id, h, 4);
    f->id[4] = '\0';
    f->data = h + ID3_FRAME_HEADER;
    f->size = size;
    *pos += ID3_FRAME_HEADER + size;
    flags = h[9];
    if (ps->version == 3) {
        if (flags & (ID3_V3_COMPRESSED | ID3_V3_ENCRYPTED))
            return 2;
        skip = (flags & ID3_V3_GROUPED) ? 1u : 0u;
    } else {
        if (flags & (ID3_V4_COMPRESSED | ID3_V4_ENCRYPTED))
            return 2;
        skip = ((flags & ID3_V4_GROUPED) ? 1u : 0u) + ((flags & ID3_V4_LENGTH) ? 4u : 0u);
        unsync = ps->unsync_frames || (flags & ID3_V4_UNSYNC);
    }
    if (skip > f->size)
        return 2;
    f->data += skip;
    f->size -= skip;
    if (unsync)
        f->size = id3_unsync(f->data, f->size);
    return 1;
}

/* Stores a decoded text frame in *slot unless one came first. */
static aloud_status id3_take_text(char **slot, const id3_frame *f, aloud_error *err)
{
    if (*slot)
        return ALOUD_OK;
    *slot = id3_decode_text(f->data, f->size);
    return *slot ? ALOUD_OK
                 : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory reading ID3");
}

/* A NUL-terminated ISO-8859-1 element id at p[0..n): its UTF-8 copy and length with NUL. */
static char *id3_element_id(const unsigned char *p, size_t n, size_t *used, bool *nomem)
{
    const unsigned char *nul = memchr(p, 0, n);
    id3_str b = {NULL, 0, 0, false};
    char *s;

    *nomem = false;
    if (!nul)
        return NULL;
    for (const unsigned char *q = p; q < nul; q++)
        id3_str_cp(&b, *q);
    *used = (size_t)(nul - p) + 1;
    s = id3_str_take(&b);
    *nomem = s == NULL;
    return s;
}

static aloud_status id3_nomem(aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory reading ID3");
}

/* The TIT2 among a CHAP's sub-frames; sub-frames nest no deeper. */
static aloud_status id3_chap_title(const id3_parser *ps, unsigned char *p, size_t n,
                                   id3_chapter *c, aloud_error *err)
{
    size_t pos = 0;
    id3_frame f;
    int r;

    while ((r = id3_next_frame(ps, p, n, &pos, &f)) != 0) {
        if (r == 1 && strcmp(f.id, "TIT2") == 0)
            return id3_take_text(&c->title, &f, err);
    }
    return ALOUD_OK;
}

static aloud_status id3_parse_chap(id3_parser *ps, const id3_frame *f, aloud_error *err)
{
    id3_tag *t = ps->tag;
    id3_chapter *c;
    size_t used = 0;
    bool nomem;
    char *id = id3_element_id(f->data, f->size, &used, &nomem);
    const unsigned char *p;

    if (nomem)
        return id3_nomem(err);
    if (!id || f->size - used < ID3_CHAP_TIMES) {
        free(id);
        return ALOUD_OK; /* malformed: skipped */
    }
    if (!vec_reserve(&t->chapters, &ps->chapter_cap, t->chapter_count + 1, sizeof *c, 16)) {
        free(id);
        return id3_nomem(err);
    }
    c = &t->chapters[t->chapter_count++];
    memset(c, 0, sizeof *c);
    p = f->data + used;
    c->id = id;
    c->start_ms = id3_be32(p);
    c->end_ms = id3_be32(p + 4);
    c->start_offset = id3_be32(p + 8);
    c->end_offset = id3_be32(p + 12);
    return id3_chap_title(ps, f->data + used + ID3_CHAP_TIMES, f->size - used - ID3_CHAP_TIMES,
                          c, err);
}

/* The child ids of a CTOC: `count` NUL-terminated strings from p[0..n). */
static aloud_status id3_toc_children(id3_toc *toc, const unsigned char *p, size_t n,
                                     unsigned count, aloud_error *err)
{
    toc->children = calloc(count ? count : 1, sizeof *toc->children);
    if (!toc->children)
        return id3_nomem(err);
    for (unsigned i = 0; i < count; i++) {
        size_t used = 0;
        bool nomem;
        char *child = id3_element_id(p, n, &used, &nomem);

        if (nomem)
            return id3_nomem(err);
        if (!child)
            break; /* cut short: keep the children read so far */
        toc->children[toc->child_count++] = child;
        p += used;
        n -= used;
    }
    return ALOUD_OK;
}

static aloud_status id3_parse_ctoc(id3_parser *ps, const id3_frame *f, aloud_error *err)
{
    id3_tag *t = ps->tag;
    id3_toc *toc;
    size_t used = 0;
    bool nomem;
    char *id = id3_element_id(f->data, f->size, &used, &nomem);
    unsigned flags, count;

    if (nomem)
        return id3_nomem(err);
    if (!id || f->size - used < 2) {
        free(id);
        return ALOUD_OK;
    }
    if (!vec_reserve(&t->tocs, &ps->toc_cap, t->toc_count + 1, sizeof *toc, 16)) {
        free(id);
        return id3_nomem(err);
    }
    toc = &t->tocs[t->toc_count++];
    memset(toc, 0, sizeof *toc);
    toc->id = id;
    flags = f->data[used];
    count = f->data[used + 1];
    toc->top_level = (flags & ID3_CTOC_TOP_LEVEL) != 0;
    toc->ordered = (flags & ID3_CTOC_ORDERED) != 0;
    return id3_toc_children(toc, f->data + used + 2, f->size - used - 2, count, err);
}

static aloud_status id3_parse_frames(id3_parser *ps, unsigned char *p, size_t n, aloud_error *err)
{
    id3_tag *t = ps->tag;
    aloud_status st = ALOUD_OK;
    size_t pos = 0;
    id3_frame f;
    int r;

    while (st == ALOUD_OK && (r = id3_next_frame(ps, p, n, &pos, &f)) != 0) {
        if (r != 1)
            continue;
        if (strcmp(f.id, "TIT2") == 0)
            st = id3_take_text(&t->title, &f, err);
        else if (strcmp(f.id, "TPE1") == 0)
            st = id3_take_text(&t->artist, &f, err);
        else if (strcmp(f.id, "TSSE") == 0)
            st = id3_take_text(&t->software, &f, err);
        else if (strcmp(f.id, "CHAP") == 0)
            st = id3_parse_chap(ps, &f, err);
        else if (strcmp(f.id, "CTOC") == 0)
            st = id3_parse_ctoc(ps, &f, err);
    }
    return st;
}

/* Where the frames start in an (already de-unsynchronised) body: after any extended header. */
static aloud_status id3_skip_extended(unsigned version, unsigned flags, const unsigned char *body,
                                      size_t n, size_t *start, aloud_error *err)
{
    uint64_t ext;

    *start = 0;
    if (!(flags & ID3_FLAG_EXTENDED))
        return ALOUD_OK;
    if (n < 4)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "ID3 extended header cut short");
    /* 2.3 counts the size without its own 4 bytes; 2.4 counts them, syncsafe. */
    ext = version == 3 ? 4u + (uint64_t)id3_be32(body) : (uint64_t)id3_syncsafe(body);
    if (ext > n || ext < 4)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad ID3 extended header size");
    *start = (size_t)ext;
    return ALOUD_OK;
}

aloud_status id3_tag_parse(const unsigned char *data, size_t size, id3_tag **out,
                           aloud_error *err)
{
    uint64_t total = id3_tag_total_size(data, size);
    id3_parser ps;
    unsigned char *body = NULL;
    size_t body_len, start = 0;
    aloud_status st = ALOUD_OK;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the ID3 tag");
    *out = NULL;
    if (total == 0)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "not an ID3v2 tag");
    if (total > size)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "ID3v2 tag cut short (%llu bytes, %zu present)",
                               (unsigned long long)total, size);
    memset(&ps, 0, sizeof ps);
    ps.version = data[3];
    ps.tag = calloc(1, sizeof *ps.tag);
    if (!ps.tag)
        return id3_nomem(err);
    ps.tag->version = ps.version;
    if (ps.version == 2) {
        *out = ps.tag; /* three-letter frames and no chapters: nothing we read */
        return ALOUD_OK;
    }
    body_len = (size_t)id3_syncsafe(data + 6);
    /* A private copy: unsynchronisation is undone in place. */
    body = malloc(body_len ? body_len : 1);
    if (!body) {
        id3_tag_free(ps.tag);
        return id3_nomem(err);
    }
    memcpy(body, data + ID3_HEADER_SIZE, body_len);
    if (ps.version == 3 && (data[5] & ID3_FLAG_UNSYNC))
        body_len = id3_unsync(body, body_len);
    ps.unsync_frames = ps.version == 4 && (data[5] & ID3_FLAG_UNSYNC);
    st = id3_skip_extended(ps.version, data[5], body, body_len, &start, err);
    if (st == ALOUD_OK)
        st = id3_parse_frames(&ps, body + start, body_len - start, err);
    free(body);
    if (st != ALOUD_OK) {
        id3_tag_free(ps.tag);
        return st;
    }
    *out = ps.tag;
    return ALOUD_OK;
}

void id3_tag_free(id3_tag *tag)
{
    if (!tag)
        return;
    for (size_t i = 0; i < tag->chapter_count; i++) {
        free(tag->chapters[i].id);
        free(tag->chapters[i].title);
    }
    free(tag->chapters);
    for (size_t i = 0; i < tag->toc_count; i++) {
        for (size_t j = 0; j < tag->tocs[i].child_count; j++)
            free(tag->tocs[i].children[j]);
        free(tag->tocs[i].children);
        free(tag->tocs[i].id);
    }
    free(tag->tocs);
    free(tag->title);
    free(tag->artist);
    free(tag->software);
    free(tag);
}
