/*
 * cover.h - a cover image for the audio file: a JPEG or PNG read whole and
 * checked by its own bytes (private to libaloud).
 *
 * Every container carries it as the front cover (picture type 3): FLAC's
 * PICTURE block, ID3's APIC frame, Opus's METADATA_BLOCK_PICTURE comment
 * and MP4's `covr` atom. Those need the MIME type and, for FLAC and Opus,
 * the width, height and colour depth, so they are read from the header
 * here, and an image whose header does not say them is refused.
 */
#ifndef ALOUD_COVER_H
#define ALOUD_COVER_H

#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

/* The largest cover taken: FLAC's metadata block holds 16 MiB in all, and a
 * picture in an Opus comment grows by a third in base64. */
#define COVER_MAX_BYTES (8u * 1024u * 1024u)

typedef enum cover_kind { COVER_JPEG = 1, COVER_PNG } cover_kind;

typedef struct cover_image {
    cover_kind kind;
    const char *mime;       /* "image/jpeg" or "image/png", static */
    unsigned char *data;    /* the file's bytes, owned */
    size_t size;
    uint32_t width;         /* from the header; never 0 */
    uint32_t height;
    uint32_t depth;         /* bits per pixel */
} cover_image;

/*
 * Reads and checks the image at `path`. ALOUD_ERR_READ when it cannot be
 * read, ALOUD_ERR_MEDIA when it is no JPEG or PNG (by its first bytes) or its
 * header is cut short or says no size, ALOUD_ERR_LIMIT past COVER_MAX_BYTES,
 * ALOUD_ERR_NOMEM; the message names the path. Free *out with cover_free().
 */
aloud_status cover_load(const char *path, cover_image **out, aloud_error *err);

/* Checks the bytes of an image already in memory (borrowed): fills kind,
 * mime, width, height and depth of `out`, not data. The reasons as above,
 * without a path. */
aloud_status cover_parse(const unsigned char *data, size_t size, cover_image *out,
                         aloud_error *err);

/* NULL is a no-op. */
void cover_free(cover_image *cover);

#endif /* ALOUD_COVER_H */
