/*
 * lametag.c - the Xing/Info + LAME header of a joined MP3 stream (lametag.h).
 */
#include <math.h>
#include <string.h>

#include "lametag.h"

#define LAMETAG_TOC 100
#define LAMETAG_BAG 400          /* LAME's seek table: sums of kb/s kept */

uint16_t lametag_crc16(uint16_t crc, const unsigned char *data, size_t size)
{
    unsigned c = crc;

    for (size_t i = 0; i < size; i++) {
        c ^= data[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xA001u : c >> 1;
    }
    return (uint16_t)c;
}

static void lametag_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/*
 * The TOC as LAME builds it (VbrTag.c: addVbr() once per frame with the
 * frame's kb/s, then Xing_seek_table()): it keeps at most 400 running sums,
 * halving them when full, and entry i is the sum at i% of the kept ones
 * over the total, in 256ths. Its float arithmetic is kept, so the table is
 * LAME's to the bit.
 */
static void lametag_toc(uint32_t frames, int kbps, unsigned char toc[LAMETAG_TOC])
{
    int bag[LAMETAG_BAG];
    int sum = 0, seen = 0, want = 1, pos = 0;

    for (uint32_t f = 0; f < frames; f++) {
        sum += kbps;
        seen++;
        if (seen < want)
            continue;
        if (pos < LAMETAG_BAG) {
            bag[pos++] = sum;
            seen = 0;
        }
        if (pos == LAMETAG_BAG) {
            for (int i = 1; i < LAMETAG_BAG; i += 2)
                bag[i / 2] = bag[i];
            want *= 2;
            pos /= 2;
        }
    }
    toc[0] = 0;
    for (int i = 1; i < LAMETAG_TOC; i++) {
        if (pos <= 0) {
            toc[i] = 0;
            continue;
        }
        float j = (float)i / (float)LAMETAG_TOC;
        int index = (int)floor((double)(j * (float)pos));
        if (index > pos - 1)
            index = pos - 1;
        float act = (float)bag[index], total = (float)sum;
        int point = (int)(256. * (double)act / (double)total);
        toc[i] = (unsigned char)(point > 255 ? 255 : point);
    }
}

bool lametag_patch(unsigned char *frame, size_t size, const lametag_stream *s)
{
    static const int kbps_v1[16] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
                                    256, 320, 0};
    static const int kbps_v2[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                    160, 0};
    unsigned char toc[LAMETAG_TOC];

    if (size < 4 || frame[0] != 0xff || (frame[1] & 0xe6u) != 0xe2u)
        return false; /* not a Layer III frame header */
    bool mpeg1 = (frame[1] >> 3 & 3u) == 3u;
    bool mono = (frame[3] >> 6) == 3u;
    size_t x = 4 + (mpeg1 ? (mono ? 17u : 32u) : (mono ? 9u : 17u));
    size_t lame = x + 120;
    int kbps = (mpeg1 ? kbps_v1 : kbps_v2)[frame[2] >> 4];
    if (size < lame + 36 || kbps == 0
        || (memcmp(frame + x, "Info", 4) != 0 && memcmp(frame + x, "Xing", 4) != 0)
        || frame[x + 7] != 0x0f || s->delay > 0xfffu || s->padding > 0xfffu)
        return false;
    lametag_be32(frame + x + 8, s->frames);
    lametag_be32(frame + x + 12, s->bytes);
    lametag_toc(s->frames, kbps, toc);
    memcpy(frame + x + 16, toc, sizeof toc);
    frame[lame + 21] = (unsigned char)(s->delay >> 4);
    frame[lame + 22] = (unsigned char)((s->delay & 0x0fu) << 4 | s->padding >> 8);
    frame[lame + 23] = (unsigned char)(s->padding & 0xffu);
    lametag_be32(frame + lame + 28, s->bytes);
    frame[lame + 32] = (unsigned char)(s->music_crc >> 8);
    frame[lame + 33] = (unsigned char)(s->music_crc & 0xffu);
    uint16_t crc = lametag_crc16(0, frame, lame + 34);
    frame[lame + 34] = (unsigned char)(crc >> 8);
    frame[lame + 35] = (unsigned char)(crc & 0xffu);
    return true;
}
