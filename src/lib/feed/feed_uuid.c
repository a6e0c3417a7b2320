/* feed_uuid.c - SHA-1 and version 5 UUIDs (feed_uuid.h). */
#include "feed_uuid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const unsigned char feed_uuid_podcast_ns[16] = {0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58, 0x58, 0xc6,
                                                0xa2, 0xc6, 0xa6, 0xb2, 0x8d, 0x12, 0x8c, 0xb6};

static uint32_t feed_rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

/* One 64-byte block into the state h[5]. */
static void feed_sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16
               | (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = feed_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = feed_rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = feed_rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void feed_sha1(const void *data, size_t size, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const unsigned char *p = data;
    size_t left = size;
    for (; left >= 64; left -= 64, p += 64)
        feed_sha1_block(h, p);
    /* The last bytes, a 1 bit, zeros, and the length in bits: one or two blocks. */
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80u;
    size_t blocks = left < 56 ? 1 : 2;
    uint64_t bits = (uint64_t)size * 8u;
    for (int i = 0; i < 8; i++)
        tail[blocks * 64 - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
    for (size_t i = 0; i < blocks; i++)
        feed_sha1_block(h, tail + 64 * i);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(h[i] >> 8);
        out[4 * i + 3] = (unsigned char)h[i];
    }
}

void feed_uuid5(const unsigned char ns[16], const char *name, char out[37])
{
    size_t len = strlen(name);
    unsigned char digest[20];
    unsigned char *buf = malloc(16 + len);
    if (!buf) {
        /* Nothing to hash with: the nil UUID says so rather than a wrong one. */
        snprintf(out, 37, "00000000-0000-0000-0000-000000000000");
        return;
    }
    memcpy(buf, ns, 16);
    memcpy(buf + 16, name, len);
    feed_sha1(buf, 16 + len, digest);
    free(buf);
    digest[6] = (unsigned char)((digest[6] & 0x0Fu) | 0x50u); /* version 5 */
    digest[8] = (unsigned char)((digest[8] & 0x3Fu) | 0x80u); /* RFC 4122 variant */
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        o += sprintf(o, "%02x", digest[i]);
    }
    *o = '\0';
}

void feed_podcast_guid(const char *url, char out[37])
{
    const char *start = url;
    if (strncmp(start, "https://", 8) == 0)
        start += 8;
    else if (strncmp(start, "http://", 7) == 0)
        start += 7;
    size_t len = strlen(start);
    while (len > 0 && start[len - 1] == '/')
        len--;
    char *name = strndup(start, len);
    if (!name) {
        snprintf(out, 37, "00000000-0000-0000-0000-000000000000");
        return;
    }
    feed_uuid5(feed_uuid_podcast_ns, name, out);
    free(name);
}
