/*
 * test_segenc.c - the parallel segment encoder's pieces: where the cuts
 * fall as a spool is written (on the unit, inside silence with the margin,
 * the gap kept, however the audio comes in, ALOUD_ENCODE_WHOLE), reading
 * past either end as silence, and the
 * pool: every segment encoded once, sunk in order, the same bytes for any
 * number of threads, the first failure in order returned and no segment
 * sunk after it.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "segenc.h"
#include "testutil.h"

/* A spool in an unlinked temporary file: `frames` mono frames, silent but for the spans. */
static int make_spool(uint64_t frames, const uint64_t (*loud)[2], size_t n)
{
    char path[] = "/tmp/aloud-segenc-XXXXXX";
    int fd = mkstemp(path);
    int16_t *pcm = calloc(frames ? frames : 1, sizeof *pcm);

    tu_require(pcm);
    assert_true(fd >= 0);
    unlink(path);
    for (size_t i = 0; i < n; i++)
        for (uint64_t t = loud[i][0]; t < loud[i][1]; t++)
            pcm[t] = (int16_t)(t % 7 + 1);
    assert_int_equal(write(fd, pcm, frames * sizeof *pcm), (ssize_t)(frames * sizeof *pcm));
    free(pcm);
    return fd;
}

/* The segments of the spool `pcm` (`frames` mono frames), written `piece`
 * frames at a time with the cuts followed, as a writer does; *n segments. */
static uint64_t *plan(const int16_t *pcm, uint64_t frames, size_t piece, uint64_t unit,
                      uint64_t margin, uint64_t min_gap, size_t *n)
{
    FILE *spool = tmpfile();
    segenc_cuts cuts;
    uint64_t spooled = 0, *bounds = NULL;
    int fd = -1;
    aloud_error err = {0};

    tu_require(spool);
    segenc_cuts_init(&cuts, 1, unit, margin, min_gap);
    for (uint64_t at = 0; at < frames; at += piece) {
        size_t k = frames - at < piece ? (size_t)(frames - at) : piece;
        assert_int_equal(segenc_spool(spool, &cuts, pcm + at, k, 1, &spooled, "test", &err),
                         ALOUD_OK);
    }
    assert_int_equal(spooled, frames);
    assert_int_equal(segenc_plan(spool, &cuts, frames, &fd, &bounds, n, &err), ALOUD_OK);
    assert_int_equal(fd, fileno(spool));
    assert_true(*n >= 1);
    assert_int_equal(bounds[0], 0);
    assert_int_equal(bounds[*n], frames);
    segenc_cuts_free(&cuts);
    fclose(spool);
    return bounds;
}

static void test_cuts(void **state)
{
    /* Sound, with silent runs [1000, 3000), [3100, 6000) and [9000, 9500), then silence to 12000. */
    const uint64_t loud[][2] = {{0, 1000}, {3000, 3100}, {6000, 9000}, {9500, 11000}};
    int16_t *pcm = calloc(12000, sizeof *pcm);
    uint64_t *cuts;
    size_t n = 0;

    (void)state;
    tu_require(pcm);
    for (size_t i = 0; i < 4; i++)
        for (uint64_t t = loud[i][0]; t < loud[i][1]; t++)
            pcm[t] = (int16_t)(t % 7 + 1);
    /* Unit 100, margin 400, gap 0: the middle of each run long enough, on the
     * unit, however the audio comes in. */
    const size_t pieces[] = {12000, 8192, 999, 1};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        cuts = plan(pcm, 12000, pieces[p], 100, 400, 0, &n);
        assert_int_equal(n, 4);
        assert_int_equal(cuts[1], 2000);
        assert_int_equal(cuts[2], 4500);
        assert_int_equal(cuts[3], 11500); /* the trailing run, ended by the end */
        free(cuts);
    }
    /* A margin of 1000: only [3100, 6000) leaves 1000 each side of its middle. */
    cuts = plan(pcm, 12000, 4096, 100, 1000, 0, &n);
    assert_int_equal(n, 2);
    assert_int_equal(cuts[1], 4500);
    free(cuts);
    /* A gap of 3000: 2000 is too close to the start, then 4500 and 11500 are far enough. */
    cuts = plan(pcm, 12000, 4096, 100, 400, 3000, &n);
    assert_int_equal(n, 3);
    assert_int_equal(cuts[1], 4500);
    assert_int_equal(cuts[2], 11500);
    free(cuts);
    /* Unit 0 or ALOUD_ENCODE_WHOLE=1: no cut. */
    cuts = plan(pcm, 12000, 4096, 0, 400, 0, &n);
    assert_int_equal(n, 1);
    free(cuts);
    setenv("ALOUD_ENCODE_WHOLE", "1", 1);
    cuts = plan(pcm, 12000, 4096, 100, 400, 0, &n);
    unsetenv("ALOUD_ENCODE_WHOLE");
    assert_int_equal(n, 1);
    free(cuts);
    free(pcm);
}

/* Two channels: a frame is silent only when both its samples are. */
static void test_cuts_stereo(void **state)
{
    int16_t pcm[2 * 3000];
    segenc_cuts cuts;

    (void)state;
    memset(pcm, 0, sizeof pcm);
    for (size_t f = 0; f < 3000; f++)
        if (f < 500 || f >= 2500)
            pcm[2 * f] = 1;
    pcm[2 * 1500 + 1] = -1; /* the right channel breaks the run in two */
    segenc_cuts_init(&cuts, 2, 100, 600, 0);
    assert_true(segenc_cuts_feed(&cuts, pcm, 3000));
    assert_int_equal(cuts.count, 0);
    segenc_cuts_free(&cuts);
    pcm[2 * 1500 + 1] = 0;
    segenc_cuts_init(&cuts, 2, 100, 600, 0);
    assert_true(segenc_cuts_feed(&cuts, pcm, 1234));
    assert_true(segenc_cuts_feed(&cuts, pcm + 2 * 1234, 3000 - 1234));
    assert_int_equal(cuts.count, 1);
    assert_int_equal(cuts.at[0], 1500);
    segenc_cuts_free(&cuts);
}

static void test_read_pads_with_silence(void **state)
{
    const uint64_t loud[][2] = {{0, 10}};
    int fd = make_spool(10, loud, 1);
    int16_t buf[20];

    (void)state;
    assert_true(segenc_read(fd, 10, 1, -5, 20, buf));
    for (int i = 0; i < 20; i++)
        assert_int_equal(buf[i], i >= 5 && i < 15 ? (i - 5) % 7 + 1 : 0);
    close(fd);
}

/* The pool's test encoder: segment i's bytes are i repeated 1000 + 37 i times. */
typedef struct pool_ctx {
    size_t fail_at;            /* the segment whose encode fails, or SIZE_MAX */
    size_t sink_fail_at;       /* the segment whose sink fails, or SIZE_MAX */
    int encoded[64];           /* times each segment was encoded */
    size_t sunk;               /* segments sunk, in order */
    unsigned char all[200000]; /* what the sink was given */
    size_t size;
} pool_ctx;

static aloud_status pool_encode(void *ctx, size_t index, segenc_out *out, aloud_error *err)
{
    pool_ctx *p = ctx;
    unsigned char b = (unsigned char)index;

    __atomic_add_fetch(&p->encoded[index], 1, __ATOMIC_RELAXED);
    if (index == p->fail_at)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "segment %zu failed", index);
    for (size_t i = 0; i < 1000 + 37 * index; i++)
        if (!segenc_put(out, &b, 1))
            return ALOUD_ERR_NOMEM;
    return segenc_put_packet(out, "xy", 2, (int64_t)index) ? ALOUD_OK : ALOUD_ERR_NOMEM;
}

static aloud_status pool_sink(void *ctx, size_t index, const segenc_out *out, aloud_error *err)
{
    pool_ctx *p = ctx;

    assert_int_equal(index, p->sunk);
    assert_int_equal(out->count, 1);
    assert_int_equal(out->stamps[0], (int64_t)index);
    if (index == p->sink_fail_at)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "sink %zu failed", index);
    memcpy(p->all + p->size, out->data, out->size);
    p->size += out->size;
    p->sunk++;
    return ALOUD_OK;
}

static void test_pool(void **state)
{
    static pool_ctx first, p;
    aloud_error err = {0};

    (void)state;
    for (unsigned threads = 1; threads <= 5; threads++) {
        memset(&p, 0, sizeof p);
        p.fail_at = p.sink_fail_at = SIZE_MAX;
        assert_int_equal(segenc_run(40, threads, pool_encode, pool_sink, &p, NULL, &err), ALOUD_OK);
        assert_int_equal(p.sunk, 40);
        for (size_t i = 0; i < 40; i++)
            assert_int_equal(p.encoded[i], 1);
        if (threads == 1)
            first = p;
        assert_int_equal(p.size, first.size);
        assert_memory_equal(p.all, first.all, p.size);
    }
    /* An encode fails: that error, nothing sunk from it on. */
    for (unsigned threads = 1; threads <= 3; threads++) {
        memset(&p, 0, sizeof p);
        p.fail_at = 7;
        p.sink_fail_at = SIZE_MAX;
        assert_int_equal(segenc_run(40, threads, pool_encode, pool_sink, &p, NULL, &err),
                         ALOUD_ERR_WRITE);
        assert_string_equal(err.message, "segment 7 failed");
        assert_int_equal(p.sunk, 7);
        /* The sink fails: its error. */
        memset(&p, 0, sizeof p);
        p.fail_at = SIZE_MAX;
        p.sink_fail_at = 3;
        assert_int_equal(segenc_run(40, threads, pool_encode, pool_sink, &p, NULL, &err),
                         ALOUD_ERR_WRITE);
        assert_string_equal(err.message, "sink 3 failed");
        assert_int_equal(p.sunk, 3);
    }
    /* A stop already asked for cancels. */
    {
        volatile sig_atomic_t stop = 1;
        memset(&p, 0, sizeof p);
        p.fail_at = p.sink_fail_at = SIZE_MAX;
        assert_int_equal(segenc_run(5, 2, pool_encode, pool_sink, &p, &stop, &err),
                         ALOUD_ERR_CANCELLED);
        assert_int_equal(p.sunk, 0);
    }
    assert_int_equal(segenc_run(0, 2, pool_encode, pool_sink, &p, NULL, &err), ALOUD_OK);
    assert_true(segenc_thread_count(1) == 1);
    assert_true(segenc_thread_count(1000) >= 1 && segenc_thread_count(1000) <= SEGENC_MAX_THREADS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cuts),
        cmocka_unit_test(test_cuts_stereo),
        cmocka_unit_test(test_read_pads_with_silence),
        cmocka_unit_test(test_pool),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
