/*
 * lametag.c - the Xing/Info + LAME header of a joined MP3 stream (lametag.h).
 */
#include <math.h>
#include <string.h>

#include "lametag.h"

#define LAMETAG_TOC 100
#define LAMETAG_BAG 400          /* LAME's seek table: sums of kb/s kept */

/* The CRC-16 (polynomial 0x8005, bits reflected: 0xA001) of every byte value. */
static const uint16_t lametag_crc_table[256] = {
    0x0000, 0xc0c1, 0xc181, 0x0140, 0xc301, 0x03c0, 0x0280, 0xc241,
    0xc601, 0x06c0, 0x0780, 0xc741, 0x0500, 0xc5c1, 0xc481, 0x0440,
    0xcc01, 0x0cc0, 0x0d80, 0xcd41, 0x0f00, 0xcfc1, 0xce81, 0x0e40,
    0x0a00, 0xcac1, 0xcb81, 0x0b40, 0xc901, 0x09c0, 0x0880, 0xc841,
    0xd801, 0x18c0, 0x1980, 0xd941, 0x1b00, 0xdbc1, 0xda81, 0x1a40,
    0x1e00, 0xdec1, 0xdf81, 0x1f40, 0xdd01, 0x1dc0, 0x1c80, 0xdc41,
    0x1400, 0xd4c1, 0xd581, 0x1540, 0xd701, 0x17c0, 0x1680, 0xd641,
    0xd201, 0x12c0, 0x1380, 0xd341, 0x1100, 0xd1c1, 0xd081, 0x1040,
    0xf001, 0x30c0, 0x3180, 0xf141, 0x3300, 0xf3c1, 0xf281, 0x3240,
    0x3600, 0xf6c1, 0xf781, 0x3740, 0xf501, 0x35c0, 0x3480, 0xf441,
    0x3c00, 0xfcc1, 0xfd81, 0x3d40, 0xff01, 0x3fc0, 0x3e80, 0xfe41,
    0xfa01, 0x3ac0, 0x3b80, 0xfb41, 0x3900, 0xf9c1, 0xf881, 0x3840,
    0x2800, 0xe8c1, 0xe981, 0x2940, 0xeb01, 0x2bc0, 0x2a80, 0xea41,
    0xee01, 0x2ec0, 0x2f80, 0xef41, 0x2d00, 0xedc1, 0xec81, 0x2c40,
    0xe401, 0x24c0, 0x2580, 0xe541, 0x2700, 0xe7c1, 0xe681, 0x2640,
    0x2200, 0xe2c1, 0xe381, 0x2340, 0xe101, 0x21c0, 0x2080, 0xe041,
    0xa001, 0x60c0, 0x6180, 0xa141, 0x6300, 0xa3c1, 0xa281, 0x6240,
    0x6600, 0xa6c1, 0xa781, 0x6740, 0xa501, 0x65c0, 0x6480, 0xa441,
    0x6c00, 0xacc1, 0xad81, 0x6d40, 0xaf01, 0x6fc0, 0x6e80, 0xae41,
    0xaa01, 0x6ac0, 0x6b80, 0xab41, 0x6900, 0xa9c1, 0xa881, 0x6840,
    0x7800, 0xb8c1, 0xb981, 0x7940, 0xbb01, 0x7bc0, 0x7a80, 0xba41,
    0xbe01, 0x7ec0, 0x7f80, 0xbf41, 0x7d00, 0xbdc1, 0xbc81, 0x7c40,
    0xb401, 0x74c0, 0x7580, 0xb541, 0x7700, 0xb7c1, 0xb681, 0x7640,
    0x7200, 0xb2c1, 0xb381, 0x7340, 0xb101, 0x71c0, 0x7080, 0xb041,
    0x5000, 0x90c1, 0x9181, 0x5140, 0x9301, 0x53c0, 0x5280, 0x9241,
    0x9601, 0x56c0, 0x5780, 0x9741, 0x5500, 0x95c1, 0x9481, 0x5440,
    0x9c01, 0x5cc0, 0x5d80, 0x9d41, 0x5f00, 0x9fc1, 0x9e81, 0x5e40,
    0x5a00, 0x9ac1, 0x9b81, 0x5b40, 0x9901, 0x59c0, 0x5880, 0x9841,
    0x8801, 0x48c0, 0x4980, 0x8941, 0x4b00, 0x8bc1, 0x8a81, 0x4a40,
    0x4e00, 0x8ec1, 0x8f81, 0x4f40, 0x8d01, 0x4dc0, 0x4c80, 0x8c41,
    0x4400, 0x84c1, 0x8581, 0x4540, 0x8701, 0x47c0, 0x4680, 0x8641,
    0x8201, 0x42c0, 0x4380, 0x8341, 0x4100, 0x81c1, 0x8081, 0x4040,
};

uint16_t lametag_crc16(uint16_t crc, const unsigned char *data, size_t size)
{
    unsigned c = crc;

    for (size_t i = 0; i < size; i++)
        c = (c >> 8) ^ lametag_crc_table[(c ^ data[i]) & 0xffu];
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
