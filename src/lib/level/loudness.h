/*
 * loudness.h - integrated loudness (EBU R128 / ITU-R BS.1770) of 16-bit
 * audio as it arrives, through libebur128 (private to libaloud).
 */
#ifndef ALOUD_LOUDNESS_H
#define ALOUD_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

typedef struct loud_meter loud_meter;

/* A meter for `channels` interleaved channels at `sample_rate` Hz; NULL when
 * out of memory or for a rate libebur128 refuses. Free with loud_meter_free(). */
loud_meter *loud_meter_create(unsigned sample_rate, unsigned channels);
void loud_meter_free(loud_meter *m);

/* Adds `frames` frames. ALOUD_ERR_NOMEM when libebur128 runs out. */
aloud_status loud_meter_add(loud_meter *m, const int16_t *pcm, size_t frames, aloud_error *err);

/* The largest absolute sample added so far (0..32768). */
int loud_meter_peak(const loud_meter *m);

/* The integrated loudness in LUFS of all that was added; -HUGE_VAL for
 * silence (nothing above the absolute gate). */
double loud_meter_integrated(const loud_meter *m);

/*
 * The gain in dB that brings `measured` LUFS to `target`; 0 for silence.
 * Rounded to 1/256 dB (the step of Opus's R128 gains) so that the tags
 * state exactly what was applied.
 */
double loud_gain_db(double measured, double target);

#endif /* ALOUD_LOUDNESS_H */
