/*
 * test_ogg_pages.c - joining packets into one Ogg stream, and resampling in
 * pieces: the pages read back (sync, flags, sequence, granules, a CRC
 * computed here bit by bit) give back every packet; a packet larger than a
 * page continues on the next; and the stateless resampler gives the same
 * samples for any split of its output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ogg_pages.h"
#include "resample.h"

/* The Ogg CRC, bit by bit: polynomial 0x04c11db7, initial 0, no reflection. */
static uint32_t slow_crc(const unsigned char *p, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct page_info {
    unsigned flags;
    uint64_t granule;
    uint32_t sequence;
} page_info;

static void test_packets_round_trip(void **state)
{
    (void)state;
    enum { PACKETS = 300 };
    static unsigned char data[PACKETS][1300];
    static unsigned char big[70000];
    size_t sizes[PACKETS + 2];
    char *buf = NULL;
    size_t buf_size = 0;
    FILE *f = open_memstream(&buf, &buf_size);
    assert_non_null(f);
    oggw *o = oggw_create(f, 0x1234567u);
    assert_non_null(o);

    /* A first packet that ends its page, a big one across pages, then audio. */
    memset(big, 0xab, sizeof big);
    assert_int_equal(oggw_packet(o, (const unsigned char *)"head", 4, 0, true, false, NULL),
                     ALOUD_OK);
    assert_int_equal(oggw_packet(o, big, sizeof big, 0, true, false, NULL), ALOUD_OK);
    sizes[0] = 4;
    sizes[1] = sizeof big;
    for (size_t i = 0; i < PACKETS; i++) {
        size_t n = i == 7 ? 255 : i == 8 ? 0 : 1 + (i * 37) % 1290; /* 255 needs a 0 lacing */
        for (size_t k = 0; k < n; k++)
            data[i][k] = (unsigned char)(i + k);
        sizes[i + 2] = n;
        assert_int_equal(oggw_packet(o, data[i], n, 960u * (i + 1), false, i + 1 == PACKETS,
                                     NULL),
                         ALOUD_OK);
    }
    oggw_free(o);
    fclose(f);

    /* Read back. */
    const unsigned char *p = (const unsigned char *)buf, *end = p + buf_size;
    page_info pages[512];
    size_t page_count = 0, packet = 0, got = 0;
    unsigned char *acc = malloc(sizeof big);
    assert_non_null(acc);
    while (p < end) {
        assert_true(end - p >= 27);
        assert_memory_equal(p, "OggS", 4);
        assert_int_equal(p[4], 0);
        size_t segs = p[26], body = 0;
        for (size_t s = 0; s < segs; s++)
            body += p[27 + s];
        size_t total = 27 + segs + body;
        unsigned char *copy = malloc(total);
        assert_non_null(copy);
        memcpy(copy, p, total);
        memset(copy + 22, 0, 4);
        assert_int_equal(le32(p + 22), slow_crc(copy, total));
        free(copy);
        assert_int_equal(le32(p + 14), 0x1234567u);
        assert_true(page_count < 512);
        pages[page_count].flags = p[5];
        pages[page_count].granule = le32(p + 6) | (uint64_t)le32(p + 10) << 32;
        pages[page_count].sequence = le32(p + 18);
        assert_int_equal(pages[page_count].sequence, page_count);
        /* continued flag: the page starts inside a packet */
        assert_int_equal((p[5] & 1u) != 0, got > 0);
        const unsigned char *b = p + 27 + segs;
        for (size_t s = 0; s < segs; s++) {
            memcpy(acc + got, b, p[27 + s]);
            got += p[27 + s];
            b += p[27 + s];
            if (p[27 + s] < 255) {
                assert_true(packet < PACKETS + 2);
                assert_int_equal(got, sizes[packet]);
                const unsigned char *want = packet == 0   ? (const unsigned char *)"head"
                                            : packet == 1 ? big
                                                          : data[packet - 2];
                if (got)
                    assert_memory_equal(acc, want, got);
                packet++;
                got = 0;
            }
        }
        p += total;
        page_count++;
    }
    assert_int_equal(packet, PACKETS + 2);
    assert_int_equal(pages[0].flags, 2u);                  /* BOS, alone */
    assert_true(pages[page_count - 1].flags & 4u);         /* EOS */
    assert_int_equal(pages[page_count - 1].granule, 960u * PACKETS);
    /* The big packet spans pages: the ones it does not end on have no granule. */
    assert_int_equal(pages[1].granule, UINT64_MAX);
    for (size_t i = 3; i < page_count; i++)
        assert_true(pages[i].granule >= pages[i - 1].granule || pages[i - 1].granule == UINT64_MAX);
    free(acc);
    free(buf);
}

static void test_resample_in_pieces(void **state)
{
    (void)state;
    enum { IN = 22050, CH = 2 };
    static int16_t in[IN * CH];
    for (size_t i = 0; i < IN * CH; i++)
        in[i] = (int16_t)((i * 7919u) % 20000u) - 10000;
    resampler *r = resampler_create(22050, 48000);
    assert_non_null(r);
    uint64_t out_n = resample_length(r, IN);
    assert_int_equal(out_n, (IN * 48000u + 22049u) / 22050u);
    float *whole = malloc(sizeof *whole * out_n * CH), *piece = malloc(sizeof *piece * out_n * CH);
    int16_t *span = malloc(sizeof *span * (IN + 64) * CH);
    assert_non_null(whole);
    assert_non_null(piece);
    assert_non_null(span);

    /* Whole, then in odd pieces; each piece reads only the span it names. */
    uint64_t cuts[] = {0, 1, 960, 4321, 17000, 30000, out_n};
    for (int pass = 0; pass < 2; pass++) {
        float *dst = pass ? piece : whole;
        for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; c++) {
            uint64_t a = pass ? cuts[c] : (c == 0 ? 0 : out_n), b = pass ? cuts[c + 1] : out_n;
            if (a >= b)
                continue;
            int64_t first;
            size_t count;
            resample_span(r, a, (size_t)(b - a), &first, &count);
            for (size_t k = 0; k < count; k++) {
                int64_t at = first + (int64_t)k;
                for (int ch = 0; ch < CH; ch++)
                    span[k * CH + (size_t)ch] = at >= 0 && at < IN ? in[(size_t)at * CH + (size_t)ch] : 0;
            }
            resample_run(r, span, CH, a, (size_t)(b - a), dst + a * CH);
        }
    }
    assert_memory_equal(whole, piece, sizeof *whole * out_n * CH);
    /* DC passes at unity: a constant input stays constant inside. */
    for (size_t i = 0; i < IN * CH; i++)
        in[i] = 16384;
    int64_t first;
    size_t count;
    resample_span(r, 1000, 100, &first, &count);
    for (size_t k = 0; k < count * CH; k++)
        span[k] = 16384;
    resample_run(r, span, CH, 1000, 100, piece);
    for (size_t k = 0; k < 100 * CH; k++)
        assert_true(piece[k] > 0.4999f && piece[k] < 0.5001f);
    assert_null(resampler_create(0, 48000));
    resampler_free(NULL);
    resampler_free(r);
    free(whole);
    free(piece);
    free(span);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packets_round_trip),
        cmocka_unit_test(test_resample_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
