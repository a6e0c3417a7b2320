/*
 * outfile.h - write to a temporary name beside the destination, rename on
 * success (private to libaloud). A failed run removes only what it created
 * and never touches an existing file at the destination.
 */
#ifndef ALOUD_OUTFILE_H
#define ALOUD_OUTFILE_H

#include "aloud.h"

typedef struct outfile outfile;

/*
 * Reserves a temporary file in the folder of `dest` (borrowed; copied) with
 * the permissions a new file would get. Fails with ALOUD_ERR_WRITE.
 */
aloud_status outfile_create(const char *dest, outfile **out, aloud_error *err);

/* The temporary path to write to; owned by `of`. */
const char *outfile_temp_path(const outfile *of);

/* Renames the temporary file over the destination and frees `of`. */
aloud_status outfile_commit(outfile *of, aloud_error *err);

/* Removes the temporary file and frees `of`. NULL is a no-op. */
void outfile_discard(outfile *of);

#endif /* ALOUD_OUTFILE_H */
