/*
 * writer.h - audio container writers (private to libaloud).
 *
 * Each output format is one entry in a table: its name, extension, what it
 * can carry, and open / write / close / abort. The render loop streams PCM
 * to write() and hands the chapter positions to close(), so a writer never
 * holds the whole audio.
 */
#ifndef ALOUD_WRITER_H
#define ALOUD_WRITER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aloud.h"

typedef struct writer writer;

typedef struct writer_params {
    unsigned sample_rate;
    unsigned channels;                   /* 1 */
    const char *title;                   /* tags; each may be NULL */
    const char *author;
    const char *software;
    size_t chapter_count;                /* known before any audio */
    const char *const *chapter_titles;   /* chapter_count entries, borrowed */
    unsigned bitrate;                    /* bits per second for lossy formats (Opus, MP3);
                                            0 for the format's default; others ignore it */
    const volatile sig_atomic_t *stop;   /* may be NULL; borrowed, read until close()
                                            returns: non-zero makes a long close() stop
                                            with ALOUD_ERR_CANCELLED */
} writer_params;

struct aloud_format {
    const char *name;         /* "wav" */
    const char *extension;    /* "wav", without the dot */
    const char *description;  /* one line for --help */
    size_t max_chapters;      /* chapters the container can name; SIZE_MAX for no limit */

    /* Creates `path` (which must not exist yet or is overwritten) for writing. */
    aloud_status (*open)(const char *path, const writer_params *params, writer **out,
                         aloud_error *err);
    /* Appends `frames` frames of interleaved 16-bit PCM. */
    aloud_status (*write)(writer *w, const int16_t *pcm, size_t frames, aloud_error *err);
    /*
     * Finishes the file: chapter i starts at chapter_frames[i] (ascending,
     * the first 0, params->chapter_count entries). Frees `w` whatever the
     * outcome; on failure the caller removes the file.
     */
    aloud_status (*close)(writer *w, const uint64_t *chapter_frames, aloud_error *err);
    /* Frees `w` without finishing; the caller removes the file. NULL is a no-op. */
    void (*abort)(writer *w);
};

/* Shared by the writers. */

/* A copy of `s`, NULL for NULL (or when out of memory). */
char *writer_strdup(const char *s);

/* Opens `path` for reading and writing, created with mode 0666 under the
 * umask or emptied; close-on-exec. -1 with errno set on failure. */
int writer_create_fd(const char *path);
/* The same as a "wb" stream; NULL with errno set on failure. */
FILE *writer_create_file(const char *path);
/* Writes all of `data`, retrying short writes; false with errno set. */
bool writer_write_all(int fd, const void *data, size_t size);

/* Copies of params' chapter titles ("" for a missing one), an array of at
 * least one entry; NULL when out of memory. Free with writer_free_titles(). */
char **writer_copy_titles(const writer_params *params);
void writer_free_titles(char **titles, size_t count);

/* ALOUD_ERR_ARG unless the `count` chapter starts ascend (equal starts
 * allowed) and lie within `total` frames. */
aloud_status writer_check_chapters(size_t count, const uint64_t *frames, uint64_t total,
                                   aloud_error *err);

/* The table, NULL-terminated. */
extern const aloud_format *const writer_formats[];

extern const aloud_format writer_wav;
extern const aloud_format writer_flac;
extern const aloud_format writer_opus;
extern const aloud_format writer_mp3;

#endif /* ALOUD_WRITER_H */
