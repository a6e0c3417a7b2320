/*
 * media_read.h - reading audio files back (private to libaloud): what the
 * readers share. aloud_media_read() (media_read.c) opens the file and asks
 * the format table's readers, in order, which one it is; each container's
 * sniff and read live in its own file (read_wav.c, read_flac.c, read_ogg.c,
 * read_mp3.c, read_mp4.c) and its table entry points to them.
 *
 * A file that is cut short or malformed gives ALOUD_ERR_MEDIA with the
 * reason, never a crash: every length is checked against the file.
 */
#ifndef ALOUD_MEDIA_READ_H
#define ALOUD_MEDIA_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aloud.h"

/* Metadata loaded whole is capped: a 64 MiB label list or tag is not ours. */
#define MEDIA_MAX_META_CHUNK (64u * 1024u * 1024u)

/* Bytes of a file's start handed to the sniffers. */
#define MEDIA_HEAD_SIZE 12u

/* An open file being read; all borrowed from aloud_media_read(). */
typedef struct media_file media_file;
struct media_file {
    const char *path;                      /* as the caller named it */
    FILE *f;                               /* open for reading; position unspecified */
    uint64_t size;                         /* bytes in the file */
    unsigned char head[MEDIA_HEAD_SIZE];   /* its first bytes */
    size_t head_size;                      /* how many of them there are (a short file) */
};

/* ------------------------------------------------------- shared helpers */

/* Little-endian integers at p. */
uint16_t media_u16(const unsigned char *p);
uint32_t media_u32(const unsigned char *p);
uint64_t media_u64(const unsigned char *p);

/* Reads exactly `n` bytes at `offset` into p; false on a short read or error. */
bool media_read_at(FILE *f, uint64_t offset, void *p, size_t n);

/*
 * A NUL-terminated copy of p[0..n) up to its first NUL, as UTF-8: a byte that
 * does not start a valid sequence becomes U+FFFD. NULL without memory; the
 * caller frees it. Every tag and title a reader copies from a file goes
 * through it.
 */
char *media_text_dup(const void *p, size_t n);

/* ALOUD_ERR_NOMEM with the readers' message. */
aloud_status media_nomem(aloud_error *err);

/* Sets *slot to a copy of p[0..n) up to its first NUL, unless it is set
 * already (the first tag of a kind wins). ALOUD_ERR_NOMEM on failure. */
aloud_status media_set_tag(char **slot, const void *p, size_t n, aloud_error *err);

/* Sorts chapters by start, keeping the file's order for equal starts. */
aloud_status media_sort_chapters(aloud_chapter *chapters, size_t count, aloud_error *err);

/* ------------------------------------------- Vorbis comments (FLAC, Opus) */

/*
 * What a file's CHAPTERnnn comments (and, for FLAC, its cuesheet tracks)
 * say, merged by number as ffprobe does. Create with read_comments_create(),
 * feed it every comment, then turn it into chapters; free with
 * read_comments_free().
 */
typedef struct read_comments read_comments;

/* NULL when out of memory. */
read_comments *read_comments_create(void);
void read_comments_free(read_comments *rc);

/*
 * One NAME=value comment `e` of `len` bytes (not NUL-terminated): TITLE,
 * ARTIST and ENCODER/SOFTWARE go to m's tags, CHAPTERnnn and
 * CHAPTERnnnNAME to `rc`; others are ignored. ALOUD_ERR_NOMEM only.
 */
aloud_status read_comments_add(read_comments *rc, const char *e, size_t len, aloud_media *m,
                               aloud_error *err);

/* Cuesheet track `number` (1-254) starts at `frame`; the first word for a number wins. */
void read_comments_track(read_comments *rc, unsigned number, uint64_t frame);

/* Fills m->chapters from what was fed, at m->sample_rate, sorted by start. */
aloud_status read_comments_chapters(read_comments *rc, aloud_media *m, aloud_error *err);

/* ------------------------------------------ the readers, one per container */

bool read_wav_sniff(const media_file *file);
aloud_status read_wav_read(const media_file *file, aloud_media *m, aloud_error *err);

bool read_flac_sniff(const media_file *file);
aloud_status read_flac_read(const media_file *file, aloud_media *m, aloud_error *err);

bool read_ogg_sniff(const media_file *file);
aloud_status read_ogg_read(const media_file *file, aloud_media *m, aloud_error *err);

bool read_mp3_sniff(const media_file *file);
aloud_status read_mp3_read(const media_file *file, aloud_media *m, aloud_error *err);

/* MP4 (read_mp4.c): read_m4b_sniff claims the M4B brand only, read_mp4_sniff any
 * MP4 file; both are read by read_mp4_read. */
bool read_m4b_sniff(const media_file *file);
bool read_mp4_sniff(const media_file *file);
aloud_status read_mp4_read(const media_file *file, aloud_media *m, aloud_error *err);

#endif /* ALOUD_MEDIA_READ_H */
