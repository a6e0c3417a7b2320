/*
 * test_opus.c - the Ogg Opus writer: OpusHead and the exact OpusTags
 * comments (tags, CHAPTERnnn/CHAPTERnnnNAME in order, the 999 limit),
 * the spool that never shows in the folder, identical output for
 * identical input, read-back through aloud_media_read, ffprobe's chapters
 * and ffmpeg's decoded length when they are installed, and cut or damaged
 * files.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"
#include "writer.h"

#define RATE 22050u

typedef tu_fixture fixture;

static int setup(void **state)
{
    return tu_fixture_setup(state, "opus");
}

/* Names in the fixture's folder (dot entries left out), so the spool cannot hide. */
static size_t folder_entries(const fixture *fx)
{
    DIR *d = opendir(fx->dir);
    struct dirent *e;
    size_t n = 0;

    tu_require(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int16_t test_sample(uint64_t i)
{
    /* A rough tone with some noise: something for the encoder to code. */
    return (int16_t)((int32_t)((i * 7919u) % 4096u) - 2048 + (int32_t)(i % 100u) * 40);
}

/* Where write_opus() is: the fixture and its folder's entries before open. */
typedef struct opus_watch {
    const fixture *fx;
    size_t before;
} opus_watch;

/* A tu_fill_fn: test_sample() over the interleaved samples. */
static void fill_opus(int16_t *buf, uint64_t first, size_t frames, unsigned channels, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < frames * channels; i++)
        buf[i] = test_sample(first * channels + i);
}

/* The output exists (created at open); the spool is already unlinked. */
static void check_folder(void *ctx)
{
    const opus_watch *wt = ctx;

    assert_true(folder_entries(wt->fx) <= wt->before + 1);
}

/* Writes `total` frames in odd-sized blocks; checks the folder holds only the output meanwhile. */
static aloud_status write_opus(const fixture *fx, const char *path, const writer_params *params,
                               uint64_t total, const uint64_t *chapters)
{
    opus_watch wt = {fx, folder_entries(fx)};
    const tu_pcm how = {.block = 3001, .fill = fill_opus, .ctx = &wt, .before_close = check_folder};
    aloud_status st = tu_write_audio(&writer_opus, path, params, total, chapters, &how);

    check_folder(&wt);
    return st;
}

/* ------------------------------------------------- an independent Ogg reader */

typedef struct ogg_file {
    unsigned char *packet[2];   /* OpusHead, OpusTags; owned */
    size_t packet_size[2];
    uint64_t last_granule;
    size_t pages;
    bool eos;
} ogg_file;

/* Walks every page of a one-stream file: the two header packets and the last granule. */
static void ogg_read(const unsigned char *b, size_t size, ogg_file *o)
{
    size_t pos = 0, packets = 0;

    memset(o, 0, sizeof *o);
    while (pos < size) {
        const unsigned char *h = b + pos;
        size_t segs, body = 0, at;

        assert_true(pos + 27 <= size);
        assert_memory_equal(h, "OggS", 4);
        segs = h[26];
        for (size_t i = 0; i < segs; i++)
            body += h[27 + i];
        at = pos + 27 + segs;
        assert_true(at + body <= size);
        for (size_t i = 0; i < segs && packets < 2; i++) {
            unsigned char **p = &o->packet[packets];

            *p = realloc(*p, o->packet_size[packets] + h[27 + i] + 1);
            tu_require(*p);
            memcpy(*p + o->packet_size[packets], b + at, h[27 + i]);
            o->packet_size[packets] += h[27 + i];
            at += h[27 + i];
            if (h[27 + i] < 255)
                packets++;
        }
        o->last_granule = (uint64_t)tu_le32(h + 6) | (uint64_t)tu_le32(h + 10) << 32;
        o->eos = (h[5] & 4) != 0;
        o->pages++;
        pos += 27 + segs + body;
    }
    assert_int_equal(packets, 2);
}

static void ogg_free(ogg_file *o)
{
    free(o->packet[0]);
    free(o->packet[1]);
}

/* The comments of OpusTags, one string each, into out[] (pointers into the packet). */
static size_t opus_comments(const ogg_file *o, const char **out, size_t *lens, size_t max)
{
    const unsigned char *p = o->packet[1];
    size_t pos = 8, n;

    assert_memory_equal(p, "OpusTags", 8);
    pos += 4 + tu_le32(p + 8);
    n = tu_le32(p + pos);
    pos += 4;
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        lens[i] = tu_le32(p + pos);
        out[i] = (const char *)p + pos + 4;
        pos += 4 + lens[i];
        assert_true(pos <= o->packet_size[1]);
    }
    return n;
}

static void assert_comment(const char *got, size_t len, const char *want)
{
    if (len != strlen(want) || memcmp(got, want, len) != 0)
        fail_msg("comment '%.*s', want '%s'", (int)len, got, want);
}

/* ------------------------------------------------------------------- tests */

/* The table finds the writer by name and by extension, in any case. */
static void test_format_table(void **state)
{
    (void)state;
    assert_ptr_equal(aloud_format_by_name("opus"), &formats_opus);
    assert_ptr_equal(aloud_format_by_path("out/a.OPUS"), &formats_opus);
    assert_string_equal(aloud_format_extension(&formats_opus), "opus");
    assert_ptr_equal(formats_opus.writer, &writer_opus);
}

static const char *const three_titles[] = {"Intro", "Zw\xc3\xb6lf = zw\xc3\xb6lf", ""};
/* 11 frames = 0.499 ms (rounds down), 33075 = 1.5 s, 66149 = 2999.95 ms (rounds up). */
static const uint64_t three_frames[] = {0, 33075, 66149};
#define THREE_TOTAL 88200u

static void test_head_and_comments(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "Der Titel",
                       .author = "Ada", .software = "aloud-test 1.0", .chapter_count = 3,
                       .chapter_titles = three_titles};
    static const char *const want[] = {
        "TITLE=Der Titel",         "ARTIST=Ada",
        "ENCODER=aloud-test 1.0",  "CHAPTER001=00:00:00.000",
        "CHAPTER001NAME=Intro",    "CHAPTER002=00:00:01.500",
        "CHAPTER002NAME=Zw\xc3\xb6lf = zw\xc3\xb6lf", "CHAPTER003=00:00:03.000",
        "CHAPTER003NAME=",
    };
    const char *got[32];
    size_t lens[32], size, n;
    unsigned char *b;
    ogg_file o;
    unsigned preskip;

    tu_path(fx, "three.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    ogg_read(b, size, &o);
    /* OpusHead: version 1, one channel, pre-skip, the input rate, mapping family 0. */
    assert_int_equal(o.packet_size[0], 19);
    assert_memory_equal(o.packet[0], "OpusHead\x01\x01", 10);
    preskip = (unsigned)(o.packet[0][10] | o.packet[0][11] << 8);
    assert_true(preskip > 0);
    assert_int_equal(tu_le32(o.packet[0] + 12), RATE);
    assert_int_equal(o.packet[0][18], 0);
    n = opus_comments(&o, got, lens, 32);
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++)
        assert_comment(got[i], lens[i], want[i]);
    /* The stream ends where the input does: the writer rounds the 48 kHz end up. */
    assert_true(o.eos);
    assert_int_equal(o.last_granule - preskip, (THREE_TOTAL * 48000u + RATE - 1) / RATE);
    ogg_free(&o);
    free(b);
}

/*
 * Times past a minute at a low rate, so that the test stays fast (the time
 * format is the FLAC writer's, tested there past an hour); the 999 limit.
 */
static void test_long_times_and_limit(void **state)
{
    fixture *fx = *state;
    enum { N = 1001 };
    static char names[N][16];
    static const char *titles[N];
    static uint64_t frames[N];
    const char *got[2 * N + 8];
    static size_t lens[2 * N + 8];
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = 8000, .channels = 1, .chapter_count = N,
                       .chapter_titles = titles};
    unsigned char *b;
    size_t size, n;
    ogg_file o;

    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "T%zu", i + 1);
        titles[i] = names[i];
        frames[i] = i; /* one frame apart: 0.125 ms */
    }
    frames[N - 2] = 8000u * 62u + 3652u; /* 62.4565 s: 00:01:02.457 */
    frames[N - 1] = frames[N - 2];
    tu_path(fx, "long.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, frames[N - 1] + 8, frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    ogg_read(b, size, &o);
    n = opus_comments(&o, got, lens, 2 * N + 8);
    assert_int_equal(n, 2 * 999); /* chapters 1000 and 1001 get no comments */
    assert_comment(got[0], lens[0], "CHAPTER001=00:00:00.000");
    assert_comment(got[2 * 4], lens[2 * 4], "CHAPTER005=00:00:00.001"); /* 0.5 ms rounds up */
    assert_comment(got[2 * 998 + 1], lens[2 * 998 + 1], "CHAPTER999NAME=T999");
    ogg_free(&o);
    free(b);
    frames[998] = frames[N - 1];
    assert_int_equal(write_opus(fx, path, &p, frames[N - 1] + 8, frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    ogg_read(b, size, &o);
    n = opus_comments(&o, got, lens, 2 * N + 8);
    assert_comment(got[2 * 998], lens[2 * 998], "CHAPTER999=00:01:02.457");
    ogg_free(&o);
    free(b);
}

static void test_read_back(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "T\xc3\xadtulo",
                       .author = "Ada Lovelace", .software = "aloud-test 1.0",
                       .chapter_count = 3, .chapter_titles = three_titles};
    writer_params bare = {.sample_rate = RATE, .channels = 2};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "r.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->format, "opus");
    assert_int_equal(m->sample_rate, RATE); /* the input's, from OpusHead */
    assert_int_equal(m->channels, 1);
    assert_int_equal(m->frames, THREE_TOTAL); /* exact: floor undoes the writer's ceiling */
    assert_string_equal(m->title, "T\xc3\xadtulo");
    assert_string_equal(m->author, "Ada Lovelace");
    assert_string_equal(m->software, "aloud-test 1.0");
    assert_int_equal(m->chapter_count, 3);
    for (size_t i = 0; i < 3; i++) {
        uint64_t ms = (three_frames[i] * 1000u + RATE / 2u) / RATE;

        assert_int_equal(m->chapters[i].frame, (ms * RATE + 500u) / 1000u);
        assert_string_equal(m->chapters[i].title, three_titles[i]);
    }
    aloud_media_free(m);

    /* Odd lengths at other rates come back exact too; stereo says two channels. */
    for (uint64_t total = 1; total < 5000; total = total * 3 + 7) {
        tu_path(fx, "bare.opus", path, sizeof path);
        assert_int_equal(write_opus(fx, path, &bare, total, NULL), ALOUD_OK);
        assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
        assert_int_equal(m->frames, total);
        assert_int_equal(m->channels, 2);
        assert_null(m->title);
        assert_int_equal(m->chapter_count, 0);
        aloud_media_free(m);
    }
}

/* The same input gives the same bytes: no random serial number. */
static void test_deterministic(void **state)
{
    fixture *fx = *state;
    char a[PATH_MAX + 32], b[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "T", .chapter_count = 3,
                       .chapter_titles = three_titles};
    unsigned char *x, *y;
    size_t nx, ny;

    tu_path(fx, "a.opus", a, sizeof a);
    tu_path(fx, "b.opus", b, sizeof b);
    assert_int_equal(write_opus(fx, a, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    assert_int_equal(write_opus(fx, b, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    x = tu_read_all(a, &nx);
    y = tu_read_all(b, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    free(x);
    free(y);
}

/* The bitrate parameter reaches the encoder: a quarter of the rate, a much smaller file. */
static void test_bitrate(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .bitrate = 64000};
    struct stat hi, lo;

    tu_path(fx, "hi.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, 10u * RATE, NULL), ALOUD_OK);
    assert_int_equal(stat(path, &hi), 0);
    p.bitrate = 16000;
    tu_path(fx, "lo.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, 10u * RATE, NULL), ALOUD_OK);
    assert_int_equal(stat(path, &lo), 0);
    /* VBR: about 80 KB and 20 KB for these 10 s; allow for the encoder's choices. */
    assert_true(lo.st_size * 2 < hi.st_size);
    assert_true(hi.st_size < 10 * 64000 / 8 * 5 / 4);
}

static void test_bad_input(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"a", "b"};
    const char *bad_utf8[] = {"fine", "bad \xff byte"};
    const uint64_t descending[] = {10, 5};
    const uint64_t past_end[] = {0, 1001};
    writer_params p = {.sample_rate = RATE, .channels = 1, .chapter_count = 2,
                       .chapter_titles = titles};
    writer_params q = p;
    writer *w = NULL;
    aloud_error err = {0};
    const int16_t pcm[8] = {0};

    tu_path(fx, "bad.opus", path, sizeof path);
    q.chapter_titles = bad_utf8;
    assert_int_equal(writer_opus.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    assert_null(w);
    q = p;
    q.bitrate = 5999;
    assert_int_equal(writer_opus.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q.bitrate = 512001;
    assert_int_equal(writer_opus.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q = p;
    q.channels = 0;
    assert_int_equal(writer_opus.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q = p;
    q.title = "\xc3";
    assert_int_equal(writer_opus.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    assert_int_equal(write_opus(fx, path, &p, 1000, descending), ALOUD_ERR_ARG);
    assert_int_equal(write_opus(fx, path, &p, 1000, past_end), ALOUD_ERR_ARG);
    assert_int_equal(writer_opus.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_opus.write(w, pcm, 8, &err), ALOUD_OK);
    assert_int_equal(writer_opus.write(w, NULL, 1, &err), ALOUD_ERR_ARG);
    writer_opus.abort(w);
    writer_opus.abort(NULL);
    assert_int_equal(folder_entries(fx), 1); /* the output the caller removes; no spool */
    assert_int_equal(writer_opus.close(NULL, NULL, &err), ALOUD_ERR_ARG);
    tu_path(fx, "no-such-dir/x.opus", path, sizeof path);
    assert_int_equal(writer_opus.open(path, &p, &w, &err), ALOUD_ERR_WRITE);
    assert_null(w);
}

/* Page checksum over a page in b[0..]; what a writer of a broken file must get right. */
static uint32_t ogg_crc(const unsigned char *p, size_t n)
{
    uint32_t crc = 0;

    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int k = 0; k < 8; k++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* Cuts are ALOUD_ERR_MEDIA; damaged headers fail their checksum; flips never crash. */
static void test_truncated_and_corrupt(void **state)
{
    fixture *fx = *state;
    char good[PATH_MAX + 32], bad[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "T", .chapter_count = 3,
                       .chapter_titles = three_titles};
    unsigned char *b, *c;
    size_t size, first_page;
    uint32_t seed = 777;

    tu_path(fx, "good.opus", good, sizeof good);
    tu_path(fx, "bad.opus", bad, sizeof bad);
    assert_int_equal(write_opus(fx, good, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    b = tu_read_all(good, &size);
    for (size_t cut = 0; cut < size; cut += cut < 600 ? 1 : 37) {
        aloud_media *m = NULL;
        aloud_error err = {0};
        aloud_status st;

        tu_write_bytes(bad, b, cut);
        st = aloud_media_read(bad, &m, &err);
        if (st != ALOUD_ERR_MEDIA)
            print_error("cut at %zu of %zu: status %d\n", cut, size, (int)st);
        assert_int_equal(st, ALOUD_ERR_MEDIA);
        assert_null(m);
    }
    c = malloc(size);
    tu_require(c);
    /* A changed byte in OpusHead's page: the checksum catches it. */
    first_page = 27u + (size_t)b[26] + (size_t)b[27];
    memcpy(c, b, size);
    c[first_page - 5] ^= 0x10;
    tu_write_bytes(bad, c, size);
    {
        aloud_media *m = NULL;
        aloud_error err = {0};

        assert_int_equal(aloud_media_read(bad, &m, &err), ALOUD_ERR_MEDIA);
        assert_non_null(strstr(err.message, "checksum"));
    }
    /* A Vorbis-like first packet, checksum fixed up: an Ogg file that is not Opus. */
    memcpy(c, b, size);
    memcpy(c + 28, "\x01vorbis", 7);
    memset(c + 22, 0, 4);
    {
        uint32_t crc = ogg_crc(c, first_page);
        aloud_media *m = NULL;
        aloud_error err = {0};

        for (int i = 0; i < 4; i++)
            c[22 + i] = (unsigned char)(crc >> (8 * i));
        tu_write_bytes(bad, c, size);
        assert_int_equal(aloud_media_read(bad, &m, &err), ALOUD_ERR_MEDIA);
        assert_non_null(strstr(err.message, "not Opus"));
    }
    for (int round = 0; round < 300; round++) {
        aloud_media *m = NULL;
        aloud_error err = {0};
        aloud_status st;

        memcpy(c, b, size);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1664525u + 1013904223u;
            c[(seed >> 8) % size] = (unsigned char)(seed >> 24);
        }
        tu_write_bytes(bad, c, size);
        st = aloud_media_read(bad, &m, &err);
        assert_true(st == ALOUD_OK || st == ALOUD_ERR_MEDIA);
        aloud_media_free(m);
    }
    free(c);
    free(b);
}

/* ffprobe: exactly one titled chapter per paragraph, at the millisecond we wrote. */
static void test_ffprobe_chapters(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128], want[256];
    const char *titles[] = {"Intro", "Zw\xc3\xb6lf \"quoted\"", "Ende"};
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "Title", .author = "Author",
                       .software = "aloud-test", .chapter_count = 3, .chapter_titles = titles};
    char *out;
    const char *at;
    size_t count = 0;

    if (!tu_have_tool("ffprobe"))
        skip();
    tu_path(fx, "probe.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    snprintf(cmd, sizeof cmd, "ffprobe -v error -show_chapters -of json '%s'", path);
    out = tu_run(cmd, NULL);
    for (at = out; (at = strstr(at, "\"id\": ")) != NULL; at++)
        count++;
    assert_int_equal(count, 3);
    for (size_t i = 0; i < 3; i++) {
        uint64_t ms = (three_frames[i] * 1000u + RATE / 2u) / RATE;

        snprintf(want, sizeof want, "\"time_base\": \"1/1000\",\n            \"start\": %" PRIu64
                                    ",", ms);
        tu_require(strstr(out, want));
    }
    tu_require(strstr(out, "\"title\": \"Intro\""));
    tu_require(strstr(out, "\"title\": \"Zw\xc3\xb6lf \\\"quoted\\\"\""));
    tu_require(strstr(out, "\"title\": \"Ende\""));
    free(out);
}

/* ffmpeg decodes ceil(frames * 48000 / 22050) samples: pre-skip and end trimmed. */
static void test_ffmpeg_length(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128];
    writer_params p = {.sample_rate = RATE, .channels = 1};
    size_t bytes;
    char *pcm;

    if (!tu_have_tool("ffmpeg"))
        skip();
    tu_path(fx, "decode.opus", path, sizeof path);
    assert_int_equal(write_opus(fx, path, &p, THREE_TOTAL + 17, NULL), ALOUD_OK);
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -f s16le -acodec pcm_s16le -", path);
    pcm = tu_run(cmd, &bytes);
    assert_int_equal(bytes / 2, ((THREE_TOTAL + 17) * 48000u + RATE - 1) / RATE);
    free(pcm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_table),
        cmocka_unit_test_setup_teardown(test_head_and_comments, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_long_times_and_limit, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_read_back, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bitrate, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_and_corrupt, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffprobe_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffmpeg_length, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
