/*
 * resample.h - a rational-ratio windowed-sinc resampler whose every output
 * sample is a pure function of the input around it (private to libaloud).
 *
 * Output sample m sits at input position m * in_rate / out_rate and reads
 * the RESAMPLE_HALF input samples either side: no running state. So any
 * stretch of the output can be computed alone, from the input span
 * resample_span() names, and equals the same stretch of the whole: pieces
 * of a stream resample apart (in threads) to exactly the whole.
 */
#ifndef ALOUD_RESAMPLE_H
#define ALOUD_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* Input samples read each side of an output sample. */
#define RESAMPLE_HALF 16

/* The most channels resample_run() takes. */
#define RESAMPLE_MAX_CHANNELS 2u

typedef struct resampler resampler;

/* A resampler from `in_rate` to `out_rate` Hz (their ratio reduced must
 * have a numerator of at most 4096); NULL when out of memory or for a ratio
 * it does not take. Free with resampler_free(). */
resampler *resampler_create(unsigned in_rate, unsigned out_rate);
void resampler_free(resampler *r);

/* The input frames [*in_first, *in_first + *in_count) that the outputs
 * [out_first, out_first + out_count) read (in_first may be negative: the
 * input is silence before it starts). */
void resample_span(const resampler *r, uint64_t out_first, size_t out_count, int64_t *in_first,
                   size_t *in_count);

/*
 * Computes out_count frames from output frame out_first into `out`
 * (interleaved floats, full scale 1.0) from `in`, the interleaved 16-bit
 * frames resample_span() named for them, with `channels` channels (1 to
 * RESAMPLE_MAX_CHANNELS).
 */
void resample_run(const resampler *r, const int16_t *in, unsigned channels, uint64_t out_first,
                  size_t out_count, float *out);

/* How many output frames `in_frames` input frames make: rounded up. */
uint64_t resample_length(const resampler *r, uint64_t in_frames);

#endif /* ALOUD_RESAMPLE_H */
