/*
 * clock.h - sample frames and clock time (private to libaloud): the one
 * place where a frame position becomes milliseconds or a clock string, and
 * back. Every conversion works in steps that cannot overflow for any
 * uint64_t frame count and any rate up to UINT32_MAX.
 */
#ifndef ALOUD_CLOCK_H
#define ALOUD_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds at `frame`, rounded to nearest. `rate` > 0. */
uint64_t clock_ms(uint64_t frame, unsigned rate);

/* Whole units of 1/`per_second` s at `frame`, rounded down (a CD frame of a
 * cue sheet is 1/75 s, an LRC stamp 1/100 s). `rate` > 0. */
uint64_t clock_floor(uint64_t frame, unsigned rate, unsigned per_second);

/* The frame nearest to `ms` milliseconds. */
uint64_t clock_frames(uint64_t ms, unsigned rate);

/*
 * Writes `ms` as HH:MM:SS<sep>mmm into out[0..size) (NUL-terminated, cut
 * when it does not fit). Exactly three millisecond digits (ffprobe reads
 * "03.5" as 3.005 s); hours take more digits past 99. Returns `out`.
 */
char *clock_format(uint64_t ms, char sep, char *out, size_t size);

#endif /* ALOUD_CLOCK_H */
