/*
 * limiter_ref.c - the limiter as it was before it learnt to skip work (a
 * frozen copy of src/lib/level/limiter.c at 8fe5a3c, names prefixed with
 * ref_, every function static): one sample at a time, the interpolation
 * wherever a sample near is loud enough to matter. test_limiter_exact.c
 * includes it and checks that the library's limiter gives the very same
 * samples for every input. Do not change it to follow the library: it is
 * the reference.
 *
 * Positions count input samples from the first, modulo 2^64: a position
 * "before" the first is as good as any, which is how the fresh state is
 * "preceded by silence" without special cases (the rings start zeroed).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <stddef.h>
#include <stdint.h>

typedef struct ref_limiter ref_limiter;
static void ref_limiter_free(ref_limiter *lim);

/* Interpolation taps each side of the point (32 per phase): 8 a side underrate
 * the peaks of a 6 kHz tone with noise by half a dB. */
#define LIM_HALF 16
/* Phases of the 4x oversampling checked between two samples. */
#define LIM_PHASES 3
/* The full gain in Q16. */
#define LIM_UNITY 65536
/* The look-ahead and the time to climb back from silence to full gain. */
#define LIM_LOOKAHEAD_MS 2u
#define LIM_RELEASE_MS 80u
/* Aimed below the ceiling: the interpolation here is 4x, an independent
 * meter may oversample more finely, and the gain moves across the taps. */
#define LIM_MARGIN_DB 0.3

struct ref_limiter {
    double gain;           /* linear */
    double ceiling;        /* linear, in sample units (32768 = 0 dBFS), margin taken */
    double hot;            /* |x| at or above this may make a peak over the ceiling */
    size_t lookahead;      /* L */
    int32_t release;       /* Q16 step per sample */
    uint64_t pos;          /* position of the next input sample */
    uint64_t taken;        /* input samples since the last flush */
    size_t since_hot;      /* samples since the last hot one, saturating */
    size_t zeros;          /* zero samples in a row, saturating */
    double ip_prev;        /* interpolated peak between i-1 and i */
    /* input ring: a power of two holding the taps and the delay */
    int16_t *x;
    size_t x_mask;
    /* the last 2H inputs twice over, so the taps read them in one run */
    double *win;
    size_t win_at;
    double out_scale;      /* gain / (Q16 unity * L): the output's factor per env_sum */
    /* the sliding minimum of need() over the look-ahead: positions and values */
    uint64_t *dq_pos;
    int32_t *dq_val;
    size_t dq_mask, dq_head, dq_len;
    /* the last L envelope values, their sum, and where the next goes */
    int32_t *env;
    size_t env_slot;
    int64_t env_sum;
    int32_t env_last;
    int peak;
    double taps[LIM_PHASES][2 * LIM_HALF];
};

static size_t ref_lim_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Blackman-Harris-windowed sinc taps: tap k (0..2H-1) weighs x[i + k - H + 1]
 * for the point i + (f + 1) / 4. */
static void ref_lim_design(ref_limiter *lim)
{
    const double pi = 3.14159265358979323846;
    for (int f = 0; f < LIM_PHASES; f++) {
        double frac = (f + 1) / (LIM_PHASES + 1.0);
        for (int k = 0; k < 2 * LIM_HALF; k++) {
            double t = (k - LIM_HALF + 1) - frac;           /* distance in samples */
            double s = fabs(t) < 1e-12 ? 1.0 : sin(pi * t) / (pi * t);
            double u = (t + LIM_HALF) / (2.0 * LIM_HALF);   /* 0..1 across the span */
            double w = 0.35875 - 0.48829 * cos(2 * pi * u) + 0.14128 * cos(4 * pi * u)
                       - 0.01168 * cos(6 * pi * u);
            lim->taps[f][k] = s * w;
        }
    }
}

/* The fresh state: as if preceded by nothing but silence. The peak stays. */
static void ref_lim_reset(ref_limiter *lim)
{
    for (size_t k = 0; k <= lim->x_mask; k++)
        lim->x[k] = 0;
    for (size_t k = 0; k < 4 * LIM_HALF; k++)
        lim->win[k] = 0;
    lim->win_at = 0;
    for (size_t k = 0; k < lim->lookahead; k++)
        lim->env[k] = LIM_UNITY;
    lim->env_sum = (int64_t)lim->lookahead * LIM_UNITY;
    lim->env_last = LIM_UNITY;
    lim->env_slot = 0;
    lim->dq_head = 0;
    lim->dq_len = 0;
    lim->ip_prev = 0;
    lim->since_hot = SIZE_MAX;
    lim->zeros = SIZE_MAX;
    lim->pos = 0;
    lim->taken = 0;
}

static ref_limiter *ref_limiter_create(unsigned sample_rate, double gain_db, double ceiling_dbtp)
{
    if (sample_rate == 0)
        return NULL;
    ref_limiter *lim = calloc(1, sizeof *lim);
    if (!lim)
        return NULL;
    lim->gain = pow(10.0, gain_db / 20.0);
    lim->ceiling = 32768.0 * pow(10.0, (ceiling_dbtp - LIM_MARGIN_DB) / 20.0);
    lim->lookahead = sample_rate * LIM_LOOKAHEAD_MS / 1000u;
    if (lim->lookahead < 1)
        lim->lookahead = 1;
    size_t release = sample_rate * LIM_RELEASE_MS / 1000u;
    lim->release = (int32_t)((LIM_UNITY + release - 1) / (release ? release : 1));
    ref_lim_design(lim);

    double sum_max = 1.0;
    for (int f = 0; f < LIM_PHASES; f++) {
        double sum = 0;
        for (int k = 0; k < 2 * LIM_HALF; k++)
            sum += fabs(lim->taps[f][k]);
        if (sum > sum_max)
            sum_max = sum;
    }
    lim->hot = lim->ceiling / (lim->gain * sum_max);

    size_t x_size = ref_lim_pow2(lim->lookahead + 3 * LIM_HALF + 4);
    size_t dq_size = ref_lim_pow2(lim->lookahead + 1);
    lim->x = calloc(x_size, sizeof *lim->x);
    lim->win = calloc(4 * LIM_HALF, sizeof *lim->win);
    lim->dq_pos = calloc(dq_size, sizeof *lim->dq_pos);
    lim->dq_val = calloc(dq_size, sizeof *lim->dq_val);
    lim->env = calloc(lim->lookahead, sizeof *lim->env);
    if (!lim->x || !lim->win || !lim->dq_pos || !lim->dq_val || !lim->env) {
        ref_limiter_free(lim);
        return NULL;
    }
    lim->x_mask = x_size - 1;
    lim->dq_mask = dq_size - 1;
    lim->out_scale = lim->gain / ((double)LIM_UNITY * (double)lim->lookahead);
    ref_lim_reset(lim);
    return lim;
}

static void ref_limiter_free(ref_limiter *lim)
{
    if (!lim)
        return;
    free(lim->x);
    free(lim->win);
    free(lim->dq_pos);
    free(lim->dq_val);
    free(lim->env);
    free(lim);
}

static size_t ref_limiter_latency(const ref_limiter *lim)
{
    return LIM_HALF + lim->lookahead - 1;
}

static size_t ref_limiter_reset_frames(const ref_limiter *lim)
{
    size_t climb = (size_t)((LIM_UNITY + lim->release - 1) / lim->release);
    return 3 * LIM_HALF + 2 * lim->lookahead + climb + 2;
}

static size_t ref_limiter_tail_frames(const ref_limiter *lim)
{
    return lim->lookahead + LIM_HALF;
}

static int ref_limiter_peak(const ref_limiter *lim)
{
    return lim->peak;
}

/* The largest |value| of the 4x oversampled signal strictly between i and i+1,
 * where i + H is the newest sample. */
static double ref_lim_interp_peak(const ref_limiter *lim)
{
    const double *w = lim->win + lim->win_at;  /* oldest first */
    double best = 0;
    for (int f = 0; f < LIM_PHASES; f++) {
        double acc = 0;
        for (int k = 0; k < 2 * LIM_HALF; k++)
            acc += lim->taps[f][k] * w[k];
        if (fabs(acc) > best)
            best = fabs(acc);
    }
    return best;
}

/* The output for position k: the delayed input times the gain and the mean envelope. */
static int16_t ref_lim_output(ref_limiter *lim, uint64_t k)
{
    double x = lim->x[k & lim->x_mask];
    if (x == 0)
        return 0;
    /* Rounded half away from zero by truncation: no libm call per sample. */
    double v = x * ((double)lim->env_sum * lim->out_scale);
    v = v >= 0 ? v + 0.5 : v - 0.5;
    if (v > 32767)
        v = 32767;
    if (v < -32767)
        v = -32767;
    int16_t y = (int16_t)v;
    int a = y < 0 ? -y : y;
    if (a > lim->peak)
        lim->peak = a;
    return y;
}

/* Takes one input sample; returns the output sample for position pos - latency. */
static int16_t ref_lim_step(ref_limiter *lim, int16_t in)
{
    /* In a long silence at full gain nothing changes but the position: every
     * window holds zeros, every gain is unity, the output is zero. */
    if (in == 0 && lim->zeros > lim->x_mask && lim->env_last == LIM_UNITY
        && lim->env_sum == (int64_t)lim->lookahead * LIM_UNITY) {
        lim->pos++;
        lim->ip_prev = 0;
        return 0;
    }
    lim->zeros = in != 0 ? 0 : lim->zeros == SIZE_MAX ? SIZE_MAX : lim->zeros + 1;

    uint64_t n = lim->pos++;
    lim->x[n & lim->x_mask] = in;
    lim->win[lim->win_at] = lim->win[lim->win_at + 2 * LIM_HALF] = in;
    lim->win_at = lim->win_at + 1 == 2 * LIM_HALF ? 0 : lim->win_at + 1;
    if (fabs((double)in) >= lim->hot)
        lim->since_hot = 0;
    else if (lim->since_hot != SIZE_MAX)
        lim->since_hot++;

    uint64_t i = n - LIM_HALF;
    if (lim->since_hot >= 2 * LIM_HALF && lim->env_last == LIM_UNITY
        && lim->env_sum == (int64_t)lim->lookahead * LIM_UNITY) {
        /* At full gain with nothing hot near: need(i) is unity, which empties
         * the look-ahead window of everything but itself (all unity too, or
         * env would not be), and env stays unity: only the output is left. */
        lim->ip_prev = 0;
        lim->dq_head = 0;
        lim->dq_len = 1;
        lim->dq_pos[0] = i;
        lim->dq_val[0] = LIM_UNITY;
        return ref_lim_output(lim, i - (lim->lookahead - 1));
    }

    /* need(i) for i = n - H: the points from i-1 to i+1 under the ceiling. */
    int32_t need = LIM_UNITY;
    double ip = 0;
    if (lim->since_hot < 2 * LIM_HALF) {
        ip = ref_lim_interp_peak(lim);
        double peak = fabs((double)lim->x[i & lim->x_mask]);
        if (ip > peak)
            peak = ip;
        if (lim->ip_prev > peak)
            peak = lim->ip_prev;
        double over = peak * lim->gain;
        if (over > lim->ceiling)
            need = (int32_t)floor(LIM_UNITY * lim->ceiling / over);
    }
    lim->ip_prev = ip;

    /* lo(k) for k = i - L + 1: the sliding minimum. */
    while (lim->dq_len > 0
           && lim->dq_val[(lim->dq_head + lim->dq_len - 1) & lim->dq_mask] >= need)
        lim->dq_len--;
    lim->dq_pos[(lim->dq_head + lim->dq_len) & lim->dq_mask] = i;
    lim->dq_val[(lim->dq_head + lim->dq_len) & lim->dq_mask] = need;
    lim->dq_len++;
    while (i - lim->dq_pos[lim->dq_head] >= lim->lookahead) {
        lim->dq_head = (lim->dq_head + 1) & lim->dq_mask;
        lim->dq_len--;
    }
    int32_t lo = lim->dq_val[lim->dq_head];

    /* env(k), then the mean of the last L of them for the output at k. */
    int32_t env = lim->env_last + lim->release;
    if (env > lo)
        env = lo;
    if (env > LIM_UNITY)
        env = LIM_UNITY;
    lim->env_last = env;
    lim->env_sum += env - lim->env[lim->env_slot];
    lim->env[lim->env_slot] = env;
    lim->env_slot = lim->env_slot + 1 == lim->lookahead ? 0 : lim->env_slot + 1;

    return ref_lim_output(lim, i - (lim->lookahead - 1));
}

static size_t ref_limiter_run(ref_limiter *lim, const int16_t *in, int16_t *out, size_t frames)
{
    size_t latency = ref_limiter_latency(lim), written = 0;
    for (size_t f = 0; f < frames; f++) {
        int16_t y = ref_lim_step(lim, in[f]);
        if (lim->taken++ >= latency)
            out[written++] = y;
    }
    return written;
}

static size_t ref_limiter_flush(ref_limiter *lim, int16_t *out)
{
    size_t latency = ref_limiter_latency(lim), written = 0;
    for (size_t f = 0; f < latency; f++) {
        int16_t y = ref_lim_step(lim, 0);
        if (lim->taken++ >= latency)
            out[written++] = y;
    }
    ref_lim_reset(lim);
    return written;
}
