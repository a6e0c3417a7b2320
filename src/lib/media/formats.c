/*
 * formats.c - the table of audio writers and the public lookups over it.
 *
 * Adding a container means adding one entry here; callers pick by name or
 * extension and never name a writer directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aloud.h"
#include "ascii.h"
#include "writer.h"

const aloud_format *const writer_formats[] = {
    &writer_wav,
    &writer_flac,
    &writer_opus,
    &writer_mp3,
    NULL,
};

const aloud_format *aloud_format_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; writer_formats[i]; i++) {
        if (strcmp(writer_formats[i]->name, name) == 0)
            return writer_formats[i];
    }
    return NULL;
}

const aloud_format *aloud_format_by_path(const char *path)
{
    const char *slash;
    const char *dot;

    if (!path)
        return NULL;
    slash = strrchr(path, '/');
    dot = strrchr(slash ? slash + 1 : path, '.');
    /* A leading dot names a hidden file (".wav"), not an extension. */
    if (!dot || dot == (slash ? slash + 1 : path))
        return NULL;
    for (size_t i = 0; writer_formats[i]; i++) {
        if (ascii_eq_nocase(dot + 1, strlen(dot + 1), writer_formats[i]->extension))
            return writer_formats[i];
    }
    return NULL;
}

const char *aloud_format_name(const aloud_format *format)
{
    return format ? format->name : NULL;
}

const char *aloud_format_extension(const aloud_format *format)
{
    return format ? format->extension : NULL;
}

const aloud_format *aloud_format_at(size_t index)
{
    size_t count = sizeof writer_formats / sizeof writer_formats[0] - 1;

    return index < count ? writer_formats[index] : NULL;
}

char *writer_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/*
 * An empty file is opened as it is, not truncated: on ext4 a truncation,
 * even of an empty file, makes close() start writeback of everything
 * written since, in the closing process (auto_da_alloc). That cost 75-107 ms
 * at the end of a 250 MB render, with a core idle. The render always hands
 * the writers a fresh empty file.
 */
int writer_create_fd(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0 && (fstat(fd, &sb) != 0 || (sb.st_size > 0 && ftruncate(fd, 0) != 0))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *writer_create_file(const char *path)
{
    int fd = writer_create_fd(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

bool writer_write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        p += n;
        size -= (size_t)n;
    }
    return true;
}

char **writer_copy_titles(const writer_params *params)
{
    size_t n = params->chapter_count;
    char **titles = calloc(n ? n : 1, sizeof *titles);
    for (size_t i = 0; titles && i < n; i++) {
        const char *t = params->chapter_titles ? params->chapter_titles[i] : NULL;
        titles[i] = strdup(t ? t : "");
        if (!titles[i]) {
            writer_free_titles(titles, i);
            titles = NULL;
        }
    }
    return titles;
}

void writer_free_titles(char **titles, size_t count)
{
    if (!titles)
        return;
    for (size_t i = 0; i < count; i++)
        free(titles[i]);
    free(titles);
}

aloud_status writer_check_chapters(size_t count, const uint64_t *frames, uint64_t total,
                                   aloud_error *err)
{
    if (count && !frames)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no chapter positions given");
    for (size_t i = 0; i < count; i++) {
        if (frames[i] > total)
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "chapter %zu starts at frame %" PRIu64 ", past the end (%" PRIu64
                                   ")",
                                   i + 1, frames[i], total);
        if (i > 0 && frames[i] < frames[i - 1])
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "chapter %zu starts before chapter %zu", i + 1, i);
    }
    return ALOUD_OK;
}
