/*
 * segenc.h - a spooled stream encoded in parallel segments cut inside
 * digital silence (private to libaloud; used by the Opus, MP3 and M4B/M4A
 * writers).
 *
 * A writer spools its PCM (16-bit interleaved) to a file, and the cut
 * finder (segenc_cuts) follows it as it goes by; at close:
 *   1. segenc_plan() gives the segments: they are cut on a multiple of the
 *      codec's frame, in the middle of runs of exact digital silence with
 *      at least `margin` frames of silence on each side, at least `min_gap`
 *      frames apart. Where they fall depends on the audio alone, never on
 *      the number of threads, so the file is the same for any.
 *   2. segenc_run() calls the writer's encode callback once per segment,
 *      in threads (each with a fresh encoder of the writer's making), at
 *      most two segments in flight per thread, and hands each segment's
 *      bytes to the writer's sink callback in order, on the calling
 *      thread, as soon as it and all before it are done.
 *
 * Memory: the cut list (8 bytes per cut) and the encoded bytes of at most
 * 2 x threads segments.
 *
 * ALOUD_ENCODE_WHOLE=1 in the environment makes segenc_plan() plan one
 * segment, so one encoder runs through: for the benches and tests that
 * compare the two.
 */
#ifndef ALOUD_SEGENC_H
#define ALOUD_SEGENC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aloud.h"

/* The most threads segenc_run() starts. */
#define SEGENC_MAX_THREADS 16u

/*
 * Where a stream of `channels` interleaved 16-bit samples may be cut,
 * found as it goes by: positions on a multiple of `unit` (0: nowhere),
 * each in the middle of a run of zero samples that reaches at least
 * `margin` frames before and after it, at least `min_gap` frames after the
 * previous cut (or the start).
 */
typedef struct segenc_cuts {
    unsigned channels;
    uint64_t unit, margin, min_gap;
    uint64_t pos;              /* frames followed */
    uint64_t run_start;        /* where the current run of silent frames began */
    uint64_t last;             /* the last cut, 0 before the first */
    uint64_t *at;              /* the cuts so far, ascending */
    size_t count, cap;
} segenc_cuts;

void segenc_cuts_init(segenc_cuts *c, unsigned channels, uint64_t unit, uint64_t margin,
                      uint64_t min_gap);
void segenc_cuts_free(segenc_cuts *c);

/* Follows `frames` more frames; false when out of memory. */
bool segenc_cuts_feed(segenc_cuts *c, const int16_t *pcm, size_t frames);

/*
 * The end of a writer's spool: flushes it, gives its descriptor in *fd (to
 * read with segenc_read()), and the segments in *bounds: segment s is
 * [bounds[s], bounds[s + 1]), *count of them, bounds[0] = 0 and
 * bounds[*count] = `frames`, with the cuts `cuts` found (and the run of
 * silence at the end) between. *bounds is malloc'd and the caller's.
 * ALOUD_ERR_WRITE when the spool cannot be flushed, ALOUD_ERR_NOMEM.
 */
aloud_status segenc_plan(FILE *spool, segenc_cuts *cuts, uint64_t frames, int *fd,
                         uint64_t **bounds, size_t *count, aloud_error *err);

/*
 * Reads frames [first, first + count) of the spool into `out` (count x
 * channels samples), with zeros for the frames before 0 or from `frames`
 * on. False when the file cannot be read. Safe in any thread.
 */
bool segenc_read(int fd, uint64_t frames, unsigned channels, int64_t first, size_t count,
                 int16_t *out);

/*
 * segenc_read() in an encode callback: ALOUD_ERR_CANCELLED with `err` set
 * once *stop (may be NULL) is non-zero, ALOUD_ERR_WRITE when the spool
 * cannot be read.
 */
aloud_status segenc_read_part(int fd, uint64_t frames, unsigned channels, int64_t first,
                              size_t count, int16_t *out, const volatile sig_atomic_t *stop,
                              aloud_error *err);

/*
 * A writer's write(): appends `frames` frames of `channels` samples to its
 * spool, counts them in *spooled and has `cuts` follow them; a failure
 * names `path`, the output.
 */
aloud_status segenc_spool(FILE *spool, segenc_cuts *cuts, const int16_t *pcm, size_t frames,
                          unsigned channels, uint64_t *spooled, const char *path,
                          aloud_error *err);

/* One segment's encoded bytes: packets (or frames) back to back. */
typedef struct segenc_out {
    unsigned char *data;
    size_t size, cap;
    uint32_t *lens;            /* each packet's size, when the encoder gives packets */
    int64_t *stamps;           /* and a number per packet (say its time stamp) */
    size_t count, lens_cap, stamps_cap;
} segenc_out;

/* Appends `size` bytes to `out`; false when out of memory. */
bool segenc_put(segenc_out *out, const void *data, size_t size);

/* Appends one packet: its bytes, its size and `stamp` in the lists. */
bool segenc_put_packet(segenc_out *out, const void *data, size_t size, int64_t stamp);

/*
 * Encodes segment `index` (of the caller's plan, which `ctx` knows) into
 * `out`, on a thread of its own; returns ALOUD_OK or an error with `err`
 * set. Called at most once per segment, concurrently for different ones.
 */
typedef aloud_status (*segenc_encode_fn)(void *ctx, size_t index, segenc_out *out,
                                         aloud_error *err);

/* Takes segment `index`'s bytes; called in index order on segenc_run()'s thread. */
typedef aloud_status (*segenc_sink_fn)(void *ctx, size_t index, const segenc_out *out,
                                       aloud_error *err);

/*
 * Encodes `count` segments with `threads` threads (1 to SEGENC_MAX_THREADS;
 * fewer when there are fewer segments) and sinks them in order. Stops at
 * the first failure (of an encode or of the sink, whichever segment comes
 * first in order) and returns it; when `stop` is set and becomes non-zero,
 * stops with ALOUD_ERR_CANCELLED. `ctx` is handed to both callbacks.
 */
aloud_status segenc_run(size_t count, unsigned threads, segenc_encode_fn encode,
                        segenc_sink_fn sink, void *ctx, const volatile sig_atomic_t *stop,
                        aloud_error *err);

/* The threads to use for `segments` segments: the processors online, at most
 * SEGENC_MAX_THREADS, at most `segments`, at least 1. */
unsigned segenc_thread_count(size_t segments);

#endif /* ALOUD_SEGENC_H */
