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
 * any number of threads.
 */
#ifndef ALOUD_SHAPE_H
#define ALOUD_SHAPE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

typedef struct shape_cuts shape_cuts;

/* Cuts for audio at `sample_rate`; NULL when out of memory. */
shape_cuts *shape_cuts_create(unsigned sample_rate);
void shape_cuts_free(shape_cuts *c);

/* Follows `frames` more mono frames; false when out of memory. */
bool shape_cuts_feed(shape_cuts *c, const int16_t *pcm, size_t frames);

/* Hands a piece of shaped audio on; non-zero fails the run with *err set. */
typedef aloud_status (*shape_write_fn)(void *ctx, const int16_t *pcm, size_t frames,
                                       aloud_error *err);

/*
 * Shapes the `frames` mono frames of the file `fd` (read with pread) with
 * `gain_db` and a true-peak ceiling of `ceiling_db`, cut where `cuts` found,
 * and writes them in order through `write`. *peak gets the largest absolute
 * output sample. ALOUD_ERR_CANCELLED when *stop (may be NULL) becomes
 * non-zero, ALOUD_ERR_WRITE when the file cannot be read, ALOUD_ERR_NOMEM.
 */
aloud_status shape_run(int fd, uint64_t frames, const shape_cuts *cuts, unsigned sample_rate,
                       double gain_db, double ceiling_db, shape_write_fn write, void *ctx,
                       const volatile sig_atomic_t *stop, int *peak, aloud_error *err);

#endif /* ALOUD_SHAPE_H */
