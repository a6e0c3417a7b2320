/*
 * media_read.c - reads duration, tags and chapters back from any format of
 * the table: opens the file, asks the table's readers which one it is, and
 * holds what the readers share (see media_read.h).
 *
 * The format is told by magic bytes, never by extension.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "aloud.h"
#include "media_read.h"
#include "utf8.h"
#include "writer.h"

/* ---------------------------------------------------------------- helpers */

uint16_t media_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t media_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t media_u64(const unsigned char *p)
{
    return (uint64_t)media_u32(p) | (uint64_t)media_u32(p + 4) << 32;
}

bool media_read_at(FILE *f, uint64_t offset, void *p, size_t n)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(f, (off_t)offset, SEEK_SET) != 0)
        return false;
    return fread(p, 1, n, f) == n;
}

/* Tags and labels come from other programs, and aloud.h promises UTF-8
 * (hence room for three bytes of U+FFFD per byte of input). */
char *media_text_dup(const void *p, size_t n)
{
    const char *src = p;
    const char *nul = memchr(p, 0, n);
    size_t len = nul ? (size_t)(nul - src) : n, w = 0;
    char *s = malloc(len * 3 + 1);

    if (!s)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t seq = utf8_next(src + i, len - i, &cp);

        if (seq == 0) {
            memcpy(s + w, "\xEF\xBF\xBD", 3);
            w += 3;
            i++;
        } else {
            memcpy(s + w, src + i, seq);
            w += seq;
            i += seq;
        }
    }
    s[w] = '\0';
    return s;
}

aloud_status media_nomem(aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory reading media");
}

aloud_status media_set_tag(char **slot, const void *p, size_t n, aloud_error *err)
{
    if (*slot)
        return ALOUD_OK;
    *slot = media_text_dup(p, n);
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

/* Stably, which qsort is not. */
aloud_status media_sort_chapters(aloud_chapter *c, size_t n, aloud_error *err)
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

/* ---------------------------------------------------------------- dispatch */

/* The first format whose reader claims the file, in table order; NULL for none. */
static const aloud_format *media_sniff(const media_file *file)
{
    const aloud_format *fmt;

    for (size_t i = 0; (fmt = aloud_format_at(i)) != NULL; i++) {
        if (fmt->sniff(file))
            return fmt;
    }
    return NULL;
}

/* "%s is not a WAV, FLAC, Ogg Opus or MP3 file", the names from the table. */
static aloud_status media_unknown(const char *path, aloud_error *err)
{
    char names[128];
    size_t len = 0;
    const aloud_format *fmt;

    names[0] = '\0';
    for (size_t i = 0; (fmt = aloud_format_at(i)) != NULL && len < sizeof names; i++) {
        const char *sep = i == 0 ? "" : aloud_format_at(i + 1) ? ", " : " or ";
        int n = snprintf(names + len, sizeof names - len, "%s%s", sep, fmt->label);

        if (n < 0)
            break;
        len += (size_t)n;
    }
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "%s is not a %s file", path, names);
}

aloud_status aloud_media_read(const char *path, aloud_media **out, aloud_error *err)
{
    media_file file;
    off_t size = 0;
    aloud_media *m;
    aloud_status st;
    const aloud_format *fmt;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the media");
    *out = NULL;
    if (!path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no file to read");
    memset(&file, 0, sizeof file);
    file.path = path;
    file.f = fopen(path, "rb");
    if (!file.f)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open %s: %s", path,
                               strerror(errno));
    file.head_size = fread(file.head, 1, sizeof file.head, file.f);
    m = calloc(1, sizeof *m);
    if (!m)
        st = media_nomem(err);
    else if (ferror(file.f))
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read %s: %s", path,
                             strerror(errno));
    else if (fseeko(file.f, 0, SEEK_END) != 0 || (size = ftello(file.f)) < 0)
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot find the size of %s", path);
    else {
        file.size = (uint64_t)size;
        fmt = media_sniff(&file);
        st = fmt ? fmt->read(&file, m, err) : media_unknown(path, err);
        if (st == ALOUD_OK)
            snprintf(m->format, sizeof m->format, "%s", fmt->name);
    }
    fclose(file.f);
    if (st != ALOUD_OK) {
        aloud_media_free(m);
        return st;
    }
    *out = m;
    return ALOUD_OK;
}
