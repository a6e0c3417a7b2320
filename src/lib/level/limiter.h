/*
 * limiter.h - a gain and a look-ahead true-peak limiter for 16-bit mono
 * speech (private to libaloud).
 *
 * The limiter multiplies the signal by a fixed gain (the loudness
 * normalisation) and, where that would put a true peak (the 4x oversampled
 * waveform, as ITU-R BS.1770 measures it) above the ceiling, by a smooth
 * gain below 1 that starts falling before the peak (look-ahead) and climbs
 * back linearly afterwards. It never clips.
 *
 * How it works, per input sample i:
 *   need(i)  the largest gain that keeps the oversampled peaks around i (the
 *            sample and the three points between it and each neighbour,
 *            interpolated) under the ceiling, 1 when they already are;
 *   lo(k)    the least need() over the look-ahead window [k, k + L);
 *   env(k)   min(lo(k), env(k - 1) + release step, 1);
 *   gain(j)  the mean of env over [j - L + 1, j].
 * Each env(k) in the mean is at most need(j) (j lies in k's window), so
 * gain(j) <= need(j): the ceiling holds at every sample, and the gain moves
 * by at most 1/L of its range per sample, with no step. The gains are
 * integers (Q16), so the mean is exact.
 *
 * The reset property. After `limiter_reset_frames()` frames of digital
 * silence the limiter is in its fresh state (as if preceded by nothing but
 * silence): its output from then on is the same as a fresh limiter's fed the
 * rest. And what it makes of a segment needs nothing of what follows but
 * limiter_tail_frames() frames, which are silence at a cut in silence. So a
 * signal cut inside runs of silence at least limiter_reset_frames() +
 * limiter_tail_frames() long, and each piece shaped by a fresh limiter
 * (limiter_flush() at its end), gives the very same samples as shaping it
 * whole: pieces can be shaped (and encoded) apart, in any order.
 *
 * Floating point is used only in the per-sample products, the same
 * operations in the same order for the same input: the output is a pure
 * function of the input and the settings.
 *
 * Most of speech stays far below the ceiling after the gain. The limiter
 * then skips work without changing a sample: a calm stretch (full gain,
 * nothing near loud enough to matter) is only scaled, by a table, and the
 * interpolation is left out where a cheap bound shows it under the ceiling.
 * tests/unit/test_limiter_exact.c checks the output against the plain
 * one-sample-at-a-time limiter (tests/unit/limiter_ref.c).
 */
#ifndef ALOUD_LIMITER_H
#define ALOUD_LIMITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct limiter limiter;

/*
 * A limiter at `sample_rate` Hz applying `gain_db`, keeping true peaks at
 * or below `ceiling_dbtp` (dB relative to full scale). NULL when out of
 * memory or for a sample rate of 0. Free with limiter_free().
 */
limiter *limiter_create(unsigned sample_rate, double gain_db, double ceiling_dbtp);
void limiter_free(limiter *lim);

/* Frames of delay: out[] lags in[] by this much. */
size_t limiter_latency(const limiter *lim);

/* Frames of silence after which the limiter is in its fresh state. */
size_t limiter_reset_frames(const limiter *lim);

/* Frames past a sample that its output depends on. */
size_t limiter_tail_frames(const limiter *lim);

/*
 * Shapes `frames` samples of `in` into `out` (may be the same buffer).
 * Returns how many samples it wrote to `out`: the input delayed by
 * limiter_latency(), so fewer than `frames` at the start.
 */
size_t limiter_run(limiter *lim, const int16_t *in, int16_t *out, size_t frames);

/*
 * Writes the last limiter_latency() samples still inside (the input ends
 * with silence) to `out`, which has room for them, and returns how many;
 * the limiter is fresh again.
 */
size_t limiter_flush(limiter *lim, int16_t *out);

/* The largest absolute sample the limiter has written, for peak tags. */
int limiter_peak(const limiter *lim);

#endif /* ALOUD_LIMITER_H */
