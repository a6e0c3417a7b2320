/*
 * test_media.c - reading files back (aloud_media_read) and the format table.
 *
 * Round trips through both writers, agreement with ffprobe when it is on
 * PATH, hand-built WAV/RF64 files that exercise the chunk walk, and cut or
 * corrupted inputs that must give ALOUD_ERR_MEDIA, never a crash.
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
#include <sndfile.h>

#include "aloud.h"
#include "testutil.h"
#include "writer.h"

#define RATE 22050u

typedef tu_fixture fixture;

static int setup(void **state)
{
    return tu_fixture_setup(state, "media");
}

/* Writes `total` frames through `fmt`; asserts every step succeeds. */
static void write_audio(const writer_ops *fmt, const char *path, const writer_params *params,
                        uint64_t total, const uint64_t *chapters)
{
    const tu_pcm how = {.block = 997};

    assert_int_equal(tu_write_audio(fmt, path, params, total, chapters, &how), ALOUD_OK);
}

static aloud_status read_status(const char *path)
{
    aloud_media *m = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_media_read(path, &m, &err);

    if (st == ALOUD_OK)
        tu_require(m);
    else
        assert_null(m);
    if (st != ALOUD_OK)
        assert_true(strlen(err.message) > 0);
    aloud_media_free(m);
    return st;
}

/* --------------------------------------------------------- building WAVs */

/* A growing byte buffer for hand-built files. */
typedef struct bytes {
    unsigned char b[8192];
    size_t n;
} bytes;

static void add(bytes *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void add32(bytes *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};

    add(o, b, 4);
}

static void add16(bytes *o, uint16_t v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

    add(o, b, 2);
}

static void add64(bytes *o, uint64_t v)
{
    add32(o, (uint32_t)v);
    add32(o, (uint32_t)(v >> 32));
}

/* A chunk with its size; padded to even unless `no_pad` (a broken writer). */
static void add_chunk(bytes *o, const char *id, const void *data, uint32_t size, bool no_pad)
{
    add(o, id, 4);
    add32(o, size);
    add(o, data, size);
    if ((size & 1u) && !no_pad)
        add(o, "", 1);
}

static void add_fmt_pcm(bytes *o, uint16_t channels, uint32_t rate)
{
    add(o, "fmt ", 4);
    add32(o, 16);
    add16(o, 1);
    add16(o, channels);
    add32(o, rate);
    add32(o, rate * 2u * channels);
    add16(o, (uint16_t)(2u * channels));
    add16(o, 16);
}

static void add_cue(bytes *o, const uint32_t *ids, const uint32_t *frames, uint32_t count)
{
    add(o, "cue ", 4);
    add32(o, 4 + 24 * count);
    add32(o, count);
    for (uint32_t i = 0; i < count; i++) {
        add32(o, ids[i]);
        add32(o, frames[i]);
        add(o, "data", 4);
        add32(o, 0);
        add32(o, 0);
        add32(o, frames[i]);
    }
}

/* A LIST/adtl with a labl per title (NULL entries skipped), ids from 1. */
static void add_adtl(bytes *o, const char *const *titles, uint32_t count)
{
    bytes list = {.n = 0};

    add(&list, "adtl", 4);
    for (uint32_t i = 0; i < count; i++) {
        bytes labl = {.n = 0};

        if (!titles[i])
            continue;
        add32(&labl, i + 1);
        add(&labl, titles[i], strlen(titles[i]) + 1);
        add_chunk(&list, "labl", labl.b, (uint32_t)labl.n, false);
    }
    add_chunk(o, "LIST", list.b, (uint32_t)list.n, false);
}

static void set32(bytes *o, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        o->b[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}

/* ------------------------------------------------------------------- tests */

static void test_format_table(void **state)
{
    (void)state;
    assert_ptr_equal(aloud_format_by_name("wav"), &formats_wav);
    assert_ptr_equal(aloud_format_by_name("flac"), &formats_flac);
    assert_null(aloud_format_by_name("WAV")); /* names are exact; extensions are not */
    assert_ptr_equal(aloud_format_by_name("mp3"), &formats_mp3);
    assert_null(aloud_format_by_name("ogg"));
    assert_null(aloud_format_by_name(NULL));
    assert_ptr_equal(aloud_format_by_path("out/a.wav"), &formats_wav);
    assert_ptr_equal(aloud_format_by_path("A.WAV"), &formats_wav);
    assert_ptr_equal(aloud_format_by_path("x.tar.Flac"), &formats_flac);
    assert_null(aloud_format_by_path("dir.wav/file"));
    assert_null(aloud_format_by_path("noext"));
    assert_null(aloud_format_by_path(".wav"));
    assert_null(aloud_format_by_path("a.wav.txt"));
    assert_null(aloud_format_by_path("a."));
    assert_null(aloud_format_by_path(NULL));
    assert_string_equal(aloud_format_name(&formats_flac), "flac");
    assert_string_equal(aloud_format_extension(&formats_wav), "wav");
    assert_ptr_equal(aloud_format_at(0), &formats_wav);
    assert_ptr_equal(aloud_format_at(1), &formats_flac);
    for (size_t i = 0; aloud_format_at(i); i++) {
        const aloud_format *f = aloud_format_at(i);

        assert_ptr_equal(aloud_format_by_name(aloud_format_name(f)), f);
        assert_true(i < 16);
    }
}

/* Every entry is whole: names, a writer and a reader, a cap, a sane bitrate range. */
static void test_format_entries(void **state)
{
    size_t count = 0;

    (void)state;
    for (const aloud_format *f; (f = aloud_format_at(count)) != NULL; count++) {
        char path[64];
        unsigned min = 1, max = 1, dflt = 1;
        int lossy = aloud_format_bitrate_range(f, &min, &max, &dflt);

        assert_non_null(f->name);
        assert_non_null(f->label);
        assert_non_null(f->writer);
        assert_non_null(f->writer->open);
        assert_non_null(f->writer->write);
        assert_non_null(f->writer->close);
        assert_non_null(f->writer->abort);
        assert_non_null(f->sniff);
        assert_non_null(f->read);
        assert_true(aloud_format_chapter_cap(f) >= 254); /* every format holds a long article */
        assert_int_equal(aloud_format_chapter_cap(f), f->chapter_cap);
        if (lossy) {
            assert_true(min > 0 && min <= dflt && dflt <= max);
            assert_int_equal(min % 1000u, 0); /* --bitrate speaks whole kb/s */
            assert_int_equal(max % 1000u, 0);
        } else {
            assert_int_equal(min, 0);
            assert_int_equal(max, 0);
            assert_int_equal(dflt, 0);
        }
        /* by_path finds it by its extension, in any case, after any folder. */
        snprintf(path, sizeof path, "some.dir/x.%s", aloud_format_extension(f));
        assert_ptr_equal(aloud_format_by_path(path), f);
        for (char *c = path; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        assert_ptr_equal(aloud_format_by_path(path), f);
    }
    assert_int_equal(count, 6);
    assert_null(aloud_format_at(count));
    /* The caps the containers really have. */
    assert_int_equal(aloud_format_chapter_cap(&formats_flac), 999);
    assert_int_equal(aloud_format_chapter_cap(&formats_opus), 999);
    assert_int_equal(aloud_format_chapter_cap(&formats_mp3), 255);
    assert_int_equal(aloud_format_chapter_cap(&formats_m4b), 255);
    assert_int_equal(aloud_format_chapter_cap(&formats_m4a), 255);
    assert_int_equal(aloud_format_chapter_cap(&formats_wav), (UINT32_MAX - 4u) / 24u);
}

/* The accessors take NULL: no format, no chapters, no bitrate. */
static void test_format_null(void **state)
{
    unsigned min = 1, max = 1, dflt = 1;

    (void)state;
    assert_int_equal(aloud_format_chapter_cap(NULL), 0);
    assert_int_equal(aloud_format_bitrate_range(NULL, &min, &max, &dflt), 0);
    assert_int_equal(min + max + dflt, 0);
    assert_int_equal(aloud_format_bitrate_range(&formats_opus, NULL, NULL, NULL), 1);
    assert_null(aloud_format_name(NULL));
    assert_null(aloud_format_extension(NULL));
}

/* The library's one bitrate check: 0 is the default; Opus takes its range,
 * MP3 only the steps of the MPEG version of the sample rate. */
static void test_writer_bitrate(void **state)
{
    aloud_error err;
    unsigned b = 0;

    (void)state;
    assert_int_equal(writer_bitrate(&formats_opus, 22050, 0, &b, &err), ALOUD_OK);
    assert_int_equal(b, formats_opus.bitrate_default);
    assert_int_equal(writer_bitrate(&formats_opus, 22050, 6500, &b, &err), ALOUD_OK);
    assert_int_equal(writer_bitrate(&formats_mp3, 22050, 0, &b, &err), ALOUD_OK);
    assert_int_equal(b, 64000);
    assert_int_equal(writer_bitrate(&formats_mp3, 44100, 320000, &b, &err), ALOUD_OK);
    assert_int_equal(b, 320000);
    assert_int_equal(writer_bitrate(&formats_mp3, 22050, 7999, &b, &err), ALOUD_ERR_ARG);
    assert_string_equal(err.message, "bitrate 7999 b/s refused: MP3 at 22050 Hz takes 8, 16, 24, "
                                     "32, 40, 48, 56, 64, 80, 96, 112, 128, 144 or 160 kb/s");
    assert_int_equal(writer_bitrate(&formats_flac, 22050, 0, &b, &err), ALOUD_ERR_ARG);
}

/* MP3 at 22050 Hz (MPEG-2) has no 192 or 320 kb/s, which LAME capped to 160
 * silently; each MPEG version takes its own table and nothing between. */
static void test_mp3_bitrate_steps_by_sample_rate(void **state)
{
    static const unsigned mpeg2[] = {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    aloud_error err = {0};

    (void)state;
    for (unsigned k = 1; k <= 330; k++) {
        bool listed = false;
        for (size_t i = 0; i < sizeof mpeg2 / sizeof mpeg2[0]; i++)
            listed |= mpeg2[i] == k;
        assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 22050, k * 1000u, &err) == ALOUD_OK,
                         listed);
        assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 24000, k * 1000u, &err) == ALOUD_OK,
                         listed);
    }
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 22050, 192000, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 22050, 64500, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 44100, 192000, &err), ALOUD_OK);
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 48000, 8000, &err), ALOUD_ERR_ARG);
    assert_string_equal(err.message, "MP3 at 48000 Hz takes 32, 40, 48, 56, 64, 80, 96, 112, 128, "
                                     "160, 192, 224, 256 or 320 kb/s");
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 11025, 80000, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 11025, 64000, &err), ALOUD_OK);
    assert_int_equal(aloud_format_bitrate_check(&formats_opus, 22050, 512000, &err), ALOUD_OK);
    assert_int_equal(aloud_format_bitrate_check(&formats_opus, 22050, 512001, &err), ALOUD_ERR_ARG);
    assert_string_equal(err.message, "Ogg Opus takes 6 to 512 kb/s");
    assert_int_equal(aloud_format_bitrate_check(&formats_wav, 22050, 64000, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(&formats_mp3, 0, 64000, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(NULL, 22050, 64000, NULL), ALOUD_ERR_ARG);
}

static const char *const round_titles[] = {"Intro", "Zw\xc3\xb6lf \"quoted\" \\ back", "",
                                           "\xe6\x97\xa5\xe6\x9c\xac"};
static const uint64_t round_frames[] = {0, 22050, 44101, 66000};
#define ROUND_TOTAL 70000u

static void test_read_wav(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], software[128];
    writer_params p = {RATE, 1, "T\xc3\xadtulo", "Ada Lovelace", "aloud-test 1.0", 4, round_titles, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "r.wav", path, sizeof path);
    write_audio(&writer_wav, path, &p, ROUND_TOTAL, round_frames);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->format, "wav");
    assert_int_equal(m->sample_rate, RATE);
    assert_int_equal(m->channels, 1);
    assert_int_equal(m->frames, ROUND_TOTAL);
    assert_string_equal(m->title, "T\xc3\xadtulo");
    assert_string_equal(m->author, "Ada Lovelace");
    snprintf(software, sizeof software, "aloud-test 1.0 (%s)", sf_version_string());
    assert_string_equal(m->software, software);
    assert_int_equal(m->chapter_count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(m->chapters[i].frame, round_frames[i]);
        assert_string_equal(m->chapters[i].title, round_titles[i]);
    }
    aloud_media_free(m);
    aloud_media_free(NULL);
}

static void test_read_flac(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, "T\xc3\xadtulo", "Ada Lovelace", "aloud-test 1.0", 4, round_titles, 0, NULL, NULL, NULL};
    writer_params bare = {RATE, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "r.flac", path, sizeof path);
    write_audio(&writer_flac, path, &p, ROUND_TOTAL, round_frames);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->format, "flac");
    assert_int_equal(m->sample_rate, RATE);
    assert_int_equal(m->channels, 1);
    assert_int_equal(m->frames, ROUND_TOTAL);
    assert_string_equal(m->title, "T\xc3\xadtulo");
    assert_string_equal(m->author, "Ada Lovelace");
    assert_string_equal(m->software, "aloud-test 1.0");
    assert_int_equal(m->chapter_count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(m->chapters[i].frame, round_frames[i]); /* exact: from the cuesheet */
        assert_string_equal(m->chapters[i].title, round_titles[i]);
    }
    aloud_media_free(m);

    tu_path(fx, "bare.flac", path, sizeof path);
    write_audio(&writer_flac, path, &bare, 100, NULL);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_null(m->title);
    assert_null(m->author);
    assert_null(m->software);
    assert_int_equal(m->chapter_count, 0);
    aloud_media_free(m);
}

/* Beyond 254 chapters there is no cuesheet: positions come from the millisecond comments. */
static void test_read_flac_300(void **state)
{
    fixture *fx = *state;
    enum { N = 300 };
    static char names[N][24];
    static const char *titles[N];
    static uint64_t frames[N];
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, NULL, NULL, NULL, N, titles, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};

    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "Part %zu", i + 1);
        titles[i] = names[i];
        frames[i] = i * 1237u + (i % 7u);
    }
    tu_path(fx, "300.flac", path, sizeof path);
    write_audio(&writer_flac, path, &p, N * 1237u, frames);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, N);
    for (size_t i = 0; i < N; i++) {
        /* Frame -> nearest ms (written) -> nearest frame (read), in exact integers. */
        uint64_t ms = (frames[i] * 1000u + RATE / 2u) / RATE;
        uint64_t back = (ms * RATE + 500u) / 1000u;

        assert_int_equal(m->chapters[i].frame, back);
        assert_string_equal(m->chapters[i].title, titles[i]);
    }
    /* By hand: frame 1238 is 56.145 ms, written as 56 ms, read as frame 1234.8 -> 1235. */
    assert_int_equal(frames[1], 1238);
    assert_int_equal(m->chapters[1].frame, 1235);
    aloud_media_free(m);
}

/* ------------------------------------------------------------- ffprobe */

/* ffprobe shows the chapters our reader shows: count, start and title. */
static void check_ffprobe(const char *path, bool flac)
{
    tu_probe_chapter pc[8];
    aloud_media *m = NULL;
    aloud_error err = {0};
    size_t n = tu_probe_chapters(path, pc, 8);

    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(n, m->chapter_count);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        if (flac) {
            /* ffprobe takes FLAC chapter times from the comments, in milliseconds. */
            assert_int_equal(pc[i].num, 1);
            assert_int_equal(pc[i].den, 1000);
            assert_int_equal(pc[i].start, (round_frames[i] * 1000u + RATE / 2u) / RATE);
        } else {
            assert_int_equal(pc[i].num, 1);
            assert_int_equal(pc[i].den, RATE);
            assert_int_equal(pc[i].start, round_frames[i]);
        }
        assert_int_equal(m->chapters[i].frame, round_frames[i]);
        assert_string_equal(pc[i].title, round_titles[i]);
        assert_string_equal(m->chapters[i].title, round_titles[i]);
    }
    aloud_media_free(m);
}

static void test_ffprobe_agrees(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, "Title", "Author", "aloud-test", 4, round_titles, 0, NULL, NULL, NULL};

    if (!tu_have_tool("ffprobe"))
        skip();
    tu_path(fx, "probe.wav", path, sizeof path);
    write_audio(&writer_wav, path, &p, ROUND_TOTAL, round_frames);
    check_ffprobe(path, false);
    tu_path(fx, "probe.flac", path, sizeof path);
    write_audio(&writer_flac, path, &p, ROUND_TOTAL, round_frames);
    check_ffprobe(path, true);
}

/* Many chapters: 3000 cue points in WAV; 300 in FLAC, past the cuesheet's 254. */
static void test_ffprobe_many(void **state)
{
    fixture *fx = *state;
    enum { N = 3000, NF = 300 };
    static char names[N][24];
    static const char *titles[N];
    static uint64_t frames[N];
    static tu_probe_chapter pc[N];
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, NULL, NULL, NULL, N, titles, 0, NULL, NULL, NULL};
    size_t n;

    if (!tu_have_tool("ffprobe"))
        skip();
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], i % 2 ? "Teil %zu \xc3\xa4" : "Teil %zu", i + 1);
        titles[i] = names[i];
        frames[i] = i * 331u + (i % 5u);
    }
    tu_path(fx, "many.wav", path, sizeof path);
    write_audio(&writer_wav, path, &p, N * 331u, frames);
    n = tu_probe_chapters(path, pc, N);
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(pc[i].den, RATE);
        assert_int_equal(pc[i].start, frames[i]);
        assert_string_equal(pc[i].title, titles[i]);
    }

    p.chapter_count = NF;
    tu_path(fx, "many.flac", path, sizeof path);
    write_audio(&writer_flac, path, &p, NF * 331u, frames);
    n = tu_probe_chapters(path, pc, N);
    assert_int_equal(n, NF);
    for (size_t i = 0; i < NF; i++) {
        assert_int_equal(pc[i].den, 1000);
        assert_int_equal(pc[i].start, (frames[i] * 1000u + RATE / 2u) / RATE);
        assert_string_equal(pc[i].title, titles[i]);
    }
}

/* ------------------------------------------------- hand-built and broken */

static void test_rf64_by_hand(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    static unsigned char pcm[2000];
    const uint32_t ids[] = {2, 1, 3};
    const uint32_t frames[] = {500, 0, 999};
    const char *titles[] = {"A", "Bee", NULL};
    bytes o = {.n = 0};
    aloud_media *m = NULL;
    aloud_error err = {0};

    add(&o, "RF64\xff\xff\xff\xffWAVE", 12);
    add(&o, "ds64", 4);
    add32(&o, 28);
    add64(&o, 0); /* riffSize, patched below */
    add64(&o, sizeof pcm);
    add64(&o, sizeof pcm / 2);
    add32(&o, 0);
    add_fmt_pcm(&o, 1, 8000);
    add(&o, "data\xff\xff\xff\xff", 8);
    add(&o, pcm, sizeof pcm);
    add_cue(&o, ids, frames, 3);
    add_adtl(&o, titles, 3);
    o.b[20] = (unsigned char)(o.n - 8);
    o.b[21] = (unsigned char)((o.n - 8) >> 8);

    /* The name says FLAC; the bytes say RF64, and bytes win. */
    tu_path(fx, "rf64.flac", path, sizeof path);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->format, "wav");
    assert_int_equal(m->sample_rate, 8000);
    assert_int_equal(m->frames, 1000);
    assert_null(m->title);
    assert_int_equal(m->chapter_count, 3);
    /* Sorted by position; a cue point without a label gets an empty title. */
    assert_int_equal(m->chapters[0].frame, 0);
    assert_string_equal(m->chapters[0].title, "A");
    assert_int_equal(m->chapters[1].frame, 500);
    assert_string_equal(m->chapters[1].title, "Bee");
    assert_int_equal(m->chapters[2].frame, 999);
    assert_string_equal(m->chapters[2].title, "");
    aloud_media_free(m);

    /* The same with the ds64 chunk renamed: the data size is unknown. */
    memcpy(o.b + 12, "xd64", 4);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
}

/* Odd chunks without their pad byte, odd INFO entries, unknown chunks after data. */
static void test_sloppy_padding(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    static unsigned char pcm[400];
    const uint32_t ids[] = {1, 2};
    const uint32_t frames[] = {0, 7};
    const char *titles[] = {"odd", "even"};
    bytes info = {.n = 0};
    bytes o = {.n = 0};
    aloud_media *m = NULL;
    aloud_error err = {0};

    add(&info, "INFO", 4);
    add_chunk(&info, "INAM", "Tit", 3, true); /* odd, no NUL, no pad */
    add_chunk(&info, "IART", "Ann\0", 4, false);
    add(&o, "RIFF\0\0\0\0WAVE", 12);
    add_fmt_pcm(&o, 1, RATE);
    add_chunk(&o, "junk", "abc", 3, true); /* odd, pad byte missing */
    add_chunk(&o, "LIST", info.b, (uint32_t)info.n, false);
    add_chunk(&o, "data", pcm, sizeof pcm, false);
    add_chunk(&o, "zzzz", "x", 1, false); /* odd, padded */
    add_cue(&o, ids, frames, 2);
    add_adtl(&o, titles, 2);
    add(&o, "\0\0\0", 3); /* stray trailing bytes */
    set32(&o, 4, (uint32_t)(o.n - 8));

    tu_path(fx, "sloppy.wav", path, sizeof path);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, 200);
    assert_string_equal(m->title, "Tit");
    assert_string_equal(m->author, "Ann");
    assert_int_equal(m->chapter_count, 2);
    assert_int_equal(m->chapters[1].frame, 7);
    assert_string_equal(m->chapters[0].title, "odd");
    assert_string_equal(m->chapters[1].title, "even");
    aloud_media_free(m);
}

/*
 * Tags and labels are copied from the file, but aloud.h promises UTF-8:
 * bytes that are not (Latin-1 from an old tagger, a cut sequence, a stray
 * continuation byte) each become U+FFFD; valid UTF-8 passes unchanged.
 * Found by fuzz_media (tests/fuzz/corpus/media/regress-wav-isft-not-utf8.wav).
 */
static void test_not_utf8_tags(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    static unsigned char pcm[40];
    const uint32_t ids[] = {1};
    const uint32_t frames[] = {3};
    const char *titles[] = {"Caf\xe9 \xc3\xa9\xe2\x82"};
    bytes info = {.n = 0};
    bytes o = {.n = 0};
    aloud_media *m = NULL;
    aloud_error err = {0};

    add(&info, "INFO", 4);
    add_chunk(&info, "ISFT", "al\x80x\xff\0", 6, false);
    add(&o, "RIFF\0\0\0\0WAVE", 12);
    add_fmt_pcm(&o, 1, RATE);
    add_chunk(&o, "LIST", info.b, (uint32_t)info.n, false);
    add_chunk(&o, "data", pcm, sizeof pcm, false);
    add_cue(&o, ids, frames, 1);
    add_adtl(&o, titles, 1);
    set32(&o, 4, (uint32_t)(o.n - 8));

    tu_path(fx, "latin1.wav", path, sizeof path);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_string_equal(m->software, "al\xef\xbf\xbdx\xef\xbf\xbd");
    assert_int_equal(m->chapter_count, 1);
    assert_string_equal(m->chapters[0].title,
                        "Caf\xef\xbf\xbd \xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
    aloud_media_free(m);
}

/* One broken file per rule in the chunk walk: each must be ALOUD_ERR_MEDIA. */
static void test_broken_wavs(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    static unsigned char pcm[200];
    const uint32_t ids[] = {1};
    const uint32_t frames[] = {0};
    const char *titles[] = {"t"};
    size_t cue_at, adtl_at, fmt_at;
    bytes good = {.n = 0};
    bytes o;
    aloud_media *m = NULL;
    aloud_error err = {0};

    add(&good, "RIFF\0\0\0\0WAVE", 12);
    fmt_at = good.n;
    add_fmt_pcm(&good, 1, RATE);
    add_chunk(&good, "data", pcm, sizeof pcm, false);
    cue_at = good.n;
    add_cue(&good, ids, frames, 1);
    adtl_at = good.n;
    add_adtl(&good, titles, 1);
    set32(&good, 4, (uint32_t)(good.n - 8));
    tu_path(fx, "broken.wav", path, sizeof path);
    tu_write_bytes(path, good.b, good.n);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, 1);
    assert_string_equal(m->chapters[0].title, "t");
    aloud_media_free(m);

    o = good; /* a cue count far beyond the chunk */
    set32(&o, cue_at + 8, 0x10000000u);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* a labl whose size runs past its LIST */
    set32(&o, adtl_at + 16, 0x7fffffffu);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* a labl too short to hold its id */
    set32(&o, adtl_at + 16, 2);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* a fmt chunk too short */
    set32(&o, fmt_at + 4, 8);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* block align 0 would divide by zero */
    o.b[fmt_at + 8 + 12] = 0;
    o.b[fmt_at + 8 + 13] = 0;
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* the data chunk claims more than the file holds */
    set32(&o, fmt_at + 24 + 4, 0x00100000u);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* no fmt chunk */
    memcpy(o.b + fmt_at, "fmx ", 4);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);

    o = good; /* no data chunk */
    memcpy(o.b + fmt_at + 24, "dat\x01", 4);
    tu_write_bytes(path, o.b, o.n);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
}

/*
 * Every prefix of a file our writer made. Cut anywhere up to the end of
 * the audio, or inside a chunk after it, the file is ALOUD_ERR_MEDIA; cut
 * exactly between chunks (or fewer than 8 stray bytes after one) it is a
 * valid WAV with fewer chapters or titles. After the audio: `cue `,
 * LIST/adtl, then the `id3 ` chunk with the tags again.
 */
static void test_truncated_wav(void **state)
{
    fixture *fx = *state;
    char src[PATH_MAX + 32], cut[PATH_MAX + 32];
    const char *titles[] = {"one", "two"};
    const uint64_t frames[] = {0, 500};
    writer_params p = {RATE, 1, "T", "A", "S", 2, titles, 0, NULL, NULL, NULL};
    size_t size, data_end, cue_end, adtl_end;
    unsigned char *b;

    tu_path(fx, "full.wav", src, sizeof src);
    tu_path(fx, "cut.wav", cut, sizeof cut);
    write_audio(&writer_wav, src, &p, 1000, frames);
    b = tu_read_all(src, &size);
    /* The ID3v2.3 tag: header 10 + TIT2, TPE1, TSSE of 10 + 2 bytes each. */
    adtl_end = size - (8 + 10 + 3 * 12);
    assert_memory_equal(b + adtl_end, "id3 ", 4);
    cue_end = adtl_end - (8 + 4 + 2 * (8 + 8)); /* LIST/adtl: two labls of 8 bytes */
    data_end = cue_end - (8 + 4 + 2 * 24);     /* cue: two points */
    assert_memory_equal(b + data_end, "cue ", 4);
    assert_memory_equal(b + cue_end, "LIST", 4);
    for (size_t len = 0; len <= size; len++) {
        aloud_media *m = NULL;
        aloud_error err = {0};
        aloud_status st;
        aloud_status want = ALOUD_ERR_MEDIA;
        size_t chapters = 0;
        bool titled = false;

        if (len == size || (len >= adtl_end && len < adtl_end + 8)) {
            want = ALOUD_OK, chapters = 2, titled = true;
        } else if (len >= cue_end && len < cue_end + 8) {
            want = ALOUD_OK, chapters = 2;
        } else if (len >= data_end && len < data_end + 8) {
            want = ALOUD_OK;
        }
        tu_write_bytes(cut, b, len);
        st = aloud_media_read(cut, &m, &err);
        if (st != want)
            fail_msg("cut at %zu of %zu: status %d (%s), want %d", len, size, (int)st,
                     err.message, (int)want);
        if (st == ALOUD_OK) {
            assert_int_equal(m->frames, 1000);
            assert_int_equal(m->chapter_count, chapters);
            if (chapters)
                assert_string_equal(m->chapters[1].title, titled ? "two" : "");
        }
        aloud_media_free(m);
    }
    free(b);
}

/* Cut inside the FLAC metadata (or right after it): ALOUD_ERR_MEDIA. */
static void test_truncated_flac(void **state)
{
    fixture *fx = *state;
    char src[PATH_MAX + 32], cut[PATH_MAX + 32];
    const char *titles[] = {"one", "two"};
    const uint64_t frames[] = {0, 500};
    writer_params p = {RATE, 1, "T", "A", "S", 2, titles, 0, NULL, NULL, NULL};
    size_t size, meta_end;
    unsigned char *b;

    tu_path(fx, "full.flac", src, sizeof src);
    tu_path(fx, "cut.flac", cut, sizeof cut);
    write_audio(&writer_flac, src, &p, 5000, frames);
    b = tu_read_all(src, &size);
    /* The audio starts after the 8192-byte PADDING, the last block. */
    for (meta_end = 4; meta_end + 4 < size; meta_end += 4 + ((size_t)b[meta_end + 1] << 16
                                                             | (size_t)b[meta_end + 2] << 8
                                                             | b[meta_end + 3])) {
        if (b[meta_end] & 0x80) {
            meta_end += 4 + ((size_t)b[meta_end + 1] << 16 | (size_t)b[meta_end + 2] << 8
                             | b[meta_end + 3]);
            break;
        }
    }
    assert_int_equal(b[meta_end], 0xff); /* a frame sync code */
    for (size_t len = 0; len <= meta_end; len++) {
        /* Every byte up into the padding, then a sample of it, then its last bytes. */
        if (len > 1024 && len + 8 < meta_end && len % 61 != 0)
            continue;
        tu_write_bytes(cut, b, len);
        if (read_status(cut) != ALOUD_ERR_MEDIA)
            fail_msg("cut at %zu of %zu read as a FLAC", len, meta_end);
    }
    /*
     * Cut inside the audio, the metadata still reads: the reader does not
     * decode, so it cannot see missing frames. Pinned here so that a change
     * is deliberate.
     */
    tu_write_bytes(cut, b, meta_end + 100);
    assert_int_equal(read_status(cut), ALOUD_OK);
    free(b);
}

static void test_not_media(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "missing.wav", path, sizeof path);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_ERR_READ);
    assert_null(m);
    assert_int_equal(aloud_media_read(fx->dir, &m, &err), ALOUD_ERR_READ);
    assert_int_equal(aloud_media_read(NULL, &m, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_media_read(path, NULL, &err), ALOUD_ERR_ARG);

    tu_path(fx, "empty.wav", path, sizeof path);
    tu_write_bytes(path, "", 0);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
    tu_path(fx, "text.flac", path, sizeof path);
    tu_write_bytes(path, "hello, this is text\n", 20);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
    tu_path(fx, "riff.wav", path, sizeof path);
    tu_write_bytes(path, "RIFF\4\0\0\0AVI LIST", 16);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
    tu_path(fx, "id3.flac", path, sizeof path);
    tu_write_bytes(path, "ID3\4\0\0\0\0\0\0\xff\xfb\x90\x64", 14);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
    tu_path(fx, "flac.wav", path, sizeof path);
    tu_write_bytes(path, "fLaC\x80\0\0\x22", 8);
    assert_int_equal(read_status(path), ALOUD_ERR_MEDIA);
}

/* A small, seeded generator, so that a failure can be replayed. */
static uint32_t fuzz_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Flips random bytes of a good file; any outcome but a crash or a bogus status is fine. */
static void fuzz_file(const char *src, const char *dst, uint32_t seed, int rounds)
{
    size_t size;
    unsigned char *good = tu_read_all(src, &size);
    unsigned char *b = malloc(size);

    tu_require(b);
    for (int r = 0; r < rounds; r++) {
        int flips = 1 + (int)(fuzz_next(&seed) % 4u);
        aloud_status st;

        memcpy(b, good, size);
        for (int i = 0; i < flips; i++) {
            /* Mostly the metadata at both ends, where the lengths live. */
            size_t span = size < 400 ? size : 400;
            size_t at = fuzz_next(&seed) % 2u ? fuzz_next(&seed) % span
                                              : size - 1 - fuzz_next(&seed) % span;

            b[at] = (unsigned char)fuzz_next(&seed);
        }
        tu_write_bytes(dst, b, size);
        st = read_status(dst);
        if (st != ALOUD_OK && st != ALOUD_ERR_MEDIA)
            fail_msg("round %d: status %d", r, (int)st);
    }
    free(b);
    free(good);
}

static void test_fuzz(void **state)
{
    fixture *fx = *state;
    char src[PATH_MAX + 32], dst[PATH_MAX + 32];
    const char *titles[] = {"one", "Zw\xc3\xb6lf", "three"};
    const uint64_t frames[] = {0, 100, 200};
    writer_params p = {RATE, 1, "T", "A", "S", 3, titles, 0, NULL, NULL, NULL};

    tu_path(fx, "fuzz.out", dst, sizeof dst);
    tu_path(fx, "fuzz.wav", src, sizeof src);
    write_audio(&writer_wav, src, &p, 300, frames);
    fuzz_file(src, dst, 1, 2000);
    tu_path(fx, "fuzz.flac", src, sizeof src);
    write_audio(&writer_flac, src, &p, 300, frames);
    fuzz_file(src, dst, 2, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_table),
        cmocka_unit_test(test_format_entries),
        cmocka_unit_test(test_format_null),
        cmocka_unit_test(test_writer_bitrate),
        cmocka_unit_test(test_mp3_bitrate_steps_by_sample_rate),
        cmocka_unit_test_setup_teardown(test_read_wav, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_read_flac, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_read_flac_300, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffprobe_agrees, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ffprobe_many, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rf64_by_hand, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sloppy_padding, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_not_utf8_tags, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_broken_wavs, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_wav, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_truncated_flac, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_not_media, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
