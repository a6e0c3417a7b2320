/*
 * cover.c - reading and checking a cover image (JPEG or PNG).
 *
 * PNG: the signature, then the IHDR chunk, which must come first and gives
 * width, height, bit depth and colour type (PNG spec, 11.2.2). JPEG: SOI,
 * then marker segments up to the first start-of-frame (SOF0-SOF15 but DHT
 * C4, JPG C8 and DAC CC), which gives precision, height, width and the
 * number of components (ITU-T T.81, B.2.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cover.h"
#include "file_read.h"

static uint32_t cover_be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t cover_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static aloud_status cover_png(const unsigned char *d, size_t n, cover_image *out,
                              aloud_error *err)
{
    /* Channels per colour type 0, 2, 3 (palette: one index), 4, 6. */
    static const unsigned channels[7] = {1, 0, 3, 1, 2, 0, 4};
    unsigned type;

    if (n < 33 || memcmp(d + 12, "IHDR", 4) != 0 || cover_be32(d + 8) != 13)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "a PNG without its IHDR header");
    out->width = cover_be32(d + 16);
    out->height = cover_be32(d + 20);
    type = d[25];
    if (type > 6 || channels[type] == 0 || d[24] == 0 || d[24] > 16)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "a PNG with a bad IHDR header");
    out->depth = type == 3 ? 24u : d[24] * channels[type];
    out->kind = COVER_PNG;
    out->mime = "image/png";
    return ALOUD_OK;
}

static aloud_status cover_jpeg(const unsigned char *d, size_t n, cover_image *out,
                               aloud_error *err)
{
    size_t at = 2;

    while (at + 4 <= n) {
        unsigned marker;
        size_t len;

        if (d[at] != 0xFF)
            break;
        marker = d[at + 1];
        if (marker == 0xFF) { /* fill byte */
            at++;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            at += 2; /* markers without a length */
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            break; /* end of image or scan data before any frame header */
        len = cover_be16(d + at + 2);
        if (len < 2 || at + 2 + len > n)
            break;
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
            && marker != 0xCC) {
            if (len < 8)
                break;
            out->height = cover_be16(d + at + 5);
            out->width = cover_be16(d + at + 7);
            out->depth = (uint32_t)d[at + 4] * d[at + 9];
            out->kind = COVER_JPEG;
            out->mime = "image/jpeg";
            return ALOUD_OK;
        }
        at += 2 + len;
    }
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "a JPEG without a frame header");
}

aloud_status cover_parse(const unsigned char *data, size_t size, cover_image *out,
                         aloud_error *err)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    aloud_status st;

    if (!data || !out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no image");
    if (size >= 8 && memcmp(data, png, 8) == 0)
        st = cover_png(data, size, out, err);
    else if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        st = cover_jpeg(data, size, out, err);
    else
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "not a JPEG or PNG image");
    if (st == ALOUD_OK && (out->width == 0 || out->height == 0))
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "an image of %ux%u pixels",
                             (unsigned)out->width, (unsigned)out->height);
    return st;
}

aloud_status cover_load(const char *path, cover_image **out, aloud_error *err)
{
    file_read_info info;
    cover_image *c;
    char *data = NULL;
    size_t size = 0;
    aloud_error why = {0};
    file_read_status rs;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the cover");
    *out = NULL;
    if (!path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no cover image named");
    rs = file_read(path, COVER_MAX_BYTES, NULL, &data, &size, &info);
    switch (rs) {
    case FILE_READ_OK:
        break;
    case FILE_READ_NOMEM:
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the cover %s",
                               path);
    case FILE_READ_TOO_LARGE:
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "the cover %s is larger than %u MiB", path,
                               COVER_MAX_BYTES >> 20);
    case FILE_READ_DIRECTORY:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0,
                               "the cover %s is a directory, not an image", path);
    case FILE_READ_OPEN:
    case FILE_READ_FAILED:
    case FILE_READ_STOPPED:
    case FILE_READ_BINARY:
    case FILE_READ_CHANGED:
    default:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read the cover %s: %s", path,
                               strerror(info.errno_value ? info.errno_value : EIO));
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        free(data);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the cover %s",
                               path);
    }
    if (cover_parse((const unsigned char *)data, size, c, &why) != ALOUD_OK) {
        free(data);
        free(c);
        return aloud_error_set(err, why.status, 0, 0, "the cover %s: %s", path, why.message);
    }
    c->data = (unsigned char *)data;
    c->size = size;
    *out = c;
    return ALOUD_OK;
}

void cover_free(cover_image *cover)
{
    if (!cover)
        return;
    free(cover->data);
    free(cover);
}

aloud_status aloud_cover_check(const char *path, aloud_error *err)
{
    cover_image *c = NULL;
    aloud_status st = cover_load(path, &c, err);

    cover_free(c);
    return st;
}
