/* file_read.c - a whole file read into memory, up to a limit. */
#include "file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aloud.h"
#include "utf8.h"
#include "vec.h"

/* The first buffer: most inputs (articles, presets, lexicons) fit. */
#define FILE_READ_FIRST 65536u

/* Where the NUL at data[at] stands: lines end at LF, CRLF or CR, columns
 * count UTF-8 lead bytes (the text rules of utf8.h, on unchecked bytes). */
static void file_read_locate(const char *data, size_t at, file_read_info *info)
{
    unsigned line = 1, column = 1;
    for (size_t i = utf8_bom_length(data, at); i < at; i++) {
        char c = data[i];
        if (c == '\n' || (c == '\r' && i + 1 < at && data[i + 1] != '\n')) {
            line++;
            column = 1;
        } else if (((unsigned char)c & 0xC0) != 0x80 && c != '\r') {
            column++;
        }
    }
    info->nul_line = line;
    info->nul_column = column;
}

/*
 * In text mode, the offset of the first NUL in buf[*scanned..n), or n when
 * there is none; *scanned moves on. A UTF-16 text (its BOM) is full of
 * NULs and is let through whole; until two bytes are there to tell, nothing
 * is scanned.
 */
static size_t file_read_find_nul(const char *buf, size_t n, bool at_end, size_t *scanned)
{
    if (n < 2 && !at_end)
        return n;
    if (utf16_bom(buf, n) != UTF16_NONE) {
        *scanned = n;
        return n;
    }
    const char *nul = memchr(buf + *scanned, '\0', n - *scanned);
    *scanned = n;
    return nul ? (size_t)(nul - buf) : n;
}

file_read_status file_read_from(FILE *f, const struct stat *opened, bool text, size_t limit,
                                const volatile sig_atomic_t *stop, char **data, size_t *size,
                                file_read_info *info)
{
    file_read_info scratch;
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;
    size_t scanned = 0;
    file_read_status st = FILE_READ_OK;

    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    info->file_size = -1;
    if (opened && S_ISREG(opened->st_mode) && (unsigned long long)opened->st_size > limit) {
        info->file_size = (long long)opened->st_size;
        return FILE_READ_TOO_LARGE;
    }
    for (;;) {
        size_t want, got;
        if (!vec_reserve(&buf, &cap, n + 1, 1, FILE_READ_FIRST)) {
            st = FILE_READ_NOMEM;
            break;
        }
        /* One byte past the limit is enough to know it is passed. */
        want = cap - n;
        if (want - 1 > limit - n)
            want = limit - n + 1;
        got = fread(buf + n, 1, want, f);
        n += got;
        /* Binary data is refused as soon as it shows: /dev/zero would
         * otherwise be read up to the limit. */
        size_t nul = text ? file_read_find_nul(buf, n, got < want && !ferror(f), &scanned) : n;
        if (nul < n) {
            file_read_locate(buf, nul, info);
            st = FILE_READ_BINARY;
            break;
        }
        if (n > limit) {
            st = FILE_READ_TOO_LARGE;
            break;
        }
        if (got < want && ferror(f) && errno == EINTR) {
            if (stop && *stop) {
                st = FILE_READ_STOPPED;
                break;
            }
            clearerr(f); /* a signal that does not stop us: read on */
            continue;
        }
        if (got < want)
            break;
    }
    if (st == FILE_READ_OK && ferror(f)) {
        info->errno_value = errno;
        st = FILE_READ_FAILED;
    }
    /*
     * Fewer bytes than the file held when opened: it was cut while we read
     * (a writer truncating it), and what we have is no whole text. It must
     * still be that short: sysfs gives every file a size of 4096 whatever
     * it holds, and a file that grew is read to where it ended.
     */
    struct stat now;
    if (st == FILE_READ_OK && opened && S_ISREG(opened->st_mode) &&
        (unsigned long long)opened->st_size > n && fstat(fileno(f), &now) == 0 &&
        now.st_size < opened->st_size) {
        info->file_size = (long long)opened->st_size;
        info->bytes_read = n;
        st = FILE_READ_CHANGED;
    }
    if (st != FILE_READ_OK) {
        free(buf);
        return st;
    }
    /* n <= limit < cap here or the loop would have gone on: room for the NUL. */
    buf[n] = '\0';
    *data = buf;
    *size = n;
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

/* Opens path (stdin for NULL), refuses a directory, and reads. */
static file_read_status file_read_path(const char *path, bool text, size_t limit,
                                       const volatile sig_atomic_t *stop, char **data,
                                       size_t *size, file_read_info *info)
{
    file_read_info scratch;
    FILE *f = path ? file_read_open(path, stop) : stdin;
    struct stat sb;
    file_read_status st;

    if (!info)
        info = &scratch;
    if (!f) {
        memset(info, 0, sizeof *info);
        info->file_size = -1;
        info->errno_value = errno;
        return errno == EINTR ? FILE_READ_STOPPED : FILE_READ_OPEN;
    }
    /* Where fstat fails the read finds out what is wrong. */
    if (fstat(fileno(f), &sb) != 0)
        sb.st_mode = 0;
    if (S_ISDIR(sb.st_mode)) {
        memset(info, 0, sizeof *info);
        info->file_size = -1;
        info->errno_value = EISDIR;
        st = FILE_READ_DIRECTORY;
    } else {
        st = file_read_from(f, &sb, text, limit, stop, data, size, info);
    }
    if (path)
        fclose(f);
    return st;
}

file_read_status file_read(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                           char **data, size_t *size, file_read_info *info)
{
    return file_read_path(path, false, limit, stop, data, size, info);
}

file_read_status file_read_text(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                                char **data, size_t *size, file_read_info *info)
{
    return file_read_path(path, true, limit, stop, data, size, info);
}

/* Reads `path` as a text (`text`) or as bytes, with aloud_read_input()'s messages. */
static aloud_status file_read_public(const char *path, bool text, size_t limit,
                                     const volatile sig_atomic_t *stop, char **data, size_t *size,
                                     aloud_error *err)
{
    file_read_info info;
    file_read_status st;

    if (!path || !data || !size)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no path or nowhere to put the data");
    st = file_read_path(strcmp(path, "-") == 0 ? NULL : path, text, limit, stop, data, size,
                        &info);
    switch (st) {
    case FILE_READ_OK:
        return ALOUD_OK;
    case FILE_READ_OPEN:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open: %s",
                               strerror(info.errno_value));
    case FILE_READ_DIRECTORY:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "is a directory, not a %s file",
                               text ? "text" : "regular");
    case FILE_READ_TOO_LARGE:
        if (info.file_size >= 0)
            return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                                   "%lld bytes is more than the input limit of %zu",
                                   info.file_size, limit);
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "more than the input limit of %zu bytes", limit);
    case FILE_READ_BINARY:
        return aloud_error_set(err, ALOUD_ERR_UTF8, info.nul_line, info.nul_column,
                               "a NUL byte: this is a binary file, not text");
    case FILE_READ_CHANGED:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0,
                               "changed while being read: %zu of its %lld bytes, and it is "
                               "shorter now (truncated by another program?)",
                               info.bytes_read, info.file_size);
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

aloud_status aloud_read_input(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                              char **data, size_t *size, aloud_error *err)
{
    return file_read_public(path, true, limit, stop, data, size, err);
}

aloud_status aloud_read_bytes(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                              char **data, size_t *size, aloud_error *err)
{
    return file_read_public(path, false, limit, stop, data, size, err);
}
