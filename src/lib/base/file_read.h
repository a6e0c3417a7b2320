/*
 * file_read.h - a whole file read into memory, up to a limit (private to
 * libaloud; the ground floor). The callers word their own messages from
 * the reason; the public aloud_read_input() (aloud.h) is built on it.
 */
#ifndef ALOUD_FILE_READ_H
#define ALOUD_FILE_READ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Why a read failed. */
typedef enum file_read_status {
    FILE_READ_OK = 0,
    FILE_READ_OPEN,       /* the file cannot be opened (errno_value says why) */
    FILE_READ_DIRECTORY,  /* the path names a directory (errno_value is EISDIR) */
    FILE_READ_TOO_LARGE,  /* more than `limit` bytes */
    FILE_READ_FAILED,     /* a read error (errno_value says why) */
    FILE_READ_NOMEM,      /* out of memory */
    FILE_READ_STOPPED,    /* a signal interrupted the open or a read, and *stop was set */
    FILE_READ_BINARY,     /* text mode: a NUL byte, at nul_line:nul_column */
    FILE_READ_CHANGED     /* a regular file ended before the size it had when opened
                           * (file_size), and is shorter now: cut while being read */
} file_read_status;

/* What went wrong beyond the status. */
typedef struct file_read_info {
    int errno_value;      /* for FILE_READ_OPEN, _DIRECTORY and _FAILED; else 0 */
    long long file_size;  /* FILE_READ_TOO_LARGE found before reading, FILE_READ_CHANGED: the
                           * size the file system gave at the open; else -1 */
    size_t bytes_read;    /* FILE_READ_CHANGED: how many bytes there were */
    unsigned nul_line;    /* FILE_READ_BINARY: where the NUL is (1-based; lines end at LF, */
    unsigned nul_column;  /* CRLF or CR, columns count characters as utf8.h does) */
} file_read_info;

/*
 * Reads the whole file at `path`, or standard input when `path` is NULL,
 * refusing more than `limit` bytes without reading further than one byte
 * past it (a regular file is refused by its size before any read).
 * Exactly `limit` bytes is accepted. On FILE_READ_OK, *data (taken over by
 * the caller, to free()) holds *size bytes followed by a NUL that *size
 * does not count. On failure *data and *size are untouched, nothing is
 * left allocated and `info` (may be NULL) says more. Standard input is
 * read from where it stands and left open; a file is closed.
 * Opening a FIFO waits for a writer and reading one or a terminal waits for
 * data: a signal that interrupts either (EINTR) ends the read with
 * FILE_READ_STOPPED when `stop` (may be NULL) points to a non-zero flag,
 * and is otherwise waited through.
 */
file_read_status file_read(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                           char **data, size_t *size, file_read_info *info);

/*
 * file_read() for a text: a NUL byte, which no text holds, ends the read at
 * once with FILE_READ_BINARY and its position (so /dev/zero is refused
 * after one block, not at the limit). A text that starts with a UTF-16
 * byte order mark (utf16_bom) is read whole, NULs and all.
 */
file_read_status file_read_text(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                                char **data, size_t *size, file_read_info *info);

/*
 * What both do once the file is open: reads the stream `f` (borrowed, left
 * open) to its end, as a text when `text` is true. `opened` (may be NULL)
 * is the fstat() taken at the open: a regular file larger than `limit` is
 * refused by it before any read, and one that ends short of it and is
 * shorter now gives FILE_READ_CHANGED.
 */
file_read_status file_read_from(FILE *f, const struct stat *opened, bool text, size_t limit,
                                const volatile sig_atomic_t *stop, char **data, size_t *size,
                                file_read_info *info);

#endif /* ALOUD_FILE_READ_H */
