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
    if (up > 4096)
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

void resample_run(const resampler *r, const int16_t *in, unsigned channels, uint64_t out_first,
                  size_t out_count, float *out)
{
    int64_t in_first;
    size_t in_count;
    resample_span(r, out_first, out_count, &in_first, &in_count);
    for (size_t i = 0; i < out_count; i++) {
        uint64_t m = out_first + i;
        uint64_t pos = m * r->down;
        uint64_t base = pos / r->up;
        const float *t = r->taps + (pos % r->up) * 2 * RESAMPLE_HALF;
        size_t at = (size_t)((int64_t)base - RESAMPLE_HALF + 1 - in_first);
        for (unsigned c = 0; c < channels; c++) {
            const int16_t *x = in + at * channels + c;
            float acc = 0;
            for (int k = 0; k < 2 * RESAMPLE_HALF; k++)
                acc += t[k] * (float)x[(size_t)k * channels];
            out[i * channels + c] = acc * (1.0f / 32768.0f);
        }
    }
}

uint64_t resample_length(const resampler *r, uint64_t in_frames)
{
    return (in_frames * r->up + r->down - 1) / r->down;
}
