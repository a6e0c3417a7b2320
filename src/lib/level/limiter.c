/*
 * limiter.c - gain and look-ahead true-peak limiter (see limiter.h).
 *
 * Positions count input samples from the first, modulo 2^64: a position
 * "before" the first is as good as any, which is how the fresh state is
 * "preceded by silence" without special cases (the rings start zeroed).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "limiter.h"

/* Interpolation taps each side of the point (32 per phase): 8 a side underrate
 * the peaks of a 6 kHz tone with noise by half a dB. */
#define LIM_HALF 16
/* Phases of the 4x oversampling checked between two samples (three sums in
 * lim_interp_peak()). */
#define LIM_PHASES 3
/* The full gain in Q16. */
#define LIM_UNITY 65536
/* The look-ahead and the time to climb back from silence to full gain. */
#define LIM_LOOKAHEAD_MS 2u
#define LIM_RELEASE_MS 80u
/* Aimed below the ceiling: the interpolation here is 4x, an independent
 * meter may oversample more finely, and the gain moves across the taps. */
#define LIM_MARGIN_DB 0.3

struct limiter {
    double gain;           /* linear */
    double ceiling;        /* linear, in sample units (32768 = 0 dBFS), margin taken */
    double hot;            /* |x| at or above this may make a peak over the ceiling */
    int32_t hot_abs;       /* the least integer |x| that is hot */
    int16_t *calm;         /* calm[a] (a < hot_abs): the output for an input of a
                              at full gain, -calm[a] for -a (lim_scaled() is odd) */
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
    double tap_max[2 * LIM_HALF];  /* the largest |tap| of each position over the phases */
    double quiet;          /* a bound on the interpolated peaks below this keeps them
                              under the ceiling, with room for rounding */
};

/* lim_output()'s arithmetic for a sample times `scale`, without branches. */
static inline int16_t lim_scaled(int16_t s, double scale, int *peak)
{
    double v = (double)s * scale;
    v += copysign(0.5, v);  /* -0.0 gets -0.5 here, +0.5 there: 0 either way */
    v = v > 32767 ? 32767 : v;
    v = v < -32767 ? -32767 : v;
    int y = (int)v;
    int a = y < 0 ? -y : y;
    *peak = a > *peak ? a : *peak;
    return (int16_t)y;
}

static size_t lim_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Blackman-Harris-windowed sinc taps: tap k (0..2H-1) weighs x[i + k - H + 1]
 * for the point i + (f + 1) / 4. */
static void lim_design(limiter *lim)
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
static void lim_reset(limiter *lim)
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

limiter *limiter_create(unsigned sample_rate, double gain_db, double ceiling_dbtp)
{
    if (sample_rate == 0)
        return NULL;
    limiter *lim = calloc(1, sizeof *lim);
    if (!lim)
        return NULL;
    lim->gain = pow(10.0, gain_db / 20.0);
    lim->ceiling = 32768.0 * pow(10.0, (ceiling_dbtp - LIM_MARGIN_DB) / 20.0);
    lim->lookahead = sample_rate * LIM_LOOKAHEAD_MS / 1000u;
    if (lim->lookahead < 1)
        lim->lookahead = 1;
    size_t release = sample_rate * LIM_RELEASE_MS / 1000u;
    lim->release = (int32_t)((LIM_UNITY + release - 1) / (release ? release : 1));
    lim_design(lim);

    double sum_max = 1.0;
    for (int f = 0; f < LIM_PHASES; f++) {
        double sum = 0;
        for (int k = 0; k < 2 * LIM_HALF; k++)
            sum += fabs(lim->taps[f][k]);
        if (sum > sum_max)
            sum_max = sum;
    }
    lim->hot = lim->ceiling / (lim->gain * sum_max);
    lim->hot_abs = lim->hot > 32768.0 ? 32769 : (int32_t)ceil(lim->hot);
    for (int k = 0; k < 2 * LIM_HALF; k++) {
        lim->tap_max[k] = 0;
        for (int f = 0; f < LIM_PHASES; f++)
            if (fabs(lim->taps[f][k]) > lim->tap_max[k])
                lim->tap_max[k] = fabs(lim->taps[f][k]);
    }
    lim->quiet = lim->ceiling / lim->gain * (1 - 1e-6);

    size_t x_size = lim_pow2(lim->lookahead + 3 * LIM_HALF + 4);
    size_t dq_size = lim_pow2(lim->lookahead + 1);
    lim->x = calloc(x_size, sizeof *lim->x);
    lim->win = calloc(4 * LIM_HALF, sizeof *lim->win);
    lim->dq_pos = calloc(dq_size, sizeof *lim->dq_pos);
    lim->dq_val = calloc(dq_size, sizeof *lim->dq_val);
    lim->env = calloc(lim->lookahead, sizeof *lim->env);
    lim->calm = malloc((size_t)lim->hot_abs * sizeof *lim->calm);
    if (!lim->x || !lim->win || !lim->dq_pos || !lim->dq_val || !lim->env || !lim->calm) {
        limiter_free(lim);
        return NULL;
    }
    lim->x_mask = x_size - 1;
    lim->dq_mask = dq_size - 1;
    lim->out_scale = lim->gain / ((double)LIM_UNITY * (double)lim->lookahead);
    /* The factor lim_output() computes at full gain, env_sum = L * unity. */
    double full = (double)((int64_t)lim->lookahead * LIM_UNITY) * lim->out_scale;
    int unused = 0;
    for (int32_t a = 0; a < lim->hot_abs; a++)  /* from -a: 32768 is an input too */
        lim->calm[a] = (int16_t)-lim_scaled((int16_t)-a, full, &unused);
    lim_reset(lim);
    return lim;
}

void limiter_free(limiter *lim)
{
    if (!lim)
        return;
    free(lim->x);
    free(lim->win);
    free(lim->dq_pos);
    free(lim->dq_val);
    free(lim->env);
    free(lim->calm);
    free(lim);
}

size_t limiter_latency(const limiter *lim)
{
    return LIM_HALF + lim->lookahead - 1;
}

size_t limiter_reset_frames(const limiter *lim)
{
    size_t climb = (size_t)((LIM_UNITY + lim->release - 1) / lim->release);
    return 3 * LIM_HALF + 2 * lim->lookahead + climb + 2;
}

size_t limiter_tail_frames(const limiter *lim)
{
    return lim->lookahead + LIM_HALF;
}

int limiter_peak(const limiter *lim)
{
    return lim->peak;
}

/* The largest |value| of the 4x oversampled signal strictly between i and i+1,
 * where i + H is the newest sample. */
static double lim_interp_peak(const limiter *lim)
{
    const double *w = lim->win + lim->win_at;  /* oldest first */
    /* The three phases side by side: each sum in its own order, as ever, but
     * not waiting for one another. */
    double acc0 = 0, acc1 = 0, acc2 = 0;
    for (int k = 0; k < 2 * LIM_HALF; k++) {
        acc0 += lim->taps[0][k] * w[k];
        acc1 += lim->taps[1][k] * w[k];
        acc2 += lim->taps[2][k] * w[k];
    }
    double best = 0;
    if (fabs(acc0) > best)
        best = fabs(acc0);
    if (fabs(acc1) > best)
        best = fabs(acc1);
    if (fabs(acc2) > best)
        best = fabs(acc2);
    return best;
}

/*
 * A bound on lim_interp_peak() at a third of its cost: no phase's sum can
 * exceed the sum of the largest |tap| at each position times |x| there. When
 * the bound is below `quiet` the interpolated peak, rounding and all (its
 * error is some 1e-14 of the bound), times the gain is under the ceiling: it
 * cannot make need() less than unity, nor the next sample's, so it need not
 * be known; lim_step() then counts it as 0, as it does far from hot samples.
 */
static double lim_interp_bound(const limiter *lim)
{
    const double *w = lim->win + lim->win_at;
    double sum[4] = {0, 0, 0, 0};
    for (int k = 0; k < 2 * LIM_HALF; k += 4)
        for (int r = 0; r < 4; r++)
            sum[r] += lim->tap_max[k + r] * fabs(w[k + r]);
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

/* The output for position k: the delayed input times the gain and the mean envelope. */
static int16_t lim_output(limiter *lim, uint64_t k)
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
static int16_t lim_step(limiter *lim, int16_t in)
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
        return lim_output(lim, i - (lim->lookahead - 1));
    }

    /* need(i) for i = n - H: the points from i-1 to i+1 under the ceiling. */
    int32_t need = LIM_UNITY;
    double ip = 0;
    if (lim->since_hot < 2 * LIM_HALF) {
        if (lim_interp_bound(lim) >= lim->quiet)
            ip = lim_interp_peak(lim);
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

    return lim_output(lim, i - (lim->lookahead - 1));
}

/* Full gain and nothing hot in the last 2H - 1 inputs: a next input that is
 * not hot either takes lim_step()'s calm path (or its silent one, which gives
 * the same: the windows then hold zeros only). */
static bool lim_calm(const limiter *lim)
{
    return lim->since_hot >= 2 * LIM_HALF - 1
           && lim->env_last == LIM_UNITY && lim->env_sum == (int64_t)lim->lookahead * LIM_UNITY;
}

/* lim_step() over `m` inputs that are not hot, the limiter calm (lim_calm())
 * and past its latency: each output is the input `latency` samples back times
 * the full gain. What lim_step() would leave behind is left behind too, or a
 * state that acts the same: since_hot and zeros only matter against 2H and
 * the ring size; the look-ahead minimum holds unity only; in a silence the
 * windows and rings hold zeros in any rotation. */
static void lim_calm_run(limiter *lim, const int16_t *in, int16_t *out, size_t m)
{
    size_t latency = limiter_latency(lim), mask = lim->x_mask;
    uint64_t pos = lim->pos;
    int16_t *x = lim->x;
    /* The very factor lim_output() computes: env_sum is the same throughout. */
    double scale = (double)lim->env_sum * lim->out_scale;
    int peak = lim->peak;
    /* What is read of `in` after `out` is written (it may be the same
     * buffer) is read first. */
    size_t zeros = 0;
    while (zeros < m && in[m - 1 - zeros] == 0)
        zeros++;
    if (zeros == m)
        zeros = lim->zeros > SIZE_MAX - m ? SIZE_MAX : lim->zeros + m;
    lim->zeros = zeros;
    size_t from = m > 2 * LIM_HALF ? m - 2 * LIM_HALF : 0;
    for (size_t j = from; j < m; j++) {
        lim->win[lim->win_at] = lim->win[lim->win_at + 2 * LIM_HALF] = in[j];
        lim->win_at = lim->win_at + 1 == 2 * LIM_HALF ? 0 : lim->win_at + 1;
    }
    uintptr_t in_at = (uintptr_t)in, out_at = (uintptr_t)out, bytes = m * sizeof *in;
    bool apart = out_at + bytes <= in_at || in_at + bytes <= out_at;
    size_t near = apart ? (m < latency ? m : latency) : m;
    for (size_t j = 0; j < near; j++) {
        x[(pos + j) & mask] = in[j];
        out[j] = lim_scaled(x[(pos + j - latency) & mask], scale, &peak);
    }
    /* Further on, when writing `out` cannot have overwritten it, the input
     * `latency` back is read straight from `in`. */
    for (size_t j = near; j < m; j++) {
        /* Not hot, as the whole run: the table has it. */
        int16_t s = in[j - latency];
        int a = s < 0 ? -s : s, y = lim->calm[a];
        peak = y > peak ? y : peak;
        out[j] = (int16_t)(s < 0 ? -y : y);
    }
    lim->peak = peak;
    if (apart)
        for (size_t j = m > mask + 1 ? m - (mask + 1) : 0; j < m; j++)
            x[(pos + j) & mask] = in[j];
    lim->since_hot = lim->since_hot > SIZE_MAX - m ? SIZE_MAX : lim->since_hot + m;
    lim->pos = pos + m;
    lim->taken += m;
    lim->ip_prev = 0;
    lim->dq_head = 0;
    lim->dq_len = 1;
    lim->dq_pos[0] = lim->pos - 1 - LIM_HALF;
    lim->dq_val[0] = LIM_UNITY;
}

size_t limiter_run(limiter *lim, const int16_t *in, int16_t *out, size_t frames)
{
    size_t latency = limiter_latency(lim), written = 0;
    size_t f = 0;
    while (f < frames) {
        if (lim->taken >= latency && lim_calm(lim)) {
            size_t m = 0;
            while (f + m < frames && (in[f + m] < 0 ? -in[f + m] : in[f + m]) < lim->hot_abs)
                m++;
            if (m > 0) {
                lim_calm_run(lim, in + f, out + written, m);
                f += m;
                written += m;
                continue;
            }
        }
        int16_t y = lim_step(lim, in[f++]);
        if (lim->taken++ >= latency)
            out[written++] = y;
    }
    return written;
}

size_t limiter_flush(limiter *lim, int16_t *out)
{
    size_t latency = limiter_latency(lim), written = 0;
    for (size_t f = 0; f < latency; f++) {
        int16_t y = lim_step(lim, 0);
        if (lim->taken++ >= latency)
            out[written++] = y;
    }
    lim_reset(lim);
    return written;
}
