/*
 * id3v2.h - ID3v2 tags with chapters: build one, parse one (private to
 * libaloud).
 *
 * Podcast apps find MP3 chapters in ID3v2 `CHAP` frames (start and end in
 * milliseconds, a `TIT2` sub-frame with the title) listed by a top-level,
 * ordered `CTOC` frame; without the CTOC some apps show nothing (see the
 * "ID3v2 Chapter Frame Addendum" and FORMATS.md). No C library in Debian
 * writes these frames, so this module builds them.
 *
 * Building writes ID3v2.3: Windows, older iTunes and many car and phone
 * players read 2.3 but not 2.4. Version 2.3 has no UTF-8, so a string that
 * is pure ASCII is stored as ISO-8859-1 (encoding 0) and any other as
 * UTF-16 with a byte order mark (encoding 1). Frame sizes are plain 32-bit
 * big-endian numbers; the tag size in the header is "syncsafe" (7 bits a
 * byte). No unsynchronisation, no extended header, no frame flags.
 *
 * The size of a built tag depends only on the strings, never on the times:
 * build once with placeholder times, then again with the real ones, and the
 * second fits exactly over the first.
 *
 * Parsing reads versions 2.3 and 2.4 (what other tools write), undoing
 * unsynchronisation and skipping extended headers, compressed or encrypted
 * frames; version 2.2 tags parse as empty.
 */
#ifndef ALOUD_ID3V2_H
#define ALOUD_ID3V2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

/* The fixed header ("ID3", version, flags, size); a 2.4 footer has the same size. */
#define ID3_HEADER_SIZE 10u

/* A CHAP start/end byte offset meaning "not given: use the times". */
#define ID3_NO_OFFSET 0xFFFFFFFFu

/*
 * One CTOC lists at most 255 children (an 8-bit count). The tag has one
 * flat top-level CTOC, the only one apps read (BookPlayer and Overcast need
 * it; nested tables of contents no app is known to show), so at most 255
 * chapters; the render groups paragraphs to fit.
 */
#define ID3_TOC_MAX_ENTRIES 255u
#define ID3_MAX_CHAPTERS ID3_TOC_MAX_ENTRIES

/* The largest tag the 28-bit syncsafe size can describe, header excluded. */
#define ID3_MAX_BODY 0x0FFFFFFFu

/* ------------------------------------------------------------- building */

typedef struct id3_chapter_spec {
    const char *title;   /* UTF-8, borrowed; NULL for no TIT2 sub-frame */
    uint32_t start_ms;
    uint32_t end_ms;
} id3_chapter_spec;

/* A user-defined text frame (TXXX), such as REPLAYGAIN_TRACK_GAIN. */
typedef struct id3_txxx {
    const char *description;  /* ASCII, borrowed */
    const char *value;        /* ASCII, borrowed */
} id3_txxx;

typedef struct id3_tag_spec {
    const char *title;      /* TIT2; UTF-8, borrowed, NULL for none */
    const char *artist;     /* TPE1 */
    const char *software;   /* TSSE */
    size_t chapter_count;   /* at most ID3_MAX_CHAPTERS */
    const id3_chapter_spec *chapters;  /* borrowed, chapter_count entries */
    size_t padding;         /* zero bytes after the frames, counted in the tag size */
    size_t txxx_count;
    const id3_txxx *txxx;   /* borrowed, txxx_count entries, after TSSE */
    const unsigned char *picture;  /* the front cover as an APIC frame; NULL for none */
    size_t picture_size;
    const char *picture_mime;      /* "image/jpeg", "image/png" */
} id3_tag_spec;

/*
 * Builds a whole ID3v2.3 tag: header, TIT2, TPE1, TSSE (those given), TXXX,
 * an APIC with the picture, then the top-level CTOC "toc" (ordered) and CHAP
 * frames "chp1".."chpN", each with a TIT2 sub-frame and both offsets
 * ID3_NO_OFFSET. No chapters, no CTOC. On success *out is a new buffer of
 * *size bytes the caller frees.
 * ALOUD_ERR_ARG for a string that is not valid UTF-8, too many chapters or
 * a tag past ID3_MAX_BODY; ALOUD_ERR_NOMEM. On failure *out is NULL.
 */
aloud_status id3_tag_build(const id3_tag_spec *spec, unsigned char **out, size_t *size,
                           aloud_error *err);

/* -------------------------------------------------------------- parsing */

/*
 * The whole size of the tag whose first bytes are `head` (at least
 * ID3_HEADER_SIZE of them): header, body and a 2.4 footer. 0 when `head`
 * is not a valid ID3v2 header.
 */
uint64_t id3_tag_total_size(const unsigned char *head, size_t avail);

typedef struct id3_chapter {
    char *id;               /* element id, owned */
    uint32_t start_ms;
    uint32_t end_ms;
    uint32_t start_offset;  /* ID3_NO_OFFSET when not given */
    uint32_t end_offset;
    char *title;            /* from a TIT2 sub-frame, UTF-8, owned; NULL when none */
} id3_chapter;

typedef struct id3_toc {
    char *id;               /* owned */
    bool top_level;
    bool ordered;
    size_t child_count;
    char **children;        /* element ids, owned */
} id3_toc;

typedef struct id3_tag {
    unsigned version;       /* major version: 2, 3 or 4 */
    char *title;            /* TIT2, TPE1, TSSE as UTF-8, owned; NULL when absent */
    char *artist;
    char *software;
    size_t chapter_count;   /* CHAP frames in file order */
    id3_chapter *chapters;
    size_t toc_count;       /* CTOC frames in file order */
    id3_toc *tocs;
} id3_tag;

/*
 * Parses the tag in data[0..size) (borrowed), which starts with its
 * header; bytes past the tag are ignored. Text in any ID3 encoding comes
 * out as UTF-8 (invalid UTF-16 becomes U+FFFD); the first frame of a kind
 * wins. ALOUD_ERR_MEDIA when the header is bad or the tag is cut short;
 * frames that are malformed inside a sound tag are skipped, not fatal.
 * The caller frees *out with id3_tag_free(); NULL on failure.
 */
aloud_status id3_tag_parse(const unsigned char *data, size_t size, id3_tag **out,
                           aloud_error *err);

/* NULL is a no-op. */
void id3_tag_free(id3_tag *tag);

#endif /* ALOUD_ID3V2_H */
