/*
 * writer.h - the format table and the audio container writers (private to
 * libaloud).
 *
 * Each container is one entry of the table (formats.c), the only place that
 * describes it: its names, its limits (chapters, bitrate), its writer and its
 * reader. The render loop streams PCM to the writer's write() and hands the
 * chapter positions to close(), so a writer never holds the whole audio;
 * writers read their own limits from their entry.
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
typedef struct cover_image cover_image;  /* cover.h */

/* What a render did to the level, for the formats that carry gain tags. */
typedef struct writer_gain {
    double loudness;     /* the file's integrated loudness, LUFS */
    double peak;         /* its largest sample, linear, 0..1 (an upper bound) */
} writer_gain;

/* The ReplayGain 2.0 reference level and Opus's R128 reference (RFC 7845). */
#define WRITER_REPLAYGAIN_REFERENCE (-18.0)
#define WRITER_R128_REFERENCE (-23.0)

typedef struct writer_params {
    unsigned sample_rate;
    unsigned channels;                   /* 1 */
    const char *title;                   /* tags; each may be NULL */
    const char *author;
    const char *software;
    size_t chapter_count;                /* known before any audio; at most the format's
                                            chapter_cap (the render groups paragraphs) */
    const char *const *chapter_titles;   /* chapter_count entries, borrowed */
    unsigned bitrate;                    /* bits per second for lossy formats (Opus, MP3);
                                            0 for the format's default; others ignore it */
    const volatile sig_atomic_t *stop;   /* may be NULL; borrowed, read until close()
                                            returns: non-zero makes a long close() stop
                                            with ALOUD_ERR_CANCELLED */
    const writer_gain *gain;             /* NULL for no gain tags; borrowed, read by open() */
    const cover_image *cover;            /* the front cover; NULL for none; borrowed, and
                                            lives until close() or abort() returns */
} writer_params;

/* A piece of the stream encoded apart (see writer_ops' piece functions). */
typedef struct writer_piece writer_piece;

/* A writer: open / write / close / abort. */
typedef struct writer_ops {
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

    /*
     * Optional, all four or none (0 and NULLs): the audio encoded in pieces
     * apart, in threads, then joined in order into the very stream write()
     * would have made of it. Pieces start at multiples of piece_frames
     * frames from the first; a writer takes either write() or pieces, not
     * both.
     */
    unsigned piece_frames;
    /* Encodes the `frames` frames of `pcm` that start at frame `first` of
     * the stream into *out (the caller's, free with free_piece). Reads only
     * what open() set up: any number may run at once, beside write_piece().
     * ALOUD_ERR_NOMEM, ALOUD_ERR_WRITE when the encoder fails. */
    aloud_status (*encode_piece)(const writer *w, uint64_t first, const int16_t *pcm,
                                 size_t frames, writer_piece **out, aloud_error *err);
    /* Appends the next piece, encoded from `pcm` (`frames` frames, borrowed),
     * which is the stream's next audio; takes `piece` over. */
    aloud_status (*write_piece)(writer *w, writer_piece *piece, const int16_t *pcm,
                                size_t frames, aloud_error *err);
    /* NULL is a no-op. */
    void (*free_piece)(writer_piece *piece);
} writer_ops;

/* An open file handed to the readers; declared in media_read.h. */
typedef struct media_file media_file;

struct aloud_format {
    const char *name;         /* "wav": what --format takes and aloud_media.format says */
    const char *extension;    /* "wav", without the dot: the one written and recognised */
    const char *label;        /* "WAV", "Ogg Opus": the container's name in messages */
    /* The most chapters a file holds, the format's or its common readers'
     * hard limit; a render of more paragraphs groups them (chapter_plan.h).
     * WAV's is out of reach. */
    size_t chapter_cap;
    /* Bitrate range and default in bits per second; all 0 for a lossless
     * format, which takes none. */
    unsigned bitrate_min;
    unsigned bitrate_max;
    unsigned bitrate_default;
    /* The only bitrates, in kb/s and 0-terminated, the format takes at a
     * sample rate (MP3's frame header indexes a table per MPEG version);
     * NULL for any whole kb/s in [bitrate_min, bitrate_max]. */
    const unsigned *(*bitrate_steps)(unsigned sample_rate);
    const writer_ops *writer;
    /* True when the file's first bytes are this container's. The readers are
     * asked in table order and the first that claims a file reads it. */
    bool (*sniff)(const media_file *file);
    /* Reads the duration, tags and chapters of a sniffed file into `m` (all
     * but m->format); ALOUD_ERR_MEDIA with the reason for a bad file. */
    aloud_status (*read)(const media_file *file, aloud_media *m, aloud_error *err);
};

/* The table, in this order (FLAC before MP3: an ID3v2 tag may precede either). */
extern const aloud_format formats_wav;
extern const aloud_format formats_flac;
extern const aloud_format formats_opus;
extern const aloud_format formats_mp3;
extern const aloud_format formats_m4b;
extern const aloud_format formats_m4a;

/* The writers the entries point to. */
extern const writer_ops writer_wav;
extern const writer_ops writer_flac;
extern const writer_ops writer_opus;
extern const writer_ops writer_mp3;
extern const writer_ops writer_m4b;
extern const writer_ops writer_m4a;

/* Shared by the writers. */

/*
 * The bitrate a writer of `format` uses for `requested` bits per second at
 * `sample_rate`: the format's default for 0. ALOUD_ERR_ARG for one the
 * format does not take there (aloud_format_bitrate_check, the one place the
 * values are checked), so always, but for 0, for a lossless format.
 */
aloud_status writer_bitrate(const aloud_format *format, unsigned sample_rate, unsigned requested,
                            unsigned *out, aloud_error *err);

/* A copy of `s`, NULL for NULL (or when out of memory). */
char *writer_strdup(const char *s);

/* Opens `path` for reading and writing, created with mode 0666 under the
 * umask or emptied; close-on-exec. -1 with errno set on failure. */
int writer_create_fd(const char *path);
/* The same as a "wb" stream; NULL with errno set on failure. */
FILE *writer_create_file(const char *path);
/* Creates a temporary file without a name beside `path` (same filesystem,
 * not a tmpfs /tmp that may be small) for reading and writing, so nothing is
 * left behind even if the process is killed (O_TMPFILE; where the
 * filesystem has none, a name unlinked at once, which the next run of the
 * same output removes if a kill came in between). */
aloud_status writer_create_spool(const char *path, FILE **out, aloud_error *err);

/* The ReplayGain strings for `gain`: "+1.00 dB" and "0.841395". */
void writer_replaygain(const writer_gain *gain, char *db, size_t db_size, char *peak,
                       size_t peak_size);

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

#endif /* ALOUD_WRITER_H */
