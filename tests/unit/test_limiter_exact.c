/*
 * test_limiter_exact.c - the limiter's shortcuts change no sample.
 *
 * The library's limiter skips work: it shapes calm stretches (full gain,
 * nothing loud enough near to matter) in a block through a table, and
 * leaves out the oversampled interpolation where a cheap bound shows it
 * cannot reach the ceiling. limiter_ref.c is the limiter as it was before, one sample at a
 * time. Both shape the same signals here (espeak-ng's speech and signals
 * made to be hard: full-scale square waves, clipped noise, impulses, every
 * level from silence to full scale) at 22050 and 48000 Hz, under gains from
 * -12 to +24 dB and several ceilings, fed in blocks of random sizes and in
 * place; every output sample and the peak must be the same.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"
#include "limiter.h"
#include "speech.h"

#include "limiter_ref.c"

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

typedef struct pcm_signal {
    int16_t *x;
    size_t n, cap;
} pcm_signal;

static void sig_push(pcm_signal *s, int16_t v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 65536;
        s->x = realloc(s->x, s->cap * sizeof *s->x);
        assert_non_null(s->x);
    }
    s->x[s->n++] = v;
}

static void sig_silence(pcm_signal *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sig_push(s, 0);
}

static int16_t clip(double v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static int speech_collect(void *ctx, const int16_t *pcm, size_t frames)
{
    pcm_signal *s = ctx;
    for (size_t i = 0; i < frames; i++)
        sig_push(s, pcm[i]);
    return 0;
}

static void add_speech(pcm_signal *s)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    speech *sp = NULL;
    assert_int_equal(speech_create(&v, &sp, NULL), ALOUD_OK);
    const char *text[] = {
        "This program is free software: you can redistribute it and/or modify it under "
        "the terms of the GNU General Public License as published by the Free Software "
        "Foundation, either version 3 of the License, or (at your option) any later version.",
        "Sixty-six sheep sat shivering; she sells sea shells, zigzagging past 42 jazz clubs!",
    };
    for (size_t t = 0; t < sizeof text / sizeof *text; t++) {
        assert_int_equal(speech_say(sp, text[t], speech_collect, s, NULL), ALOUD_OK);
        sig_silence(s, 3000 + rnd() % 3000);
    }
    speech_free(sp);
}

/* Full-scale square waves of several periods, both extremes, some in short
 * bursts between silences shorter and longer than the limiter's windows. */
static void add_squares(pcm_signal *s)
{
    const size_t periods[] = {2, 3, 4, 7, 16, 50, 441};
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++) {
        for (int burst = 0; burst < 6; burst++) {
            size_t len = burst < 3 ? 1 + rnd() % 64 : 2000 + rnd() % 4000;
            for (size_t i = 0; i < len; i++)
                sig_push(s, (i / (periods[p] / 2 ? periods[p] / 2 : 1)) % 2 ? -32768 : 32767);
            sig_silence(s, rnd() % 200 + (burst % 2 ? 3000 : 0));
        }
    }
}

/* Noise at up to 4 times full scale, clipped. */
static void add_clipped_noise(pcm_signal *s)
{
    for (int burst = 0; burst < 8; burst++) {
        double amp = 4000.0 * (burst + 1) * (burst + 1) / 2.0;
        size_t len = 500 + rnd() % 5000;
        for (size_t i = 0; i < len; i++)
            sig_push(s, clip(amp * ((double)(rnd() % 65536) / 32768.0 - 1.0)));
        sig_silence(s, rnd() % 4000);
    }
}

/* Single samples (full scale, or any level) alone in silence, and in trains
 * spaced closer and wider than the interpolation's taps. */
static void add_impulses(pcm_signal *s)
{
    for (int k = 0; k < 400; k++) {
        int16_t v = k % 3 == 0 ? (k % 2 ? -32768 : 32767) : (int16_t)(rnd() % 65536 - 32768);
        sig_push(s, v);
        sig_silence(s, k % 4 == 0 ? 1 + rnd() % 8 : k % 4 == 1 ? 10 + rnd() % 40 : rnd() % 3000);
    }
}

/* Tones whose level sweeps from silence to full scale, so that samples sit
 * on every side of any threshold the limiter may keep. */
static void add_level_sweep(pcm_signal *s)
{
    const double freqs[] = {150.0, 3000.0, 7000.0, 10500.0};
    for (size_t f = 0; f < sizeof freqs / sizeof *freqs; f++) {
        size_t len = 30000;
        for (size_t i = 0; i < len; i++) {
            double amp = 32768.0 * (double)i / (double)len;
            sig_push(s, clip(amp * sin(2 * 3.14159265358979 * freqs[f] * (double)i / 22050.0 + (double)f)));
        }
        sig_silence(s, 5000);
    }
    for (size_t i = 0; i < 65536; i++)  /* every value once, ascending */
        sig_push(s, (int16_t)((int32_t)i - 32768));
    sig_silence(s, 100);
}

/* Shapes `s` with the reference, whole, and with the library's limiter in
 * blocks of random sizes (in place when asked), and compares. */
static void compare(const pcm_signal *s, unsigned rate, double gain, double ceiling, int in_place)
{
    ref_limiter *r = ref_limiter_create(rate, gain, ceiling);
    limiter *l = limiter_create(rate, gain, ceiling);
    assert_non_null(r);
    assert_non_null(l);
    if (!r || !l)
        return;
    assert_int_equal(limiter_latency(l), ref_limiter_latency(r));
    assert_int_equal(limiter_reset_frames(l), ref_limiter_reset_frames(r));
    assert_int_equal(limiter_tail_frames(l), ref_limiter_tail_frames(r));

    size_t room = s->n + limiter_latency(l) + 1;
    int16_t *a = calloc(room, sizeof *a), *b = calloc(room, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    size_t wa = ref_limiter_run(r, s->x, a, s->n);
    wa += ref_limiter_flush(r, a + wa);

    /* in_place 1: in and out in one buffer, out behind; 2: the very same
     * pointer for both. */
    size_t wb = 0;
    int16_t scratch[5000];
    if (in_place == 1)
        memcpy(b, s->x, s->n * sizeof *b);
    for (size_t at = 0; at < s->n;) {
        size_t n = rnd() % 4 == 0 ? 1 + rnd() % 8 : 1 + rnd() % 5000;
        if (n > s->n - at)
            n = s->n - at;
        if (in_place == 2) {
            memcpy(scratch, s->x + at, n * sizeof *scratch);
            size_t w = limiter_run(l, scratch, scratch, n);
            memcpy(b + wb, scratch, w * sizeof *b);
            wb += w;
        } else {
            wb += limiter_run(l, in_place ? b + at : s->x + at, b + wb, n);
        }
        at += n;
    }
    wb += limiter_flush(l, b + wb);

    assert_int_equal(wa, s->n);
    assert_int_equal(wb, wa);
    size_t differ = 0;
    for (size_t i = 0; i < wa; i++)
        differ += a[i] != b[i];
    if (differ)
        print_error("%zu samples differ at %u Hz, gain %+.2f dB, ceiling %.1f dBTP, in place %d\n",
                    differ, rate, gain, ceiling, in_place);
    assert_int_equal(differ, 0);
    assert_int_equal(limiter_peak(l), ref_limiter_peak(r));

    free(a);
    free(b);
    limiter_free(l);
    ref_limiter_free(r);
}

static void compare_all(const pcm_signal *s)
{
    const unsigned rates[] = {22050, 48000};
    const double gains[] = {-12.0, -6.0, 0.0, 0.6, 2.5, 3.7, 6.0, 12.0, 24.0};
    const double ceilings[] = {-1.5, -3.0, 0.0};
    for (size_t r = 0; r < 2; r++)
        for (size_t g = 0; g < sizeof gains / sizeof *gains; g++)
            for (size_t c = 0; c < sizeof ceilings / sizeof *ceilings; c++)
                compare(s, rates[r], gains[g], ceilings[c], (int)((g + c + r) % 3));
}

static void test_speech_is_shaped_as_before(void **state)
{
    (void)state;
    pcm_signal s = {0};
    add_speech(&s);
    assert_true(s.n > 100000);
    compare_all(&s);
    free(s.x);
}

static void test_hostile_signals_are_shaped_as_before(void **state)
{
    (void)state;
    void (*makers[])(pcm_signal *) = {add_squares, add_clipped_noise, add_impulses, add_level_sweep};
    for (size_t m = 0; m < sizeof makers / sizeof *makers; m++) {
        pcm_signal s = {0};
        makers[m](&s);
        compare_all(&s);
        free(s.x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_speech_is_shaped_as_before),
        cmocka_unit_test(test_hostile_signals_are_shaped_as_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
