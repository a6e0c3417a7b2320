/*
 * resample.c - stateless rational windowed-sinc resampling (see resample.h).
 */
#include <math.h>
#include <stdlib.h>

#include "resample.h"

struct resampler {
    uint64_t up, down;   /* out_rate / in_rate reduced: up outputs per down inputs */
    float *taps;         /* up phases of 2 * RESAMPLE_HALF taps */
};

static uint64_t resample_gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

resampler *resampler_create(unsigned in_rate, unsigned out_rate)
{
    if (in_rate == 0 || out_rate == 0)
        return NULL;
    uint64_t g = resample_gcd(in_rate, out_rate);
    uint64_t up = out_rate / g, down = in_rate / g;
    if (up > 4096 || down > up * 1024) /* a block must hold some outputs' inputs */
        return NULL;
    resampler *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->up = up;
    r->down = down;
    r->taps = malloc(sizeof *r->taps * (size_t)up * 2 * RESAMPLE_HALF);
    if (!r->taps) {
        free(r);
        return NULL;
    }
    /* Cut-off a little below the lower Nyquist frequency, Blackman window. */
    const double pi = 3.14159265358979323846;
    double fc = 0.95 * (up < down ? (double)up / (double)down : 1.0);
    for (uint64_t ph = 0; ph < up; ph++) {
        double frac = (double)ph / (double)up;
        double sum = 0;
        float *t = r->taps + ph * 2 * RESAMPLE_HALF;
        for (int k = 0; k < 2 * RESAMPLE_HALF; k++) {
            double x = (double)(k - RESAMPLE_HALF + 1) - frac;
            double s = fabs(x) < 1e-12 ? fc : sin(pi * fc * x) / (pi * x);
            double u = (x + RESAMPLE_HALF) / (2.0 * RESAMPLE_HALF);
            double w = 0.42 - 0.5 * cos(2 * pi * u) + 0.08 * cos(4 * pi * u);
            t[k] = (float)(s * w);
            sum += s * w;
        }
        /* Unity gain at DC for every phase. */
        for (int k = 0; k < 2 * RESAMPLE_HALF; k++)
            t[k] = (float)((double)t[k] / sum);
    }
    return r;
}

void resampler_free(resampler *r)
{
    if (!r)
        return;
    free(r->taps);
    free(r);
}

void resample_span(const resampler *r, uint64_t out_first, size_t out_count, int64_t *in_first,
                   size_t *in_count)
{
    uint64_t last = out_first + (out_count ? out_count - 1 : 0);
    int64_t lo = (int64_t)(out_first * r->down / r->up) - RESAMPLE_HALF + 1;
    int64_t hi = (int64_t)(last * r->down / r->up) + RESAMPLE_HALF;
    *in_first = lo;
    *in_count = (size_t)(hi - lo + 1);
}

/*
 * One output sample: the taps against 2 * RESAMPLE_HALF input samples,
 * `stride` apart. The sum runs in RESAMPLE_LANES partial sums added in a
 * fixed order, so the compiler may compute the lanes side by side (SIMD)
 * and the result is still the same on every run and for every piece.
 */
#define RESAMPLE_LANES 8

static float resample_dot(const float *t, const float *x, size_t stride)
{
    float l[RESAMPLE_LANES] = {0};
    for (int k = 0; k < 2 * RESAMPLE_HALF; k += RESAMPLE_LANES)
        for (int j = 0; j < RESAMPLE_LANES; j++)
            l[j] += t[k + j] * x[(size_t)(k + j) * stride];
    return ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

/* The same for one channel: contiguous loads. */
static float resample_dot_mono(const float *t, const float *x)
{
    float l[RESAMPLE_LANES] = {0};
    for (int k = 0; k < 2 * RESAMPLE_HALF; k += RESAMPLE_LANES)
        for (int j = 0; j < RESAMPLE_LANES; j++)
            l[j] += t[k + j] * x[k + j];
    return ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

/* The input is converted to floats once, a block at a time: each input
 * sample is read by about 2 * RESAMPLE_HALF * out_rate / in_rate outputs. */
#define RESAMPLE_BLOCK 4096u

void resample_run(const resampler *r, const int16_t *in, unsigned channels, uint64_t out_first,
                  size_t out_count, float *out)
{
    float x[(RESAMPLE_BLOCK + 2 * RESAMPLE_HALF + 1) * RESAMPLE_MAX_CHANNELS];
    /* Outputs per block: their inputs fit in RESAMPLE_BLOCK frames. */
    size_t per_block = (size_t)(RESAMPLE_BLOCK * r->up / r->down);
    int64_t in_first;
    size_t in_count;

    resample_span(r, out_first, out_count, &in_first, &in_count);
    for (size_t done = 0; done < out_count;) {
        size_t n = out_count - done < per_block ? out_count - done : per_block;
        uint64_t m = out_first + done;
        /* Output m reads from input m * down / up on, with phase
         * m * down % up: both stepped, not divided, from one to the next. */
        uint64_t pos = m * r->down;
        uint64_t base = pos / r->up, phase = pos % r->up;
        uint64_t step = r->down / r->up, carry = r->down % r->up;
        size_t from = (size_t)((int64_t)base - RESAMPLE_HALF + 1 - in_first);
        int64_t block_first;
        size_t block_count;
        resample_span(r, m, n, &block_first, &block_count);
        for (size_t i = 0; i < block_count * channels; i++)
            x[i] = (float)in[from * channels + i];
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            const float *t = r->taps + phase * 2 * RESAMPLE_HALF;
            if (channels == 1)
                out[done + i] = resample_dot_mono(t, x + at) * (1.0f / 32768.0f);
            for (unsigned c = 0; channels > 1 && c < channels; c++)
                out[(done + i) * channels + c] = resample_dot(t, x + at * channels + c, channels)
                                                 * (1.0f / 32768.0f);
            at += step;
            phase += carry;
            if (phase >= r->up) {
                phase -= r->up;
                at++;
            }
        }
        done += n;
    }
}

uint64_t resample_length(const resampler *r, uint64_t in_frames)
{
    return (in_frames * r->up + r->down - 1) / r->down;
}
