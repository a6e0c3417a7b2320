/* clock.c - sample frames and clock time. */
#include "clock.h"

#include <inttypes.h>
#include <stdio.h>

uint64_t clock_ms(uint64_t frame, unsigned rate)
{
    return frame / rate * 1000u + ((frame % rate) * 1000u + rate / 2u) / rate;
}

uint64_t clock_floor(uint64_t frame, unsigned rate, unsigned per_second)
{
    return frame / rate * per_second + (frame % rate) * per_second / rate;
}

uint64_t clock_frames(uint64_t ms, unsigned rate)
{
    return ms / 1000u * rate + ((ms % 1000u) * rate + 500u) / 1000u;
}

char *clock_format(uint64_t ms, char sep, char *out, size_t size)
{
    snprintf(out, size, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 "%c%03" PRIu64, ms / 3600000u,
             ms / 60000u % 60u, ms / 1000u % 60u, sep, ms % 1000u);
    return out;
}
