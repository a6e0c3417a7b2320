/*
 * loudness.c - integrated loudness through libebur128 (see loudness.h).
 */
#include <math.h>
#include <stdlib.h>

#include <ebur128.h>

#include "loudness.h"

struct loud_meter {
    ebur128_state *st;
    unsigned channels;
    int peak;
};

loud_meter *loud_meter_create(unsigned sample_rate, unsigned channels)
{
    loud_meter *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->channels = channels;
    m->st = ebur128_init(channels, sample_rate, EBUR128_MODE_I);
    if (!m->st) {
        free(m);
        return NULL;
    }
    return m;
}

void loud_meter_free(loud_meter *m)
{
    if (!m)
        return;
    ebur128_destroy(&m->st);
    free(m);
}

aloud_status loud_meter_add(loud_meter *m, const int16_t *pcm, size_t frames, aloud_error *err)
{
    int peak = m->peak;
    for (size_t f = 0; f < frames * m->channels; f++) {
        int a = pcm[f] < 0 ? -pcm[f] : pcm[f];
        peak = a > peak ? a : peak;
    }
    m->peak = peak;
    if (ebur128_add_frames_short(m->st, pcm, frames) != EBUR128_SUCCESS)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory measuring loudness");
    return ALOUD_OK;
}

int loud_meter_peak(const loud_meter *m)
{
    return m->peak;
}

double loud_meter_integrated(const loud_meter *m)
{
    double lufs = -HUGE_VAL;
    if (ebur128_loudness_global(m->st, &lufs) != EBUR128_SUCCESS)
        return -HUGE_VAL;
    return lufs;
}

double loud_gain_db(double measured, double target)
{
    if (!isfinite(measured))
        return 0;
    return round((target - measured) * 256.0) / 256.0;
}
