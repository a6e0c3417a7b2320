/*
 * file_read.h - a whole file read into memory, up to a limit (private to
 * libaloud; the ground floor). The callers word their own messages from
 * the reason; the public aloud_read_input() (aloud.h) is built on it.
 */
#ifndef ALOUD_FILE_READ_H
#define ALOUD_FILE_READ_H

#include <signal.h>
#include <stddef.h>

/* Why a read failed. */
typedef enum file_read_status {
    FILE_READ_OK = 0,
    FILE_READ_OPEN,       /* the file cannot be opened (errno_value says why) */
    FILE_READ_DIRECTORY,  /* the path names a directory (errno_value is EISDIR) */
    FILE_READ_TOO_LARGE,  /* more than `limit` bytes */
    FILE_READ_FAILED,     /* a read error (errno_value says why) */
    FILE_READ_NOMEM,      /* out of memory */
    FILE_READ_STOPPED     /* a signal interrupted the open or a read, and *stop was set */
} file_read_status;

/* What went wrong beyond the status. */
typedef struct file_read_info {
    int errno_value;      /* for FILE_READ_OPEN, _DIRECTORY and _FAILED; else 0 */
    long long file_size;  /* FILE_READ_TOO_LARGE found before reading: the size the
                           * file system gives; -1 when the excess was found by reading */
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

#endif /* ALOUD_FILE_READ_H */
