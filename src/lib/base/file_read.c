/* file_read.c - a whole file read into memory, up to a limit. */
#include "file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aloud.h"
#include "vec.h"

/* The first buffer: most inputs (articles, presets, lexicons) fit. */
#define FILE_READ_FIRST 65536u

/* Reads f to its end into a new buffer; *len > limit means refused. */
static file_read_status file_read_stream(FILE *f, size_t limit, const volatile sig_atomic_t *stop,
                                         char **out, size_t *len, file_read_info *info)
{
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    for (;;) {
        size_t want, got;
        if (!vec_reserve(&buf, &cap, n + 1, 1, FILE_READ_FIRST)) {
            free(buf);
            return FILE_READ_NOMEM;
        }
        /* One byte past the limit is enough to know it is passed. */
        want = cap - n;
        if (want - 1 > limit - n)
            want = limit - n + 1;
        got = fread(buf + n, 1, want, f);
        n += got;
        if (n > limit) {
            free(buf);
            return FILE_READ_TOO_LARGE;
        }
        if (got < want && ferror(f) && errno == EINTR) {
            if (stop && *stop) {
                free(buf);
                return FILE_READ_STOPPED;
            }
            clearerr(f); /* a signal that does not stop us: read on */
            continue;
        }
        if (got < want)
            break;
    }
    if (ferror(f)) {
        info->errno_value = errno;
        free(buf);
        return FILE_READ_FAILED;
    }
    /* n <= limit < cap here or the loop would have gone on: room for the NUL. */
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return FILE_READ_OK;
}

/* fopen(), which waits for a writer on a FIFO: through signals, unless one stops us. */
static FILE *file_read_open(const char *path, const volatile sig_atomic_t *stop)
{
    FILE *f;
    while (!(f = fopen(path, "rb")) && errno == EINTR && !(stop && *stop))
        continue;
    return f;
}

file_read_status file_read(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                           char **data, size_t *size, file_read_info *info)
{
    file_read_info scratch;
    FILE *f = path ? file_read_open(path, stop) : stdin;
    struct stat sb;
    file_read_status st = FILE_READ_OK;
    char *buf = NULL;
    size_t len = 0;

    if (!info)
        info = &scratch;
    info->errno_value = 0;
    info->file_size = -1;
    if (!f) {
        info->errno_value = errno;
        return errno == EINTR ? FILE_READ_STOPPED : FILE_READ_OPEN;
    }
    /* Where fstat fails the read finds out what is wrong. */
    if (fstat(fileno(f), &sb) != 0)
        sb.st_mode = 0;
    if (S_ISDIR(sb.st_mode)) {
        info->errno_value = EISDIR;
        st = FILE_READ_DIRECTORY;
    } else if (S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > limit) {
        info->file_size = (long long)sb.st_size;
        st = FILE_READ_TOO_LARGE;
    } else {
        st = file_read_stream(f, limit, stop, &buf, &len, info);
    }
    if (path)
        fclose(f);
    if (st == FILE_READ_OK) {
        *data = buf;
        *size = len;
    }
    return st;
}

aloud_status aloud_read_input(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                              char **data, size_t *size, aloud_error *err)
{
    file_read_info info;
    file_read_status st;

    if (!path || !data || !size)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no path or nowhere to put the data");
    st = file_read(strcmp(path, "-") == 0 ? NULL : path, limit, stop, data, size, &info);
    switch (st) {
    case FILE_READ_OK:
        return ALOUD_OK;
    case FILE_READ_OPEN:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open: %s",
                               strerror(info.errno_value));
    case FILE_READ_DIRECTORY:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "is a directory, not a text file");
    case FILE_READ_TOO_LARGE:
        if (info.file_size >= 0)
            return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                                   "%lld bytes is more than the input limit of %zu",
                                   info.file_size, limit);
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "more than the input limit of %zu bytes", limit);
    case FILE_READ_FAILED:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read: %s",
                               strerror(info.errno_value));
    case FILE_READ_STOPPED:
        return aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
    case FILE_READ_NOMEM:
        break;
    }
    return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
}
