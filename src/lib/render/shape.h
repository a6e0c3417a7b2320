/*
 * shape.h - the gain and the limiter applied to a render's spooled audio,
 * piece by piece in threads (private to libaloud).
 *
 * The limiter is in its fresh state after limiter_reset_frames() of silence
 * and looks limiter_tail_frames() ahead (limiter.h), so audio cut inside
 * silence long enough for both, each piece shaped by a fresh limiter, is
 * the same as audio shaped whole. shape_cuts finds such cuts as the audio
 * arrives; shape_run shapes the pieces in threads and hands them to the
 * writer in order. The pieces depend on the audio alone: the same bytes for
 * any number of threads. A writer that encodes pieces apart (a FLAC stream's
 * blocks) gets cuts at multiples of its block and encodes each piece in the
 * thread that shaped it.
 */
#ifndef ALOUD_SHAPE_H
#define ALOUD_SHAPE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"
#include "segenc.h"

/* The cuts are segenc's (segenc.h), on mono audio, with the silence the
 * limiter needs on each side and SHAPE_PIECE_MIN_S seconds apart. */
typedef segenc_cuts shape_cuts;

/* Cuts for audio at `sample_rate`, each at a multiple of `align` frames
 * (0 or 1 for anywhere); NULL when out of memory. */
shape_cuts *shape_cuts_create(unsigned sample_rate, unsigned align);
void shape_cuts_free(shape_cuts *c);

/* Follows `frames` more mono frames; false when out of memory. */
bool shape_cuts_feed(shape_cuts *c, const int16_t *pcm, size_t frames);

/* Where shaped pieces go. */
typedef struct shape_output {
    /* Hands a piece of shaped audio on, in order, with what encode() made of
     * it (taken over; NULL without encode()); non-zero fails the run with
     * *err set. */
    aloud_status (*write)(void *ctx, const int16_t *pcm, size_t frames, void *coded,
                          aloud_error *err);
    /* Optional: run in the shaping thread on the piece that starts at frame
     * `first`, beside other pieces' and beside write(); *coded is handed to
     * write(), or to discard() when the run fails first. */
    aloud_status (*encode)(void *ctx, uint64_t first, const int16_t *pcm, size_t frames,
                           void **coded, aloud_error *err);
    void (*discard)(void *ctx, void *coded);
    void *ctx;
} shape_output;

/*
 * Shapes the `frames` mono frames of the file `fd` (read with pread) with
 * `gain_db` and a true-peak ceiling of `ceiling_db`, cut where `cuts` found,
 * and hands them to `out` (borrowed). *peak gets the largest absolute
 * output sample. ALOUD_ERR_CANCELLED when *stop (may be NULL) becomes
 * non-zero, ALOUD_ERR_WRITE when the file cannot be read, ALOUD_ERR_NOMEM,
 * or what out's functions return.
 */
aloud_status shape_run(int fd, uint64_t frames, const shape_cuts *cuts, unsigned sample_rate,
                       double gain_db, double ceiling_db, const shape_output *out,
                       const volatile sig_atomic_t *stop, int *peak, aloud_error *err);

#endif /* ALOUD_SHAPE_H */
