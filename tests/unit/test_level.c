/*
 * test_level.c - loudness and the limiter: the gain reaches the target, true
 * peaks stay under the ceiling (checked by an independent 8x oversampler
 * here), the limiter never clips, and the reset property: audio cut inside
 * long enough silence and shaped piece by piece is sample-identical to the
 * audio shaped whole.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limiter.h"
#include "loudness.h"

#define RATE 22050u

/* A deterministic pseudo-random generator (xorshift), for noise and lengths. */
static uint32_t rnd_state = 12345u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/*
 * Speech-like bursts: loud tones with harmonics and noise, up to full
 * scale, near Nyquist too (the hardest case for true peaks), separated by
 * exact silence of `gap` frames. Returns the length; fills cut[] with the
 * middle of each gap.
 */
static size_t make_bursts(int16_t *out, size_t max, size_t gap, size_t *cuts, size_t *ncuts)
{
    size_t n = 0;
    *ncuts = 0;
    for (int b = 0; n < max; b++) {
        size_t len = 2000 + rnd() % 6000;
        double f0 = 90.0 + (rnd() % 200), amp = 8000.0 + (rnd() % 26000);
        if (n + len + gap > max)
            break;
        for (size_t i = 0; i < len; i++) {
            double t = (double)i / RATE;
            double env = sin(3.14159265358979 * (double)i / (double)len);
            double v = sin(2 * 3.14159265358979 * f0 * t) + 0.5 * sin(2 * 3.1415926535 * 3 * f0 * t)
                       + 0.4 * sin(2 * 3.14159265358979 * 6300.0 * t + b)
                       + 0.2 * ((double)(rnd() % 2001) / 1000.0 - 1.0);
            double s = amp * env * v;
            out[n + i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
        }
        n += len;
        memset(out + n, 0, gap * sizeof *out);
        cuts[(*ncuts)++] = n + gap / 2;
        n += gap;
    }
    return n;
}

/* Shapes in[first, last) with a fresh limiter, in odd-sized blocks; appends to out. */
static size_t shape(unsigned rate, double gain, const int16_t *in, size_t first, size_t last,
                    int16_t *out)
{
    limiter *lim = limiter_create(rate, gain, -1.5);
    assert_non_null(lim);
    size_t w = 0;
    for (size_t at = first; at < last;) {
        size_t n = 1 + rnd() % 3000;
        if (n > last - at)
            n = last - at;
        w += limiter_run(lim, in + at, out + w, n);
        at += n;
    }
    w += limiter_flush(lim, out + w);
    limiter_free(lim);
    return w;
}

/* The largest |value| of an 8x windowed-sinc oversampling (64 taps a side). */
static double true_peak(const int16_t *x, size_t n)
{
    double best = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = fabs((double)x[i]);
        if (a > best)
            best = a;
        if (x[i] == 0 && x[i + 1] == 0)
            continue;
        for (int f = 1; f < 8; f++) {
            double acc = 0, frac = f / 8.0;
            for (int k = -63; k <= 64; k++) {
                if ((ptrdiff_t)i + k < 0 || (size_t)((ptrdiff_t)i + k) >= n)
                    continue;
                double t = k - frac;
                double w = 0.5 + 0.5 * cos(3.14159265358979 * t / 64.0);
                acc += x[(ptrdiff_t)i + k] * sin(3.14159265358979 * t) / (3.14159265358979 * t) * w;
            }
            if (fabs(acc) > best)
                best = fabs(acc);
        }
    }
    return best;
}

static void test_limiter_keeps_the_ceiling(void **state)
{
    (void)state;
    enum { N = 22050 * 6 };
    int16_t *in = malloc(N * sizeof *in), *out = malloc((N + 1000) * sizeof *out);
    size_t cuts[64], ncuts;
    assert_non_null(in);
    assert_non_null(out);
    size_t n = make_bursts(in, N, 4000, cuts, &ncuts);
    /* +9 dB on material already near full scale: the limiter must work hard. */
    size_t w = shape(RATE, 9.0, in, 0, n, out);
    assert_int_equal(w, n);
    double ceiling = 32768.0 * pow(10.0, -1.5 / 20.0);
    double tp = true_peak(out, n);
    if (tp > ceiling)
        fail_msg("true peak %.1f over the ceiling %.1f", tp, ceiling);
    /* Quiet parts get the whole gain: a burst's first samples are far below. */
    for (size_t i = 1; i < 200; i++) {
        if (in[i] != 0 && abs(in[i]) < 200) {
            double want = in[i] * pow(10.0, 9.0 / 20.0);
            assert_true(fabs(out[i] - want) <= 1.0);
        }
    }
    free(in);
    free(out);
}

static void test_limiter_reset_property(void **state)
{
    (void)state;
    unsigned rates[] = {RATE, 48000};
    for (size_t r = 0; r < 2; r++) {
        unsigned rate = rates[r];
        limiter *probe = limiter_create(rate, 0, -1.5);
        assert_non_null(probe);
        /* Gaps just long enough on each side of a cut. */
        size_t gap = 2 * (limiter_reset_frames(probe) + limiter_tail_frames(probe));
        limiter_free(probe);
        enum { N = 48000 * 8 };
        int16_t *in = malloc(N * sizeof *in);
        int16_t *whole = malloc(N * sizeof *whole), *pieces = malloc(N * sizeof *pieces);
        size_t cuts[256], ncuts;
        assert_non_null(in);
        assert_non_null(whole);
        assert_non_null(pieces);
        size_t n = make_bursts(in, N, gap, cuts, &ncuts);
        assert_true(ncuts > 3);

        assert_int_equal(shape(rate, 6.0, in, 0, n, whole), n);
        size_t w = 0, from = 0;
        for (size_t c = 0; c < ncuts; c++) {
            size_t to = cuts[c] < n ? cuts[c] : n;
            w += shape(rate, 6.0, in, from, to, pieces + w);
            from = to;
        }
        w += shape(rate, 6.0, in, from, n, pieces + w);
        assert_int_equal(w, n);
        assert_memory_equal(whole, pieces, n * sizeof *whole);
        free(in);
        free(whole);
        free(pieces);
    }
}

/* The reset needs the silence: cut too close to speech, the pieces differ. */
static void test_limiter_short_silence_is_not_enough(void **state)
{
    (void)state;
    enum { N = 22050 * 4 };
    int16_t *in = malloc(N * sizeof *in);
    int16_t *whole = malloc(N * sizeof *whole), *pieces = malloc(N * sizeof *pieces);
    size_t cuts[64], ncuts;
    assert_non_null(in);
    assert_non_null(whole);
    assert_non_null(pieces);
    size_t n = make_bursts(in, N, 40, cuts, &ncuts);
    shape(RATE, 9.0, in, 0, n, whole);
    size_t w = 0, from = 0;
    for (size_t c = 0; c < ncuts; c++) {
        w += shape(RATE, 9.0, in, from, cuts[c], pieces + w);
        from = cuts[c];
    }
    w += shape(RATE, 9.0, in, from, n, pieces + w);
    assert_int_equal(w, n);
    assert_true(memcmp(whole, pieces, n * sizeof *whole) != 0);
    free(in);
    free(whole);
    free(pieces);
}

static void test_meter_and_gain(void **state)
{
    (void)state;
    /* A 1 kHz sine at -20 dBFS peak (mono): BS.1770 gives -23.0 LUFS (the
     * 997 Hz sine of the EBU tests gives -3.01 dB below its peak, and mono
     * carries no second channel). */
    enum { N = 22050 * 5 };
    int16_t *x = malloc(N * sizeof *x);
    assert_non_null(x);
    double amp = 32768.0 * pow(10.0, -20.0 / 20.0);
    for (size_t i = 0; i < N; i++)
        x[i] = (int16_t)lrint(amp * sin(2 * 3.14159265358979 * 997.0 * (double)i / RATE));
    loud_meter *m = loud_meter_create(RATE, 1);
    assert_non_null(m);
    assert_int_equal(loud_meter_add(m, x, N, NULL), ALOUD_OK);
    double lufs = loud_meter_integrated(m);
    assert_true(fabs(lufs - (-23.0)) < 0.1);
    assert_true(abs(loud_meter_peak(m) - (int)lrint(amp)) <= 1);
    double g = loud_gain_db(lufs, -19.0);
    assert_true(fabs(g - 4.0) < 0.1);
    assert_true(g * 256.0 == floor(g * 256.0));
    loud_meter_free(m);

    /* Silence: no loudness, no gain. */
    m = loud_meter_create(RATE, 1);
    memset(x, 0, N * sizeof *x);
    assert_int_equal(loud_meter_add(m, x, N, NULL), ALOUD_OK);
    assert_true(isinf(loud_meter_integrated(m)));
    assert_true(loud_gain_db(loud_meter_integrated(m), -19.0) == 0);
    loud_meter_free(m);
    loud_meter_free(NULL);
    limiter_free(NULL);
    free(x);
}

/* The peak is the largest |sample| over every call, wherever it lies in a
 * call of any length, -32768 counting as 32768. */
static void test_meter_peak(void **state)
{
    (void)state;
    enum { N = 53 };
    int16_t x[N];
    for (size_t n = 1; n <= N; n++) {
        for (size_t at = 0; at < n; at++) {
            for (int sign = -1; sign <= 1; sign += 2) {
                for (size_t i = 0; i < n; i++)
                    x[i] = (int16_t)((int)(i * 37 % 201) - 100);
                x[at] = (int16_t)(sign * (1000 + (int)n));
                loud_meter *m = loud_meter_create(RATE, 1);
                assert_non_null(m);
                assert_int_equal(loud_meter_add(m, x, n, NULL), ALOUD_OK);
                assert_int_equal(loud_meter_peak(m), 1000 + (int)n);
                /* A later, quieter call leaves it. */
                x[at] = 7;
                assert_int_equal(loud_meter_add(m, x, n, NULL), ALOUD_OK);
                assert_int_equal(loud_meter_peak(m), 1000 + (int)n);
                loud_meter_free(m);
            }
        }
    }
    loud_meter *m = loud_meter_create(RATE, 1);
    assert_non_null(m);
    x[0] = 5;
    x[1] = -32768;
    assert_int_equal(loud_meter_add(m, x, 2, NULL), ALOUD_OK);
    assert_int_equal(loud_meter_peak(m), 32768);
    loud_meter_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limiter_keeps_the_ceiling),
        cmocka_unit_test(test_limiter_reset_property),
        cmocka_unit_test(test_limiter_short_silence_is_not_enough),
        cmocka_unit_test(test_meter_and_gain),
        cmocka_unit_test(test_meter_peak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
