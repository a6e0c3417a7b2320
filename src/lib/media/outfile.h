/*
 * outfile.h - write to a temporary name beside the destination, rename on
 * success (private to libaloud). A failed run removes only what it created
 * and never touches an existing file at the destination.
 *
 * A temporary is named ".NAME.aloud-XXXXXXXXXX" in the destination's
 * folder, and its creator holds an flock() on it while it lives: the
 * kernel drops that lock when the process ends, even by SIGKILL, so a
 * temporary nobody holds is one a dead run left behind (outfile_sweep_stale).
 */
#ifndef ALOUD_OUTFILE_H
#define ALOUD_OUTFILE_H

#include <stdbool.h>
#include <time.h>

#include "aloud.h"

typedef struct outfile outfile;

/*
 * Reserves a temporary file in the folder of `dest` (borrowed; copied) with
 * the permissions a new file would get, and holds it locked until commit
 * or discard. Fails with ALOUD_ERR_WRITE (the reason first, then the path)
 * or ALOUD_ERR_NOMEM.
 */
aloud_status outfile_create(const char *dest, outfile **out, aloud_error *err);

/* The temporary path to write to; owned by `of`. */
const char *outfile_temp_path(const outfile *of);

/* Renames the temporary file over the destination and frees `of`; on
 * failure removes the temporary, frees `of` and returns ALOUD_ERR_WRITE. */
aloud_status outfile_commit(outfile *of, aloud_error *err);

/* Removes the temporary file and frees `of`. NULL is a no-op. */
void outfile_discard(outfile *of);

/*
 * Hard-links the file at `path` to a fresh temporary name beside it, so
 * that a commit can be undone. Returns the name (the caller frees it), or
 * NULL when there is nothing to keep or no link could be made (a
 * filesystem without hard links).
 */
char *outfile_keep(const char *path);

/*
 * Removes the temporaries of `dest` that a killed run left: files in its
 * folder with its temporary names, regular, owned by this user and locked
 * by no process. Call it holding the lock of the folder of `dest`, under
 * which temporaries are created, so none is caught between its creation and
 * its lock. Returns how many it removed.
 */
size_t outfile_sweep_stale(const char *dest);

/*
 * The folder of `path`, opened for outfile_folder_lock(); -1 when it cannot
 * be opened. Close it with outfile_folder_close(), which drops the lock.
 */
int outfile_folder_open(const char *path);

/*
 * Takes an exclusive flock() on the folder `fd` (from outfile_folder_open),
 * waiting for another holder; signals are waited through. A filesystem
 * without locks leaves it unlocked (best effort). -1 does nothing.
 * Whoever locks several folders locks them in one order (by device and
 * inode), so that two of them never wait for each other.
 */
void outfile_folder_lock(int fd);
void outfile_folder_close(int fd);

/*
 * `path` shortened in the middle ("/very/lo...name.flac") to fit in `size`
 * bytes with its NUL, cut on UTF-8 character boundaries, in `buf`, for an
 * error message of 256 bytes that must keep its reason. Returns buf.
 */
const char *outfile_brief(const char *path, char *buf, size_t size);

/* A brief path's buffer size: room for a reason beside it in a message. */
#define OUTFILE_BRIEF 120

#endif /* ALOUD_OUTFILE_H */
