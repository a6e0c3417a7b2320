/*
 * test_id3v2.c - the ID3v2 module: tags built byte for byte against
 * hand-computed layouts (header, text frames, CTOC, CHAP with its TIT2),
 * text encodings, nested tables of contents past 255 chapters, the size
 * that does not depend on the times (the in-place rewrite relies on it),
 * parsing of 2.3 and 2.4 tags written by other tools, and cut or damaged
 * tags that must never crash the parser.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"
#include "id3v2.h"

static void build(const id3_tag_spec *spec, unsigned char **out, size_t *size)
{
    aloud_error err = {0};
    aloud_status st = id3_tag_build(spec, out, size, &err);

    if (st != ALOUD_OK)
        print_error("build: %s\n", err.message);
    assert_int_equal(st, ALOUD_OK);
    tu_require(*out);
}

static id3_tag *parse(const unsigned char *p, size_t n)
{
    id3_tag *t = NULL;
    aloud_error err = {0};
    aloud_status st = id3_tag_parse(p, n, &t, &err);

    if (st != ALOUD_OK)
        print_error("parse: %s\n", err.message);
    assert_int_equal(st, ALOUD_OK);
    tu_require(t);
    return t;
}

/* ------------------------------------------------------------ building */

/* Every byte of a small tag, computed by hand from the 2.3 and chapter specs. */
static void test_exact_bytes(void **state)
{
    static const unsigned char want[] = {
        /* header: "ID3" 2.3.0, no flags, body 80 = syncsafe 00 00 00 50 */
        'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0x50,
        /* TIT2, size 2: encoding 0 (ISO-8859-1), "T" */
        'T', 'I', 'T', '2', 0, 0, 0, 2, 0, 0, 0, 'T',
        /* CTOC, size 11: "toc\0", flags top-level|ordered, 1 entry, "chp1\0" */
        'C', 'T', 'O', 'C', 0, 0, 0, 11, 0, 0, 't', 'o', 'c', 0, 0x03, 1, 'c', 'h', 'p', '1', 0,
        /* CHAP, size 37: "chp1\0", start 0, end 1500 = 0x5DC, offsets unused */
        'C', 'H', 'A', 'P', 0, 0, 0, 37, 0, 0, 'c', 'h', 'p', '1', 0,
        0, 0, 0, 0, 0, 0, 0x05, 0xdc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        /* its TIT2 sub-frame, size 6: encoding 0, "Intro" */
        'T', 'I', 'T', '2', 0, 0, 0, 6, 0, 0, 0, 'I', 'n', 't', 'r', 'o',
    };
    const id3_chapter_spec ch[] = {{"Intro", 0, 1500}};
    id3_tag_spec spec = {"T", NULL, NULL, 1, ch, 0, 0, NULL, NULL, 0, NULL};
    unsigned char *tag;
    size_t size;

    (void)state;
    build(&spec, &tag, &size);
    assert_int_equal(size, sizeof want);
    assert_memory_equal(tag, want, sizeof want);
    assert_int_equal(id3_tag_total_size(tag, size), sizeof want);
    free(tag);
}

/* Non-ASCII text is UTF-16LE with a BOM; a code point past U+FFFF takes a surrogate pair. */
static void test_utf16_text(void **state)
{
    static const unsigned char want[] = {
        'I', 'D', '3', 3, 0, 0, 0, 0, 0, 42,
        /* TPE1, size 13: encoding 1, BOM FF FE, Z w U+00F6 l f (5 units) */
        'T', 'P', 'E', '1', 0, 0, 0, 13, 0, 0, 1, 0xff, 0xfe,
        'Z', 0, 'w', 0, 0xf6, 0, 'l', 0, 'f', 0,
        /* TSSE, size 9: encoding 1, BOM, U+1F600 = D83D DE00, "!" */
        'T', 'S', 'S', 'E', 0, 0, 0, 9, 0, 0, 1, 0xff, 0xfe, 0x3d, 0xd8, 0x00, 0xde, '!', 0,
    };
    id3_tag_spec spec = {NULL, "Zw\xc3\xb6lf", "\xf0\x9f\x98\x80!", 0, NULL, 0, 0, NULL, NULL, 0, NULL};
    unsigned char *tag;
    size_t size;
    id3_tag *t;

    (void)state;
    build(&spec, &tag, &size);
    assert_int_equal(size, sizeof want);
    assert_memory_equal(tag, want, sizeof want);
    t = parse(tag, size);
    assert_null(t->title);
    assert_string_equal(t->artist, "Zw\xc3\xb6lf");
    assert_string_equal(t->software, "\xf0\x9f\x98\x80!");
    assert_int_equal(t->chapter_count, 0);
    assert_int_equal(t->toc_count, 0);
    id3_tag_free(t);
    free(tag);
}

/* The tag size lives in 4 bytes of 7 bits each. */
static void test_syncsafe_size(void **state)
{
    id3_tag_spec spec = {NULL, NULL, NULL, 0, NULL, 300000, 0, NULL, NULL, 0, NULL};
    unsigned char *tag;
    size_t size;

    (void)state;
    build(&spec, &tag, &size);
    assert_int_equal(size, 10 + 300000);
    /* 300000 = 0x493E0 = 18 * 2^14 + 39 * 2^7 + 96 */
    assert_int_equal(tag[6], 0);
    assert_int_equal(tag[7], 18);
    assert_int_equal(tag[8], 39);
    assert_int_equal(tag[9], 96);
    for (size_t i = 10; i < size; i++)
        assert_int_equal(tag[i], 0);
    assert_int_equal(id3_tag_total_size(tag, size), size);
    free(tag);
}

/* What the MP3 writer relies on: other times, same size, only the time bytes differ. */
static void test_size_ignores_times(void **state)
{
    const char *titles[] = {"a", "Zw\xc3\xb6lf", ""};
    id3_chapter_spec zero[3], real[3];
    id3_tag_spec spec = {"t", "a", "s", 3, zero, 64, 0, NULL, NULL, 0, NULL};
    unsigned char *a, *b;
    size_t na, nb, differ = 0;
    id3_tag *t;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        zero[i] = (id3_chapter_spec){titles[i], 0, 0};
        real[i] = (id3_chapter_spec){titles[i], (uint32_t)i * 0x01020304u,
                                     (uint32_t)(i + 1) * 0x01020304u};
    }
    build(&spec, &a, &na);
    spec.chapters = real;
    build(&spec, &b, &nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        differ += a[i] != b[i];
    /* Every start/end byte except chapter 1's start (0 in both). */
    assert_int_equal(differ, 3 * 8 - 4);
    t = parse(b, nb);
    assert_int_equal(t->chapter_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(t->chapters[i].title, titles[i]);
        assert_int_equal(t->chapters[i].start_ms, real[i].start_ms);
        assert_int_equal(t->chapters[i].end_ms, real[i].end_ms);
        assert_int_equal(t->chapters[i].start_offset, ID3_NO_OFFSET);
        assert_int_equal(t->chapters[i].end_offset, ID3_NO_OFFSET);
    }
    id3_tag_free(t);
    free(a);
    free(b);
}

static void check_toc(const id3_toc *toc, const char *id, bool top, size_t count,
                      const char *prefix, size_t first)
{
    char want[32];

    assert_string_equal(toc->id, id);
    assert_int_equal(toc->top_level, top);
    assert_true(toc->ordered);
    assert_int_equal(toc->child_count, count);
    for (size_t i = 0; i < count; i++) {
        snprintf(want, sizeof want, "%s%zu", prefix, first + i + 1);
        assert_string_equal(toc->children[i], want);
    }
}

/* 255 chapters fit one CTOC; 256 need a top-level CTOC of two child CTOCs. */
static void test_toc_flat(void **state)
{
    enum { N = 256 };
    static id3_chapter_spec ch[N];
    static char names[N][16];
    static const unsigned char top[] = {'C', 'T', 'O', 'C', 0, 0, 0x06, 0x93, 0, 0, 't', 'o', 'c',
                                        0, 0x03, 255, 'c', 'h', 'p', '1', 0};
    id3_tag_spec spec = {NULL, NULL, NULL, 255, ch, 0, 0, NULL, NULL, 0, NULL};
    unsigned char *tag;
    size_t size;
    id3_tag *t;
    aloud_error err = {0};

    (void)state;
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "P%zu", i + 1);
        ch[i] = (id3_chapter_spec){names[i], (uint32_t)i * 1000u, (uint32_t)(i + 1) * 1000u};
    }
    build(&spec, &tag, &size);
    /* One top-level, ordered CTOC of 255: "toc\0", flags, count, chp1..chp255 (9 of 5
     * bytes, 90 of 6, 156 of 7). */
    assert_int_equal(0x693, 4 + 2 + 9 * 5 + 90 * 6 + 156 * 7);
    assert_memory_equal(tag + 10, top, sizeof top);
    t = parse(tag, size);
    assert_int_equal(t->toc_count, 1);
    check_toc(&t->tocs[0], "toc", true, 255, "chp", 0);
    assert_int_equal(t->chapter_count, 255);
    assert_string_equal(t->chapters[254].title, "P255");
    id3_tag_free(t);
    free(tag);

    /* 256 do not fit: the render groups paragraphs before a writer sees them. */
    spec.chapter_count = N;
    assert_int_equal(id3_tag_build(&spec, &tag, &size, &err), ALOUD_ERR_ARG);
    assert_non_null(strstr(err.message, "at most 255"));
}

/* The cover: an APIC frame with its MIME type, front cover (3), no description. */
static void test_apic(void **state)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 1, 2, 3};
    static const unsigned char frame[] = {'A', 'P', 'I', 'C', 0, 0, 0, 20, 0, 0, 0, 'i', 'm',
                                          'a', 'g', 'e', '/', 'p', 'n', 'g', 0, 3, 0,
                                          0x89, 'P', 'N', 'G', 1, 2, 3};
    id3_tag_spec spec = {"T", NULL, NULL, 0, NULL, 0, 0, NULL, png, sizeof png, "image/png"};
    unsigned char *tag;
    size_t size;
    id3_tag *t;

    (void)state;
    build(&spec, &tag, &size);
    assert_int_equal(size, 10 + 12 + sizeof frame); /* TIT2: encoding 0 and "T"; the APIC */
    assert_memory_equal(tag + 22, frame, sizeof frame);
    t = parse(tag, size);
    assert_string_equal(t->title, "T");
    id3_tag_free(t);
    free(tag);
}

static void test_no_chapters_no_toc(void **state)
{
    static const unsigned char want[] = {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0};
    id3_tag_spec spec = {NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL};
    unsigned char *tag;
    size_t size;

    (void)state;
    build(&spec, &tag, &size);
    assert_int_equal(size, sizeof want);
    assert_memory_equal(tag, want, sizeof want);
    free(tag);
}

static void test_build_rejects(void **state)
{
    const id3_chapter_spec bad[] = {{"ok", 0, 1}, {"bad \xff", 1, 2}};
    id3_tag_spec spec = {NULL, NULL, NULL, 2, bad, 0, 0, NULL, NULL, 0, NULL};
    static unsigned char dummy;
    unsigned char *tag = &dummy;
    size_t size = 1;
    aloud_error err = {0};

    (void)state;
    assert_int_equal(id3_tag_build(&spec, &tag, &size, &err), ALOUD_ERR_ARG);
    assert_null(tag);
    assert_non_null(strstr(err.message, "UTF-8"));
    spec.chapter_count = 0;
    spec.title = "\xc3";
    assert_int_equal(id3_tag_build(&spec, &tag, &size, &err), ALOUD_ERR_ARG);
    spec.title = NULL;
    spec.chapter_count = ID3_MAX_CHAPTERS + 1;
    assert_int_equal(id3_tag_build(&spec, &tag, &size, &err), ALOUD_ERR_ARG);
    spec.chapter_count = 1;
    spec.chapters = NULL;
    assert_int_equal(id3_tag_build(&spec, &tag, &size, &err), ALOUD_ERR_ARG);
    assert_int_equal(id3_tag_build(NULL, &tag, &size, &err), ALOUD_ERR_ARG);
}

/* -------------------------------------------------------------- parsing */

typedef struct bytes {
    unsigned char b[4096];
    size_t n;
} bytes;

static void add(bytes *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void add_syncsafe(bytes *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 21 & 0x7f), (unsigned char)(v >> 14 & 0x7f),
                          (unsigned char)(v >> 7 & 0x7f), (unsigned char)(v & 0x7f)};

    add(o, b, 4);
}

static void add_be32(bytes *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    add(o, b, 4);
}

/* A 2.4 frame: syncsafe size, the given flags. */
static void add_frame4(bytes *o, const char *id, unsigned flags, const void *body, size_t n)
{
    unsigned char f[2] = {0, (unsigned char)flags};

    add(o, id, 4);
    add_syncsafe(o, (uint32_t)n);
    add(o, f, 2);
    add(o, body, n);
}

static void add_frame3(bytes *o, const char *id, unsigned flags, const void *body, size_t n)
{
    unsigned char f[2] = {0, (unsigned char)flags};

    add(o, id, 4);
    add_be32(o, (uint32_t)n);
    add(o, f, 2);
    add(o, body, n);
}

/* A 2.4 tag as other tools write it: UTF-8, an extended header, a footer, frame flags. */
static void test_parse_v24(void **state)
{
    bytes body = {.n = 0}, tag = {.n = 0}, chap = {.n = 0}, sub = {.n = 0};
    /* TPE1 unsynchronised: the stored FF 00 stands for the byte FF (U+00FF in ISO-8859-1). */
    static const unsigned char tpe1[] = {0, 'A', 0xff, 0x00, 'B'};
    static const unsigned char tsse[] = {0, 0, 0, 4, 3, 'a', 'b', 'c'}; /* length indicator */
    static const unsigned char compressed[] = {0, 0, 0, 9, 'x', 'y', 'z'};
    id3_tag *t;

    (void)state;
    add(&body, "\x00\x00\x00\x06\x01\x00", 6); /* extended header: 6 bytes, 1 flag byte, no flags */
    add_frame4(&body, "TIT2", 0, "\x03T\xc3\xadtulo", 8);
    add_frame4(&body, "TPE1", 0x02, tpe1, sizeof tpe1);
    add_frame4(&body, "TSSE", 0x01, tsse, sizeof tsse);
    add_frame4(&body, "TALB", 0x08 | 0x01, compressed, sizeof compressed);
    add_frame4(&sub, "TIT2", 0, "\x02\x00Z\x00\xf6", 5); /* UTF-16BE without BOM */
    add(&chap, "c1\0", 3);
    add_be32(&chap, 10);
    add_be32(&chap, 20);
    add_be32(&chap, 30);
    add_be32(&chap, 40);
    add(&chap, sub.b, sub.n);
    add_frame4(&body, "CHAP", 0, chap.b, chap.n);
    add(&body, "\0\0\0\0\0\0\0\0\0\0\0\0", 12); /* padding */
    add(&tag, "ID3\x04\x00\x50", 6); /* extended header + footer */
    add_syncsafe(&tag, (uint32_t)body.n);
    add(&tag, body.b, body.n);
    add(&tag, "3DI\x04\x00\x50", 6);
    add_syncsafe(&tag, (uint32_t)body.n);
    add(&tag, "trailing audio", 14);

    assert_int_equal(id3_tag_total_size(tag.b, tag.n), 10 + body.n + 10);
    t = parse(tag.b, tag.n);
    assert_int_equal(t->version, 4);
    assert_string_equal(t->title, "T\xc3\xadtulo");
    assert_string_equal(t->artist, "A\xc3\xbf" "B"); /* U+00FF as ISO-8859-1 */
    assert_string_equal(t->software, "abc");
    assert_int_equal(t->chapter_count, 1);
    assert_string_equal(t->chapters[0].id, "c1");
    assert_int_equal(t->chapters[0].start_ms, 10);
    assert_int_equal(t->chapters[0].end_ms, 20);
    assert_int_equal(t->chapters[0].start_offset, 30);
    assert_int_equal(t->chapters[0].end_offset, 40);
    assert_string_equal(t->chapters[0].title, "Z\xc3\xb6");
    id3_tag_free(t);
}

/* A 2.3 tag with whole-tag unsynchronisation and an extended header. */
static void test_parse_v23_unsync(void **state)
{
    bytes body = {.n = 0}, raw = {.n = 0}, tag = {.n = 0};
    id3_tag *t;

    (void)state;
    add(&body, "\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00", 10); /* ext: 6 bytes after the size */
    /* UTF-16 with a big-endian BOM; U+FF00 holds the byte FF that unsync protects. */
    add_frame3(&body, "TIT2", 0, "\x01\xfe\xff\xff\x00\x00\x41", 7);
    add_frame3(&body, "TPE1", 0x20, "\x07\x00Grp", 5); /* grouping byte 7, then the text */
    for (size_t i = 0; i < body.n; i++) {
        add(&raw, &body.b[i], 1);
        if (body.b[i] == 0xff && (i + 1 == body.n || body.b[i + 1] == 0 || body.b[i + 1] >= 0xe0))
            add(&raw, "\0", 1);
    }
    add(&tag, "ID3\x03\x00\xc0", 6);
    add_syncsafe(&tag, (uint32_t)raw.n);
    add(&tag, raw.b, raw.n);
    assert_true(raw.n > body.n);
    t = parse(tag.b, tag.n);
    assert_int_equal(t->version, 3);
    assert_string_equal(t->title, "\xef\xbc\x80" "A"); /* U+FF00 U+0041 */
    assert_string_equal(t->artist, "Grp");
    id3_tag_free(t);
}

/* Text decoding edge cases: lone surrogates, bad UTF-8, Latin-1, terminators, empty frames. */
static void test_parse_text_edges(void **state)
{
    bytes body = {.n = 0}, tag = {.n = 0};
    id3_tag *t;

    (void)state;
    add_frame4(&body, "TIT2", 0, "\x01\xff\xfe\x00\xd8\x41\x00\x00\x00\x42\x00", 11);
    add_frame4(&body, "TPE1", 0, "\x03" "a\xff\xc3(b\0ignored", 14);
    add_frame4(&body, "TSSE", 0, "", 0);
    add_frame4(&body, "TIT2", 0, "\x00second", 7); /* the first wins */
    add(&tag, "ID3\x04\x00\x00", 6);
    add_syncsafe(&tag, (uint32_t)body.n);
    add(&tag, body.b, body.n);
    t = parse(tag.b, tag.n);
    assert_string_equal(t->title, "\xef\xbf\xbd" "A"); /* U+FFFD, A, then the terminator */
    assert_string_equal(t->artist, "a\xef\xbf\xbd\xef\xbf\xbd(b");
    assert_string_equal(t->software, "");
    id3_tag_free(t);
}

/* A CTOC and a CHAP that are cut inside, and a frame that overruns the tag. */
static void test_parse_malformed_frames(void **state)
{
    bytes body = {.n = 0}, tag = {.n = 0};
    id3_tag *t;

    (void)state;
    add_frame4(&body, "CHAP", 0, "noterminator", 12);
    add_frame4(&body, "CHAP", 0, "c\0\0\0\0\1", 6);           /* times cut short */
    add_frame4(&body, "CTOC", 0, "t\0\x03\x05" "a\0b", 7);   /* claims 5, holds 1.5 */
    add_frame4(&body, "TIT2", 0, "\x00ok", 3);
    add(&body, "TPE1\x00\x00\x7f\x7f\x00\x00", 10);           /* overruns: stop here */
    add(&tag, "ID3\x04\x00\x00", 6);
    add_syncsafe(&tag, (uint32_t)body.n);
    add(&tag, body.b, body.n);
    t = parse(tag.b, tag.n);
    assert_int_equal(t->chapter_count, 0);
    assert_int_equal(t->toc_count, 1);
    assert_string_equal(t->tocs[0].id, "t");
    assert_true(t->tocs[0].top_level);
    assert_true(t->tocs[0].ordered);
    assert_int_equal(t->tocs[0].child_count, 1);
    assert_string_equal(t->tocs[0].children[0], "a");
    assert_string_equal(t->title, "ok");
    assert_null(t->artist);
    id3_tag_free(t);
}

static void test_parse_rejects(void **state)
{
    static const unsigned char not_id3[] = "ID4\x03\x00\x00\x00\x00\x00\x00";
    static const unsigned char bad_size[] = "ID3\x03\x00\x00\x00\x80\x00\x00";
    static const unsigned char v5[] = "ID3\x05\x00\x00\x00\x00\x00\x00";
    static const unsigned char cut[] = "ID3\x03\x00\x00\x00\x00\x01\x00TIT2";
    static const unsigned char v22[] = "ID3\x02\x00\x00\x00\x00\x00\x06TT2\x00\x00\x00";
    static const unsigned char bad_ext[] = "ID3\x03\x00\x40\x00\x00\x00\x04\x00\x00\x00\x09";
    id3_tag *t = (id3_tag *)&t;
    aloud_error err = {0};

    (void)state;
    assert_int_equal(id3_tag_parse(not_id3, 10, &t, &err), ALOUD_ERR_MEDIA);
    assert_null(t);
    assert_int_equal(id3_tag_parse(bad_size, 10, &t, &err), ALOUD_ERR_MEDIA);
    assert_int_equal(id3_tag_parse(v5, 10, &t, &err), ALOUD_ERR_MEDIA);
    assert_int_equal(id3_tag_parse(cut, sizeof cut - 1, &t, &err), ALOUD_ERR_MEDIA);
    assert_non_null(strstr(err.message, "cut short"));
    assert_int_equal(id3_tag_parse(bad_ext, sizeof bad_ext - 1, &t, &err), ALOUD_ERR_MEDIA);
    assert_int_equal(id3_tag_parse(v22, 10, &t, &err), ALOUD_ERR_MEDIA); /* body missing */
    assert_int_equal(id3_tag_parse(not_id3, 5, &t, &err), ALOUD_ERR_MEDIA);
    assert_int_equal(id3_tag_total_size(not_id3, 9), 0);
    t = parse(v22, sizeof v22 - 1);
    assert_int_equal(t->version, 2);
    assert_null(t->title);
    id3_tag_free(t);
    id3_tag_free(NULL);
}

/* Every prefix and many one-byte changes of a real tag: an answer, never a crash. */
static void test_parse_damage(void **state)
{
    const id3_chapter_spec ch[] = {{"Eins", 0, 1000}, {"Zw\xc3\xb6lf", 1000, 2000}};
    id3_tag_spec spec = {"T", "A", "S", 2, ch, 16, 0, NULL, NULL, 0, NULL};
    unsigned char *tag, *copy;
    size_t size;
    aloud_error err = {0};

    (void)state;
    build(&spec, &tag, &size);
    for (size_t n = 0; n < size; n++) {
        id3_tag *t = NULL;
        aloud_status st;

        copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any read past them */
        tu_require(copy);
        memcpy(copy, tag, n);
        st = id3_tag_parse(copy, n, &t, &err);
        free(copy);
        assert_int_equal(st, ALOUD_ERR_MEDIA);
        assert_null(t);
    }
    copy = malloc(size);
    tu_require(copy);
    for (size_t i = 0; i < size; i++) {
        static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};

        for (size_t v = 0; v < sizeof values; v++) {
            id3_tag *t = NULL;
            aloud_status st;

            memcpy(copy, tag, size);
            copy[i] = values[v];
            st = id3_tag_parse(copy, size, &t, &err);
            assert_true(st == ALOUD_OK || st == ALOUD_ERR_MEDIA);
            id3_tag_free(t);
        }
    }
    free(copy);
    free(tag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_utf16_text),
        cmocka_unit_test(test_syncsafe_size),
        cmocka_unit_test(test_size_ignores_times),
        cmocka_unit_test(test_toc_flat),
        cmocka_unit_test(test_apic),
        cmocka_unit_test(test_no_chapters_no_toc),
        cmocka_unit_test(test_build_rejects),
        cmocka_unit_test(test_parse_v24),
        cmocka_unit_test(test_parse_v23_unsync),
        cmocka_unit_test(test_parse_text_edges),
        cmocka_unit_test(test_parse_malformed_frames),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_damage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
