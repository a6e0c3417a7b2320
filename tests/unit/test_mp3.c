/*
 * test_mp3.c - the MP3 writer: the ID3v2 tag at the start (byte for byte
 * against the id3v2 module and hand-computed times), its in-place rewrite,
 * LAME's Info frame (frame and byte counts, encoder delay and padding)
 * agreeing with the audio, read-back through aloud_media_read, ffprobe's
 * chapters and ffmpeg's decoded length when they are installed, the
 * no-LAME-header case at a low bitrate, and cut or damaged files; the
 * Info frame of a joined stream (lametag.c) against LAME's own for a
 * stream it encoded whole, and a long file encoded in segments: the frame
 * count, delay and padding of one encoder through, decoded to the sample.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
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
#include "id3v2.h"
#include "lametag.h"
#include "writer.h"

#include <lame/lame.h>

#define RATE 22050u
#define SPF 576u            /* samples per MPEG-2 Layer III frame */
#define LAME_DELAY 576u     /* LAME's encoder delay, in its Info frame */
#define DECODER_DELAY 529u  /* what a player without the Info frame also plays first */

typedef tu_fixture fixture;

static int setup(void **state)
{
    return tu_fixture_setup(state, "mp3");
}

/*
 * Quiet, with a loud 1 kHz burst of 30 ms at every chapter start: speech
 * starting where the chapter says, so the decoded audio can be checked
 * against the chapter times.
 */
static int16_t test_sample(uint64_t i, const uint64_t *chapters, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        if (i >= chapters[c] && i < chapters[c] + RATE * 30u / 1000u)
            return (int16_t)(16000.0 * sin(2.0 * 3.14159265358979 * 1000.0
                                           * (double)(i - chapters[c]) / RATE));
    }
    return 0;
}

static ino_t last_open_inode;

/* Writes `total` frames (bursts at the chapters) in odd-sized blocks; returns close()'s status. */
/* What fill_mp3() needs: the chapters, or NULL, and how many. */
typedef struct mp3_bursts {
    const uint64_t *chapters;
    size_t count;
} mp3_bursts;

/* A tu_fill_fn: test_sample() of each frame, the same in every channel. */
static void fill_mp3(int16_t *buf, uint64_t first, size_t frames, unsigned channels, void *ctx)
{
    const mp3_bursts *b = ctx;

    for (size_t i = 0; i < frames; i++) {
        int16_t v = test_sample(first + i, b->chapters, b->count);

        for (unsigned c = 0; c < channels; c++)
            buf[i * channels + c] = v;
    }
}

static aloud_status write_mp3(const char *path, const writer_params *params, uint64_t total,
                              const uint64_t *chapters)
{
    mp3_bursts b = {chapters, chapters ? params->chapter_count : 0};
    const tu_pcm how = {.block = 3001, .fill = fill_mp3, .ctx = &b, .open_inode = &last_open_inode};

    return tu_write_audio(&writer_mp3, path, params, total, chapters, &how);
}

/* Whether the 4 bytes of `what` occur in b[0..size). */
static bool contains(const unsigned char *b, size_t size, const char *what)
{
    for (size_t i = 0; i + 4 <= size; i++) {
        if (memcmp(b + i, what, 4) == 0)
            return true;
    }
    return false;
}

/* Frame size of an MPEG-2 Layer III header at 22050 Hz (what the writer makes). */
static size_t frame_size(const unsigned char *h)
{
    static const unsigned kbps[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                      160, 0};

    assert_int_equal(h[0], 0xff);
    assert_int_equal(h[1] & 0xfe, 0xf2); /* MPEG-2, Layer III */
    assert_int_equal((h[2] >> 2) & 3, 0); /* 22050 Hz */
    return 72000u * kbps[h[2] >> 4] / RATE + ((h[2] >> 1) & 1u);
}

/* Frames from `offset` to the end of the file, each header checked. */
static size_t count_frames(const unsigned char *b, size_t size, size_t offset)
{
    size_t n = 0;

    while (offset < size) {
        size_t fs = frame_size(b + offset);

        assert_true(offset + fs <= size);
        offset += fs;
        n++;
    }
    assert_int_equal(offset, size);
    return n;
}

static uint64_t ms_of(uint64_t frame)
{
    /* Independent of the writer's arithmetic: exact in double for these sizes. */
    return (uint64_t)((double)frame * 1000.0 / RATE + 0.5);
}

static const char *const three_titles[] = {"Intro", "Zw\xc3\xb6lf \"quoted\"", "Ende"};
static const uint64_t three_frames[] = {0, 33075, 66149}; /* 0, 1500, 2999.95 -> 3000 ms */
#define THREE_TOTAL 88200u                               /* 4 s */

/* ------------------------------------------------------------------- tests */

/* The table finds the writer by name and by extension, in any case. */
static void test_format_table(void **state)
{
    (void)state;
    assert_ptr_equal(aloud_format_by_name("mp3"), &formats_mp3);
    assert_ptr_equal(aloud_format_by_path("out/a.MP3"), &formats_mp3);
    assert_string_equal(aloud_format_extension(&formats_mp3), "mp3");
    assert_ptr_equal(formats_mp3.writer, &writer_mp3);
}

static void test_layout(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "Der Titel",
                       .author = "Ada", .software = "aloud-test 1.0", .chapter_count = 3,
                       .chapter_titles = three_titles};
    const id3_chapter_spec want_ch[] = {
        {"Intro", 0, 1500}, {"Zw\xc3\xb6lf \"quoted\"", 1500, 3000}, {"Ende", 3000, 4000}};
    id3_tag_spec want_spec = {"Der Titel", "Ada", "aloud-test 1.0", 3, want_ch, 0, 0, NULL, NULL, 0, NULL};
    unsigned char *want, *b;
    size_t want_size, size, frames;
    aloud_error err = {0};
    struct stat sb;
    const unsigned char *info, *lame;
    uint32_t delay_pad;

    tu_path(fx, "three.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_ino, last_open_inode); /* rewritten in place, not replaced */
    b = tu_read_all(path, &size);

    /* The tag is exactly what the module builds from the hand-computed times. */
    assert_int_equal(ms_of(three_frames[2]), 3000);
    assert_int_equal(id3_tag_build(&want_spec, &want, &want_size, &err), ALOUD_OK);
    assert_true(size > want_size);
    assert_memory_equal(b, want, want_size);

    /* Then LAME's Info frame: Xing fields and the LAME extension. */
    info = b + want_size;
    frames = count_frames(b, size, want_size);
    assert_memory_equal(info + 4 + 9, "Info", 4); /* CBR; after MPEG-2 mono side info */
    assert_int_equal(tu_be32(info + 17), 0x0f);      /* frames, bytes, TOC, quality */
    assert_int_equal(tu_be32(info + 21), frames - 1); /* the audio frames, the Info frame not counted */
    assert_int_equal(tu_be32(info + 25), size - want_size); /* the MP3 stream, our tag not counted */
    lame = info + 4 + 9 + 120;
    assert_memory_equal(lame, "LAME", 4);
    delay_pad = (uint32_t)lame[21] << 16 | (uint32_t)lame[22] << 8 | lame[23];
    assert_int_equal(delay_pad >> 12, LAME_DELAY);
    assert_int_equal((frames - 1) * SPF - LAME_DELAY - (delay_pad & 0xfff), THREE_TOTAL);
    free(want);
    free(b);
}

static void test_read_back(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "T\xc3\xadtulo",
                       .author = "Ada Lovelace", .software = "aloud-test 1.0",
                       .chapter_count = 3, .chapter_titles = three_titles};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "r.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->format, "mp3");
    assert_int_equal(m->sample_rate, RATE);
    assert_int_equal(m->channels, 1);
    assert_int_equal(m->frames, THREE_TOTAL); /* frames less the LAME delay and padding */
    assert_string_equal(m->title, "T\xc3\xadtulo");
    assert_string_equal(m->author, "Ada Lovelace");
    assert_string_equal(m->software, "aloud-test 1.0");
    assert_int_equal(m->chapter_count, 3);
    for (size_t i = 0; i < 3; i++) {
        /* frame -> nearest ms (written) -> nearest frame (read) */
        assert_int_equal(m->chapters[i].frame, (ms_of(three_frames[i]) * RATE + 500) / 1000);
        assert_string_equal(m->chapters[i].title, three_titles[i]);
    }
    aloud_media_free(m);
}

static void test_no_chapters_no_tags(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1};
    unsigned char *b;
    size_t size;
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "bare.mp3", path, sizeof path);
    /* No audio at all: LAME's flush still makes frames, the Info frame says none are sound. */
    assert_int_equal(write_mp3(path, &p, 0, NULL), ALOUD_OK);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, 0);
    aloud_media_free(m);
    m = NULL;
    assert_int_equal(write_mp3(path, &p, 1000, NULL), ALOUD_OK);
    b = tu_read_all(path, &size);
    assert_memory_equal(b, "ID3\x03\0\0\0\0\0\0", 10); /* an empty tag: nothing to say */
    free(b);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, 1000);
    assert_null(m->title);
    assert_int_equal(m->chapter_count, 0);
    aloud_media_free(m);
}

/* Stereo input works (LAME's interleaved call), and the reader says two channels. */
static void test_stereo(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const uint64_t frames[] = {0, 10000};
    const char *titles[] = {"a", "b"};
    writer_params p = {.sample_rate = RATE, .channels = 2, .chapter_count = 2,
                       .chapter_titles = titles};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "stereo.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, 20000, frames), ALOUD_OK);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->channels, 2);
    assert_int_equal(m->frames, 20000);
    aloud_media_free(m);
}

/*
 * 255 chapters, the most one CTOC lists: all in the one top-level table.
 */
static void test_255_chapters(void **state)
{
    fixture *fx = *state;
    enum { N = 255 };
    static char names[N][24];
    static const char *titles[N];
    static uint64_t frames[N];
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .chapter_count = N,
                       .chapter_titles = titles};
    aloud_media *m = NULL;
    aloud_error err = {0};
    unsigned char *b;
    size_t size;
    id3_tag *t = NULL;

    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "Teil %zu", i + 1);
        titles[i] = names[i];
        frames[i] = i * 441u + (i % 3u);
    }
    tu_path(fx, "255.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, N * 441u, frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    assert_int_equal(id3_tag_parse(b, size, &t, &err), ALOUD_OK);
    tu_require(t);
    assert_int_equal(t->toc_count, 1); /* one flat top-level table of contents */
    assert_true(t->tocs[0].top_level);
    assert_int_equal(t->tocs[0].child_count, 255);
    assert_int_equal(t->chapters[N - 1].end_ms, ms_of(N * 441u));
    id3_tag_free(t);
    free(b);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(m->chapters[i].frame, (ms_of(frames[i]) * RATE + 500) / 1000);
        assert_string_equal(m->chapters[i].title, titles[i]);
    }
    aloud_media_free(m);
}


/*
 * At 32 kb/s a 22050 Hz frame (104 bytes) cannot hold LAME's header: no
 * Info frame, so every player plays LAME's delay first and the chapter
 * times include it (1105 frames); the reader counts every frame.
 */
static void test_low_bitrate_no_info(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .chapter_count = 3,
                       .chapter_titles = three_titles, .bitrate = 32000};
    unsigned char *b;
    size_t size;
    id3_tag *t = NULL;
    aloud_media *m = NULL;
    aloud_error err = {0};
    const uint64_t lead = LAME_DELAY + DECODER_DELAY;
    uint64_t frames;

    tu_path(fx, "low.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    assert_int_equal(id3_tag_parse(b, size, &t, &err), ALOUD_OK);
    tu_require(t);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(t->chapters[i].start_ms, ms_of(three_frames[i] + lead));
    assert_int_equal(t->chapters[2].end_ms, ms_of(THREE_TOTAL + lead));
    frames = count_frames(b, size, id3_tag_total_size(b, size));
    assert_false(contains(b, size, "Info"));
    assert_false(contains(b, size, "Xing"));
    assert_int_equal(frame_size(b + id3_tag_total_size(b, size)), 104);
    id3_tag_free(t);
    free(b);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, frames * SPF);
    assert_true(m->frames >= THREE_TOTAL + lead);
    aloud_media_free(m);
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

    tu_path(fx, "bad.mp3", path, sizeof path);
    q.bitrate = 7999;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    assert_null(w);
    q.bitrate = 320001;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    /* 22050 Hz is MPEG-2, whose top is 160: LAME capped 192 and 320 silently. */
    q.bitrate = 192000;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    assert_non_null(strstr(err.message, "144 or 160 kb/s"));
    q.bitrate = 320000;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q = p;
    q.channels = 3;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q = p;
    q.sample_rate = 0;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    q = p;
    q.chapter_titles = bad_utf8;
    assert_int_equal(writer_mp3.open(path, &q, &w, &err), ALOUD_ERR_ARG);
    assert_null(w);
    assert_int_equal(write_mp3(path, &p, 1000, descending), ALOUD_ERR_ARG);
    assert_int_equal(write_mp3(path, &p, 1000, past_end), ALOUD_ERR_ARG);
    assert_int_equal(writer_mp3.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_mp3.write(w, pcm, 8, &err), ALOUD_OK);
    assert_int_equal(writer_mp3.write(w, NULL, 1, &err), ALOUD_ERR_ARG);
    writer_mp3.abort(w);
    writer_mp3.abort(NULL);
    assert_int_equal(writer_mp3.close(NULL, NULL, &err), ALOUD_ERR_ARG);
    tu_path(fx, "no-such-dir/x.mp3", path, sizeof path);
    assert_int_equal(writer_mp3.open(path, &p, &w, &err), ALOUD_ERR_WRITE);
    assert_null(w);
}

/* Every cut of a good file is ALOUD_ERR_MEDIA; byte flips never crash the reader. */
static void test_truncated_and_corrupt(void **state)
{
    fixture *fx = *state;
    char good[PATH_MAX + 32], bad[PATH_MAX + 32];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "T", .chapter_count = 3,
                       .chapter_titles = three_titles};
    unsigned char *b;
    size_t size, tag;
    uint32_t seed = 12345;

    tu_path(fx, "good.mp3", good, sizeof good);
    tu_path(fx, "bad.mp3", bad, sizeof bad);
    assert_int_equal(write_mp3(good, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    b = tu_read_all(good, &size);
    tag = id3_tag_total_size(b, size);
    for (size_t cut = 0; cut < size; cut += cut < tag + 300 ? 1 : 97) {
        aloud_media *m = NULL;
        aloud_error err = {0};
        aloud_status st;

        tu_write_bytes(bad, b, cut);
        st = aloud_media_read(bad, &m, &err);
        if (st != ALOUD_ERR_MEDIA)
            print_error("cut at %zu of %zu: status %d\n", cut, size, (int)st);
        assert_int_equal(st, ALOUD_ERR_MEDIA);
        assert_null(m);
        assert_true(strlen(err.message) > 0);
    }
    for (int round = 0; round < 400; round++) {
        unsigned char *c = malloc(size);
        aloud_media *m = NULL;
        aloud_error err = {0};
        aloud_status st;

        tu_require(c);
        memcpy(c, b, size);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1664525u + 1013904223u;
            /* Mostly the tag and the first frames, where the parsing happens. */
            c[(seed >> 8) % (round % 2 ? size : tag + 400)] = (unsigned char)(seed >> 24);
        }
        tu_write_bytes(bad, c, size);
        st = aloud_media_read(bad, &m, &err);
        assert_true(st == ALOUD_OK || st == ALOUD_ERR_MEDIA);
        aloud_media_free(m);
        free(c);
    }
    free(b);
}

/*
 * ffprobe shows exactly one chapter per paragraph with its title, and
 * times in milliseconds equal to the CHAP frames: the frame position
 * rounded to the nearest millisecond, so within 0.5 ms of the paragraph's
 * first sample. The last chapter ends at the duration.
 */
static void test_ffprobe_chapters(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128], want[256];
    writer_params p = {.sample_rate = RATE, .channels = 1, .title = "Title", .author = "Author",
                       .software = "aloud-test", .chapter_count = 3,
                       .chapter_titles = three_titles};
    char *out;
    const char *at;
    size_t count = 0;

    if (!tu_have_tool("ffprobe"))
        skip();
    tu_path(fx, "probe.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -show_chapters -show_entries format_tags -of json '%s'", path);
    out = tu_run(cmd, NULL);
    for (at = out; (at = strstr(at, "\"id\": ")) != NULL; at++)
        count++;
    assert_int_equal(count, 3);
    for (size_t i = 0; i < 3; i++) {
        uint64_t end = i + 1 < 3 ? three_frames[i + 1] : THREE_TOTAL;

        snprintf(want, sizeof want,
                 "\"time_base\": \"1/1000\",\n            \"start\": %" PRIu64 ",\n"
                 "            \"start_time\": \"%" PRIu64 ".%03" PRIu64 "000\",\n"
                 "            \"end\": %" PRIu64 ",",
                 ms_of(three_frames[i]), ms_of(three_frames[i]) / 1000,
                 ms_of(three_frames[i]) % 1000, ms_of(end));
        if (!strstr(out, want))
            print_error("missing: %s\nin: %s\n", want, out);
        tu_require(strstr(out, want));
    }
    tu_require(strstr(out, "\"title\": \"Intro\""));
    tu_require(strstr(out, "\"title\": \"Zw\xc3\xb6lf \\\"quoted\\\"\""));
    tu_require(strstr(out, "\"title\": \"Ende\""));
    tu_require(strstr(out, "\"title\": \"Title\""));
    tu_require(strstr(out, "\"artist\": \"Author\""));
    free(out);
}

/*
 * ffmpeg decodes exactly the frames written (it applies the Info frame's
 * delay and padding), and each burst starts where its chapter says: the
 * first loud sample lies within a millisecond after the chapter time
 * (half a millisecond of rounding, plus the burst's first sine samples
 * being small). A player that ignores the Info frame is 1105 frames (50
 * ms) late; one that seeks lands on a 26 ms frame boundary and decodes
 * forward, which gapless decoders make sample exact.
 */
static void test_ffmpeg_decodes_aligned(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128];
    writer_params p = {.sample_rate = RATE, .channels = 1, .chapter_count = 3,
                       .chapter_titles = three_titles};
    size_t bytes;
    char *pcm;
    const int16_t *s;

    if (!tu_have_tool("ffmpeg"))
        skip();
    tu_path(fx, "decode.mp3", path, sizeof path);
    assert_int_equal(write_mp3(path, &p, THREE_TOTAL, three_frames), ALOUD_OK);
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -f s16le -acodec pcm_s16le -", path);
    pcm = tu_run(cmd, &bytes);
    assert_int_equal(bytes, THREE_TOTAL * 2);
    s = (const int16_t *)(const void *)pcm;
    for (size_t c = 0; c < 3; c++) {
        int64_t chapter = (int64_t)((ms_of(three_frames[c]) * RATE + 500) / 1000);
        int64_t first = chapter > 50 ? chapter - 50 : 0;

        while (first < (int64_t)THREE_TOTAL && abs(s[first]) < 4000)
            first++;
        if (first - chapter < -(int64_t)RATE / 2000 || first - chapter > (int64_t)RATE / 1000)
            fail_msg("chapter %zu at frame %" PRId64 ", its burst at %" PRId64, c + 1, chapter,
                     first);
    }
    free(pcm);
}


/* LAME's CRC-16, bit by bit (the polynomial 0x8005 reflected), to check lametag_crc16(). */
static unsigned crc16_bits(const unsigned char *p, size_t n)
{
    unsigned crc = 0;

    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xA001u : crc >> 1;
    }
    return crc;
}

/*
 * For streams LAME encodes whole (mono and stereo, MPEG-2 and MPEG-1, a
 * few lengths), lametag_patch() fed the counts of the stream rewrites
 * LAME's own Info frame into itself, byte for byte: the layout, the TOC
 * and both CRCs are LAME's. LAME's frame count is (n + D + p) / S with p
 * the padding its flush adds, as mp3_writer.c relies on.
 */
static void test_info_frame_is_lames(void **state)
{
    static const struct { int rate, channels, kbps; unsigned n; } cases[] = {
        {22050, 1, 64, 1}, {22050, 1, 64, 575}, {22050, 1, 64, 576}, {22050, 1, 64, 88200},
        {22050, 1, 56, 1000000}, {22050, 2, 64, 300001}, {44100, 1, 128, 100000},
        {44100, 2, 128, 441000}, {16000, 1, 64, 77777},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned n = cases[c].n, ch = (unsigned)cases[c].channels;
        lame_global_flags *l = lame_init();
        short *pcm = malloc(sizeof *pcm * n * ch);
        size_t cap = n * ch * 2 + 100000, size = 0;
        unsigned char *out = malloc(cap), info[2880], copy[2880];

        tu_require(l);
        tu_require(pcm);
        tu_require(out);
        lame_set_in_samplerate(l, cases[c].rate);
        lame_set_out_samplerate(l, cases[c].rate);
        lame_set_num_channels(l, cases[c].channels);
        lame_set_mode(l, ch == 1 ? MONO : JOINT_STEREO);
        lame_set_VBR(l, vbr_off);
        lame_set_brate(l, cases[c].kbps);
        lame_set_quality(l, 7);
        lame_set_bWriteVbrTag(l, 1);
        lame_set_write_id3tag_automatic(l, 0);
        assert_true(lame_init_params(l) >= 0);
        for (unsigned i = 0; i < n * ch; i++)
            pcm[i] = (short)(9000.0 * sin((double)i * 0.031) * ((i / 4000u) % 2u));
        for (unsigned i = 0; i < n; i += 4096) {
            int k = (int)(n - i < 4096 ? n - i : 4096);
            int got = ch == 1 ? lame_encode_buffer(l, pcm + i, pcm + i, k, out + size,
                                                    (int)(cap - size))
                              : lame_encode_buffer_interleaved(l, pcm + (size_t)i * 2, k,
                                                               out + size, (int)(cap - size));
            assert_true(got >= 0);
            size += (size_t)got;
        }
        int got = lame_encode_flush(l, out + size, (int)(cap - size));
        assert_true(got >= 0);
        size += (size_t)got;
        size_t info_size = lame_get_lametag_frame(l, info, sizeof info);
        assert_true(info_size > 0 && info_size < size);
        unsigned spf = (unsigned)lame_get_framesize(l), delay = (unsigned)lame_get_encoder_delay(l);
        unsigned frames = (unsigned)lame_get_frameNum(l);
        unsigned pad = spf - (n + delay) % spf;
        if (pad < 576)
            pad += spf;
        assert_int_equal(frames, (n + delay + pad) / spf);
        lametag_stream ls = {frames, (uint32_t)size, delay, frames * spf - delay - n,
                             lametag_crc16(0, out + info_size, size - info_size)};
        assert_int_equal(ls.music_crc, crc16_bits(out + info_size, size - info_size));
        memcpy(copy, info, info_size);
        /* Blank the fields the patch must restore, then patch. */
        memset(copy + 4 + (ch == 1 ? (spf == 1152 ? 17 : 9) : (spf == 1152 ? 32 : 17)) + 8, 0, 108);
        assert_true(lametag_patch(copy, info_size, &ls));
        if (memcmp(copy, info, info_size) != 0) {
            for (size_t i = 0; i < info_size; i++)
                if (copy[i] != info[i])
                    print_error("case %zu: byte %zu is %02x, LAME's %02x\n", c, i, copy[i], info[i]);
            fail();
        }
        /* A field changed shows: the counts really are written. */
        ls.frames++;
        assert_true(lametag_patch(copy, info_size, &ls));
        assert_memory_not_equal(copy, info, info_size);
        lame_close(l);
        free(pcm);
        free(out);
    }
}

/*
 * Speech-like bursts of 2.6 s (a 300-800 Hz sweep with noise) and 0.5 s
 * pauses of exact silence: 61 s, so the writer cuts it inside pauses at
 * least 10 s apart.
 */
#define LONG_TOTAL (RATE * 61u)
#define LONG_PERIOD (RATE * 31u / 10u)
#define LONG_VOICED (RATE * 26u / 10u)

static void fill_long(int16_t *buf, uint64_t first, size_t frames, unsigned channels, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < frames; i++) {
        uint64_t t = first + i;
        uint64_t in = t % LONG_PERIOD;
        int16_t v = 0;

        if (in < LONG_VOICED && t < LONG_TOTAL - RATE) {
            double x = (double)in / RATE;
            uint32_t h = (uint32_t)t * 2654435761u;
            v = (int16_t)(7000.0 * sin(2.0 * 3.14159265358979 * (300.0 + 80.0 * x) * x)
                          * sin(3.14159265358979 * (double)in / LONG_VOICED)
                          + (double)(h >> 22) - 512.0);
        }
        for (unsigned c = 0; c < channels; c++)
            buf[i * channels + c] = v;
    }
}

static unsigned char *write_long(fixture *fx, const char *name, bool whole, size_t *size,
                                 unsigned channels)
{
    char path[PATH_MAX + 32];
    static const char *const titles[] = {"one", "two", "three"};
    const uint64_t chapters[] = {0, LONG_PERIOD * 7u, LONG_PERIOD * 15u};
    writer_params p = {.sample_rate = RATE, .channels = channels, .chapter_count = 3,
                       .chapter_titles = titles};
    const tu_pcm how = {.block = 5000, .fill = fill_long};

    tu_path(fx, name, path, sizeof path);
    if (whole)
        setenv("ALOUD_ENCODE_WHOLE", "1", 1);
    assert_int_equal(tu_write_audio(&writer_mp3, path, &p, LONG_TOTAL, chapters, &how), ALOUD_OK);
    unsetenv("ALOUD_ENCODE_WHOLE");
    return tu_read_all(path, size);
}

/*
 * A long file encoded in segments: every frame well formed, the Info frame
 * right about the joined stream (frames, bytes, delay, padding, both CRCs)
 * and equal to that of one encoder through (ALOUD_ENCODE_WHOLE=1) in
 * everything but the bytes and the CRCs; the two files differ (the cuts
 * happened); ffmpeg decodes both to exactly the input's length, and where
 * the input is silent far from speech both decodes are silent too.
 */
static void test_segments_join_exactly(void **state)
{
    fixture *fx = *state;
    size_t size, wsize;
    unsigned char *b = write_long(fx, "cut.mp3", false, &size, 1);
    unsigned char *wb = write_long(fx, "whole.mp3", true, &wsize, 1);
    size_t tag = id3_tag_total_size(b, size);
    const unsigned char *info = b + tag, *winfo = wb + tag;
    size_t fs = frame_size(info);
    size_t frames = count_frames(b, size, tag) - 1;
    const unsigned char *x = info + 4 + 9, *lame = x + 120;
    unsigned pad = SPF - (LONG_TOTAL + LAME_DELAY) % SPF;

    if (pad < 576)
        pad += SPF;
    assert_int_equal(id3_tag_total_size(wb, wsize), tag);
    assert_int_equal(frames, (LONG_TOTAL + LAME_DELAY + pad) / SPF);
    assert_int_equal(count_frames(wb, wsize, tag) - 1, frames);
    assert_int_equal(tu_be32(x + 8), frames);
    assert_int_equal(tu_be32(x + 12), size - tag);
    assert_int_equal(tu_be32(lame + 28), size - tag);
    assert_int_equal((uint32_t)lame[21] << 16 | (uint32_t)lame[22] << 8 | lame[23],
                     LAME_DELAY << 12 | pad);
    assert_int_equal((unsigned)lame[32] << 8 | lame[33], crc16_bits(info + fs, size - tag - fs));
    assert_int_equal((unsigned)lame[34] << 8 | lame[35], crc16_bits(info, (size_t)(lame + 34 - info)));
    /* As one encoder's: all but the byte counts and the CRCs. */
    assert_memory_equal(info, winfo, 4 + 9 + 12);
    assert_memory_equal(info + 4 + 9 + 16, winfo + 4 + 9 + 16, 120 - 16 + 28);
    assert_true(size != wsize || memcmp(b, wb, size) != 0);
    free(wb);

    if (tu_have_tool("ffmpeg")) {
        char cmd[PATH_MAX + 128], path[PATH_MAX + 32];
        size_t bytes[2];
        char *pcm[2];
        const char *names[2] = {"cut.mp3", "whole.mp3"};

        for (int k = 0; k < 2; k++) {
            tu_path(fx, names[k], path, sizeof path);
            snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -f s16le -acodec pcm_s16le -", path);
            pcm[k] = tu_run(cmd, &bytes[k]);
            assert_int_equal(bytes[k], LONG_TOTAL * 2u);
        }
        /* The middle 0.3 s of every pause, more than 100 ms from speech. */
        for (int k = 0; k < 2; k++) {
            const int16_t *s = (const int16_t *)(const void *)pcm[k];
            int peak = 0;
            for (uint64_t at = LONG_VOICED; at + LONG_PERIOD < LONG_TOTAL; at += LONG_PERIOD)
                for (uint64_t i = at + RATE / 10u; i < at + RATE * 4u / 10u; i++)
                    peak = abs(s[i]) > peak ? abs(s[i]) : peak;
            if (peak > 8)
                fail_msg("%s: a decoded pause peaks at %d", names[k], peak);
        }
        free(pcm[0]);
        free(pcm[1]);
    }
    free(b);
}

/* The same in stereo (LAME's interleaved call, joint stereo): cut, and decoded to the sample. */
static void test_segments_stereo(void **state)
{
    fixture *fx = *state;
    size_t size, wsize;
    unsigned char *b = write_long(fx, "cut2.mp3", false, &size, 2);
    unsigned char *wb = write_long(fx, "whole2.mp3", true, &wsize, 2);
    aloud_media *m = NULL;
    aloud_error err = {0};
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128];

    assert_true(size != wsize || memcmp(b, wb, size) != 0);
    assert_int_equal(count_frames(b, size, id3_tag_total_size(b, size)),
                     count_frames(wb, wsize, id3_tag_total_size(wb, wsize)));
    free(b);
    free(wb);
    tu_path(fx, "cut2.mp3", path, sizeof path);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->channels, 2);
    assert_int_equal(m->frames, LONG_TOTAL);
    aloud_media_free(m);
    if (tu_have_tool("ffmpeg")) {
        size_t bytes;
        snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -f s16le -acodec pcm_s16le -", path);
        char *pcm = tu_run(cmd, &bytes);
        assert_int_equal(bytes, LONG_TOTAL * 4u);
        free(pcm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_table),
        cmocka_unit_test_setup_teardown(test_layout, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_read_back, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_no_chapters_no_tags, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stereo, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_255_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_low_bitrate_no_info, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_and_corrupt, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffprobe_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffmpeg_decodes_aligned, setup, tu_fixture_teardown),
        cmocka_unit_test(test_info_frame_is_lames),
        cmocka_unit_test_setup_teardown(test_segments_join_exactly, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_segments_stereo, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
