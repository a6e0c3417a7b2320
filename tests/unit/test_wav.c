/*
 * test_wav.c - the WAV writer: chunk layout byte for byte, audio round trip
 * through libsndfile, many chapters, bad positions.
 *
 * Set ALOUD_TEST_LARGE=1 to also write two files of 4-9 GB that check RF64
 * (chapters past the 32-bit cue limit, and a RIFF the markers push past
 * 4 GiB). They need ~13 GB of free space in $TMPDIR and a minute or two.
 */
#include <dirent.h>
#include <inttypes.h>
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
#include <sndfile.h>

#include "aloud.h"
#include "id3v2.h"
#include "testutil.h"
#include "writer.h"

#define RATE 22050u

typedef tu_fixture fixture;

static int setup(void **state)
{
    return tu_fixture_setup(state, "wav");
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes `total` frames of tu_sample() in odd-sized blocks; returns close()'s status. */
static aloud_status write_wav(const char *path, const writer_params *params, uint64_t total,
                              const uint64_t *chapters)
{
    return tu_write_audio(&writer_wav, path, params, total, chapters, NULL);
}

/* A top-level chunk of a RIFF file in memory. */
typedef struct chunk {
    size_t offset; /* of the chunk header */
    char id[5];
    uint32_t size;
} chunk;

/* Lists the top-level chunks (standard even padding); asserts none overruns. */
static size_t list_chunks(const unsigned char *b, size_t n, chunk *out, size_t max)
{
    size_t pos = 12, count = 0;

    while (pos + 8 <= n && count < max) {
        out[count].offset = pos;
        memcpy(out[count].id, b + pos, 4);
        out[count].id[4] = '\0';
        out[count].size = tu_le32(b + pos + 4);
        assert_true(pos + 8 + out[count].size <= n);
        pos += 8 + out[count].size + (out[count].size & 1u);
        count++;
    }
    assert_int_equal(pos, n); /* the file ends exactly after the last chunk and its pad */
    return count;
}

static const chunk *find_chunk(const chunk *c, size_t count, const char *id, const char *list_type,
                               const unsigned char *b)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(c[i].id, id) != 0)
            continue;
        if (!list_type || memcmp(b + c[i].offset + 8, list_type, 4) == 0)
            return &c[i];
    }
    return NULL;
}

/* The INFO entry `id`: its data must start with `text` and its NUL. */
static void assert_info(const unsigned char *b, const chunk *info, const char *id, const char *text)
{
    size_t pos = info->offset + 12, end = info->offset + 8 + info->size;

    while (pos + 8 <= end) {
        uint32_t size = tu_le32(b + pos + 4);

        if (memcmp(b + pos, id, 4) == 0) {
            assert_true(size >= strlen(text) + 1);
            assert_memory_equal(b + pos + 8, text, strlen(text) + 1);
            return;
        }
        pos += 8 + size + (size & 1u);
    }
    fail_msg("no INFO entry %s", id);
}

/*
 * The header as shntool and Python's wave need it: JUNK (reserved for
 * ds64) at 12, then a 16-byte WAVE_FORMAT_PCM fmt chunk for `channels`
 * 16-bit channels, then the JUNK filler left where libsndfile's
 * WAVE_FORMAT_EXTENSIBLE fmt was longer.
 */
static void assert_plain_pcm(const unsigned char *b, unsigned channels)
{
    unsigned char fmt[24] = {'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0};

    fmt[10] = (unsigned char)channels;
    put32(fmt + 12, RATE);
    put32(fmt + 16, RATE * 2u * channels);
    fmt[20] = (unsigned char)(2u * channels);
    fmt[22] = 16;
    assert_memory_equal(b + 12, "JUNK\x18\0\0\0", 8);
    assert_memory_equal(b + 44, fmt, sizeof fmt);
    assert_memory_equal(b + 68, "JUNK\x10\0\0\0", 8);
}

/* The tags of the `id3 ` chunk, parsed; the caller frees them. */
static id3_tag *parse_id3_chunk(const unsigned char *b, const chunk *id3)
{
    id3_tag *tag = NULL;
    aloud_error err = {0};

    tu_require(id3);
    assert_int_equal(id3_tag_parse(b + id3->offset + 8, id3->size, &tag, &err), ALOUD_OK);
    assert_int_equal(id3_tag_total_size(b + id3->offset + 8, id3->size), id3->size);
    assert_int_equal(tag->chapter_count, 0); /* ffprobe would list them twice */
    assert_int_equal(tag->toc_count, 0);
    return tag;
}

/*
 * Writes 1001 frames without chapters to `path`, checks the RIFF size and
 * the plain PCM header, and lists the chunks into c[0..16) (*n of them).
 * Returns the file's bytes (*size), which the caller frees.
 */
static unsigned char *write_unmarked(const char *path, const writer_params *p, chunk *c,
                                     size_t *n, size_t *size)
{
    unsigned char *b;

    assert_int_equal(write_wav(path, p, 1001, NULL), ALOUD_OK);
    b = tu_read_all(path, size);
    assert_int_equal(tu_le32(b + 4), *size - 8);
    assert_plain_pcm(b, p->channels);
    *n = list_chunks(b, *size, c, 16);
    return b;
}

/* ------------------------------------------------------------------- tests */

static void test_layout_four_chapters(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], isft[128];
    /* Byte lengths 5, 6, 9 and 0: labl sizes 10, 11 (padded), 14 and 5 (padded). */
    const char *titles[] = {"Intro", "Zw\xc3\xb6lf", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", ""};
    const uint64_t frames[] = {0, 22050, 44107, 66150};
    const uint64_t total = 66273;
    writer_params p = {RATE, 1, "Ein Titel", "Ada Lovelace", "aloud-test 1.0", 4, titles, 0, NULL, NULL, NULL};
    static const unsigned char expect_adtl[] = {
        'L', 'I', 'S', 'T', 78, 0, 0, 0, 'a', 'd', 't', 'l',
        'l', 'a', 'b', 'l', 10, 0, 0, 0, 1, 0, 0, 0, 'I', 'n', 't', 'r', 'o', 0,
        'l', 'a', 'b', 'l', 11, 0, 0, 0, 2, 0, 0, 0, 'Z', 'w', 0xc3, 0xb6, 'l', 'f', 0, 0,
        'l', 'a', 'b', 'l', 14, 0, 0, 0, 3, 0, 0, 0,
        0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac, 0xe8, 0xaa, 0x9e, 0,
        'l', 'a', 'b', 'l', 5, 0, 0, 0, 4, 0, 0, 0, 0, 0,
    };
    unsigned char expect_cue[8 + 4 + 4 * 24] = {'c', 'u', 'e', ' ', 100, 0, 0, 0, 4, 0, 0, 0};
    chunk c[16];
    size_t size, n;
    unsigned char *b;
    const chunk *data, *cue, *adtl, *info, *id3;
    id3_tag *tag;

    for (uint32_t i = 0; i < 4; i++) {
        unsigned char *pt = expect_cue + 12 + 24 * i;

        put32(pt, i + 1);
        put32(pt + 4, (uint32_t)frames[i]);
        memcpy(pt + 8, "data", 4);
        put32(pt + 20, (uint32_t)frames[i]);
    }
    tu_path(fx, "four.wav", path, sizeof path);
    assert_int_equal(write_wav(path, &p, total, frames), ALOUD_OK);
    b = tu_read_all(path, &size);

    assert_memory_equal(b, "RIFF", 4);
    assert_int_equal(tu_le32(b + 4), size - 8);
    assert_memory_equal(b + 8, "WAVE", 4);
    n = list_chunks(b, size, c, 16);
    data = find_chunk(c, n, "data", NULL, b);
    cue = find_chunk(c, n, "cue ", NULL, b);
    adtl = find_chunk(c, n, "LIST", "adtl", b);
    info = find_chunk(c, n, "LIST", "INFO", b);
    id3 = find_chunk(c, n, "id3 ", NULL, b);
    tu_require(data);
    tu_require(cue);
    tu_require(adtl);
    tu_require(info);
    assert_plain_pcm(b, 1);
    assert_int_equal(data->size, total * 2);
    /* Order: INFO before the audio, then cue, then adtl, then id3 as the very last chunk. */
    assert_true(info < data);
    assert_ptr_equal(cue, data + 1);
    assert_ptr_equal(adtl, cue + 1);
    assert_ptr_equal(id3, adtl + 1);
    assert_int_equal(id3 - c, (ptrdiff_t)n - 1);
    assert_int_equal(data->size & 1u, 0); /* so the cue chunk directly follows the audio */
    assert_memory_equal(b + cue->offset, expect_cue, sizeof expect_cue);
    assert_int_equal(adtl->offset + sizeof expect_adtl, id3->offset);
    assert_memory_equal(b + adtl->offset, expect_adtl, sizeof expect_adtl);
    tag = parse_id3_chunk(b, id3);
    assert_string_equal(tag->title, "Ein Titel");
    assert_string_equal(tag->artist, "Ada Lovelace");
    assert_string_equal(tag->software, "aloud-test 1.0");
    id3_tag_free(tag);

    assert_info(b, info, "INAM", "Ein Titel");
    assert_info(b, info, "IART", "Ada Lovelace");
    /* libsndfile appends its own name to the software tag. */
    snprintf(isft, sizeof isft, "aloud-test 1.0 (%s)", sf_version_string());
    assert_info(b, info, "ISFT", isft);
    free(b);
}

static void test_audio_round_trip(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"a", "b"};
    const uint64_t frames[] = {0, 50000};
    const uint64_t total = 3 * RATE + 17;
    writer_params p = {RATE, 1, NULL, NULL, NULL, 2, titles, 0, NULL, NULL, NULL};
    SF_INFO info;
    SNDFILE *sf;
    short buf[4096];
    uint64_t at = 0;
    sf_count_t got;

    tu_path(fx, "round.wav", path, sizeof path);
    assert_int_equal(write_wav(path, &p, total, frames), ALOUD_OK);
    memset(&info, 0, sizeof info);
    sf = sf_open(path, SFM_READ, &info);
    tu_require(sf);
    assert_int_equal(info.frames, total);
    assert_int_equal(info.samplerate, RATE);
    assert_int_equal(info.channels, 1);
    assert_int_equal(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_PCM_16);
    while ((got = sf_readf_short(sf, buf, 4096)) > 0) {
        for (sf_count_t i = 0; i < got; i++)
            assert_int_equal(buf[i], tu_sample(at + (uint64_t)i));
        at += (uint64_t)got;
    }
    assert_int_equal(at, total);
    sf_close(sf);
}

static void test_no_chapters_no_tags(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    chunk c[16];
    size_t size, n;
    unsigned char *b;

    tu_path(fx, "bare.wav", path, sizeof path);
    b = write_unmarked(path, &p, c, &n, &size);
    assert_string_equal(c[n - 1].id, "data"); /* nothing after the audio, not even id3 */
    assert_null(find_chunk(c, n, "cue ", NULL, b));
    assert_null(find_chunk(c, n, "LIST", NULL, b));
    free(b);
}

/*
 * Non-ASCII tags without chapters: INFO keeps its UTF-8 bytes (ffprobe
 * shows them), and an `id3 ` chunk after the audio says they are Unicode
 * (mediainfo and exiftool read INFO as Latin-1). Stereo is plain PCM too.
 */
static void test_utf8_tags_in_id3_chunk(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *title = "\xc3\x9cn\xc3\xaf\x63\xc3\xb6\x64\xc3\xa9 \xe2\x80\x94 "
                        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"; /* Ünïcödé — 日本語 */
    const char *artist = "Zo\xc3\xab \xf0\x9f\x8e\xb5"; /* past the BMP: a surrogate pair */
    writer_params p = {RATE, 2, title, artist, "aloud-test 1.0", 0, NULL, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};
    chunk c[16];
    size_t size, n;
    unsigned char *b;
    const chunk *info;
    id3_tag *tag;
    SF_INFO si;
    SNDFILE *sf;

    tu_path(fx, "utf8.wav", path, sizeof path);
    b = write_unmarked(path, &p, c, &n, &size);
    assert_string_equal(c[n - 2].id, "data");
    assert_string_equal(c[n - 1].id, "id3 ");
    info = find_chunk(c, n, "LIST", "INFO", b);
    tu_require(info);
    assert_info(b, info, "INAM", title);
    tag = parse_id3_chunk(b, &c[n - 1]);
    assert_int_equal(tag->version, 3);
    assert_string_equal(tag->title, title);
    assert_string_equal(tag->artist, artist);
    assert_string_equal(tag->software, "aloud-test 1.0");
    id3_tag_free(tag);
    free(b);

    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, 1001);
    assert_string_equal(m->title, title);
    aloud_media_free(m);
    memset(&si, 0, sizeof si);
    sf = sf_open(path, SFM_READ, &si);
    tu_require(sf);
    assert_int_equal(si.frames, 1001);
    assert_int_equal(si.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
    sf_close(sf);
}

/* Interleaved multi-channel audio: frames, not samples, count everywhere. */
static void test_three_channels(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"one", "two"};
    const uint64_t frames[] = {0, 3};
    SF_INFO info;
    SNDFILE *sf;
    writer *w = NULL;
    aloud_error err = {0};
    const int16_t pcm[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    writer_params p = {RATE, 3, NULL, NULL, NULL, 2, titles, 0, NULL, NULL, NULL};
    unsigned char *b;
    size_t size, n;
    chunk c[16];
    const chunk *data;

    tu_path(fx, "three.wav", path, sizeof path);
    assert_int_equal(writer_wav.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_wav.write(w, pcm, 5, &err), ALOUD_OK);
    assert_int_equal(writer_wav.close(w, frames, &err), ALOUD_OK);
    b = tu_read_all(path, &size);
    n = list_chunks(b, size, c, 16);
    data = find_chunk(c, n, "data", NULL, b);
    tu_require(data);
    assert_int_equal(data->size, 30);
    assert_string_equal(data[1].id, "cue ");
    assert_int_equal(tu_le32(b + 4), size - 8);
    /* Three channels need EXTENSIBLE's channel mask: libsndfile's fmt stays. */
    assert_memory_equal(b + 44, "fmt \x28\0\0\0\xfe\xff\x03\0", 12);
    free(b);
    memset(&info, 0, sizeof info);
    sf = sf_open(path, SFM_READ, &info);
    tu_require(sf);
    assert_int_equal(info.channels, 3);
    assert_int_equal(info.frames, 5);
    sf_close(sf);
}

static void test_3000_chapters(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    enum { N = 3000 };
    static char names[N][32];
    static const char *titles[N];
    static uint64_t frames[N];
    writer_params p = {RATE, 1, "Many", NULL, NULL, N, titles, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};
    unsigned char *b;
    size_t size, n;
    chunk c[16];
    const chunk *cue, *adtl;
    SF_INFO info;
    SNDFILE *sf;

    for (size_t i = 0; i < N; i++) {
        /* Every other title has an odd byte length (a two-byte character). */
        snprintf(names[i], sizeof names[i], i % 2 ? "Kapitel %zu \xc3\xa4" : "Kapitel %zu", i + 1);
        titles[i] = names[i];
        frames[i] = (uint64_t)i * 100u;
    }
    tu_path(fx, "many.wav", path, sizeof path);
    assert_int_equal(write_wav(path, &p, (uint64_t)N * 100u + 50u, frames), ALOUD_OK);
    b = tu_read_all(path, &size);
    assert_int_equal(tu_le32(b + 4), size - 8);
    n = list_chunks(b, size, c, 16);
    cue = find_chunk(c, n, "cue ", NULL, b);
    adtl = find_chunk(c, n, "LIST", "adtl", b);
    tu_require(cue);
    tu_require(adtl);
    assert_int_equal(cue->size, 4 + 24 * N);
    assert_int_equal(tu_le32(b + cue->offset + 8), N);
    /* The last cue point and the last label. */
    assert_int_equal(tu_le32(b + cue->offset + 12 + 24 * (N - 1)), N);
    assert_int_equal(tu_le32(b + cue->offset + 12 + 24 * (N - 1) + 20), (N - 1) * 100);
    /* The last label ends the adtl list, just before the id3 chunk (of the title tag). */
    assert_ptr_equal(find_chunk(c, n, "id3 ", NULL, b), adtl + 1);
    assert_memory_equal(b + adtl[1].offset - 28, "labl\x14\0\0\0\xb8\x0b\0\0Kapitel 3000 \xc3\xa4",
                        28);
    free(b);

    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(m->chapters[i].frame, frames[i]);
        assert_string_equal(m->chapters[i].title, titles[i]);
    }
    aloud_media_free(m);

    /* libsndfile still reads the audio (it ignores a cue chunk this large). */
    memset(&info, 0, sizeof info);
    sf = sf_open(path, SFM_READ, &info);
    tu_require(sf);
    assert_int_equal(info.frames, (sf_count_t)N * 100 + 50);
    sf_close(sf);
}

static void test_bad_positions(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"a", "b", "c"};
    const uint64_t descending[] = {0, 500, 400};
    const uint64_t past_end[] = {0, 500, 1002};
    const uint64_t at_end[] = {0, 1001, 1001};
    writer_params p = {RATE, 1, NULL, NULL, NULL, 3, titles, 0, NULL, NULL, NULL};
    aloud_media *m = NULL;
    aloud_error err = {0};

    tu_path(fx, "bad.wav", path, sizeof path);
    assert_int_equal(write_wav(path, &p, 1001, descending), ALOUD_ERR_ARG);
    assert_int_equal(write_wav(path, &p, 1001, past_end), ALOUD_ERR_ARG);
    assert_int_equal(write_wav(path, &p, 1001, NULL), ALOUD_ERR_ARG);
    /* Empty chapters at the very end are allowed, and read back in their order. */
    assert_int_equal(write_wav(path, &p, 1001, at_end), ALOUD_OK);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(m->chapters[i].frame, at_end[i]);
        assert_string_equal(m->chapters[i].title, titles[i]);
    }
    aloud_media_free(m);
}

static void test_abort_and_bad_params(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], missing[PATH_MAX + 64];
    writer_params p = {RATE, 1, "t", NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    writer_params no_rate = {0, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    writer *w = NULL;
    aloud_error err = {0};
    const int16_t pcm[4] = {0};

    tu_path(fx, "abort.wav", path, sizeof path);
    assert_int_equal(writer_wav.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_wav.write(w, pcm, 4, &err), ALOUD_OK);
    writer_wav.abort(w);
    writer_wav.abort(NULL);

    assert_int_equal(writer_wav.open(path, &no_rate, &w, &err), ALOUD_ERR_ARG);
    assert_null(w);
    tu_path(fx, "no/such/dir.wav", missing, sizeof missing);
    assert_int_equal(writer_wav.open(missing, &p, &w, &err), ALOUD_ERR_WRITE);
    assert_null(w);
    assert_true(strlen(err.message) > 0);
}

/* ----------------------------------------------------- large (opt-in) tests */

static bool large_enabled(void)
{
    const char *e = getenv("ALOUD_TEST_LARGE");

    return e && strcmp(e, "1") == 0;
}

/* Writes `total` frames of silence, fast: the point is the size, not the signal. */
static aloud_status write_silence(const char *path, const writer_params *p, uint64_t total,
                                  const uint64_t *chapters)
{
    static int16_t zeros[1 << 16];
    writer *w = NULL;
    aloud_error err = {0};
    aloud_status st;

    assert_int_equal(writer_wav.open(path, p, &w, &err), ALOUD_OK);
    for (uint64_t done = 0; done < total;) {
        size_t n = total - done < (1u << 16) ? (size_t)(total - done) : (1u << 16);

        assert_int_equal(writer_wav.write(w, zeros, n, &err), ALOUD_OK);
        done += n;
    }
    st = writer_wav.close(w, chapters, &err);
    if (st != ALOUD_OK)
        print_message("close: %s\n", err.message);
    return st;
}

static void read_head(const char *path, unsigned char *b, size_t n, uint64_t *size)
{
    FILE *f = fopen(path, "rb");

    tu_require(f);
    assert_int_equal(fread(b, 1, n, f), n);
    assert_int_equal(fseeko(f, 0, SEEK_END), 0);
    *size = (uint64_t)ftello(f);
    fclose(f);
}

/* Past 2^32 frames (8 GiB): RF64, and the chapter past the cue limit is left out. */
static void test_large_rf64(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"start", "middle", "last markable", "too late"};
    const uint64_t frames[] = {0, 1u << 31, UINT32_MAX, (uint64_t)UINT32_MAX + 2};
    const uint64_t total = (uint64_t)UINT32_MAX + RATE;
    writer_params p = {RATE, 1, "Big", NULL, NULL, 4, titles, 0, NULL, NULL, NULL};
    unsigned char h[64];
    uint64_t size;
    aloud_media *m = NULL;
    aloud_error err = {0};

    if (!large_enabled())
        skip();
    tu_path(fx, "big.wav", path, sizeof path);
    assert_int_equal(write_silence(path, &p, total, frames), ALOUD_OK);
    read_head(path, h, sizeof h, &size);
    assert_memory_equal(h, "RF64\xff\xff\xff\xffWAVEds64", 16);
    assert_int_equal(tu_le64(h + 20), size - 8);
    assert_int_equal(tu_le64(h + 28), total * 2);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, total);
    assert_int_equal(m->chapter_count, 3);
    assert_int_equal(m->chapters[2].frame, UINT32_MAX);
    assert_string_equal(m->chapters[2].title, "last markable");
    aloud_media_free(m);
    unlink(path);
}

/*
 * Audio just under 4 GiB, so libsndfile writes a plain RIFF, plus markers
 * that push the file past it: the writer must turn the header into RF64.
 */
static void test_large_riff_pushed_past_4gib(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    enum { N = 100 };
    static const char *titles[N];
    static uint64_t frames[N];
    /* libsndfile's header: RIFF 12 + JUNK 32 + fmt 48 + fact 12 + data 8 = 112 bytes. */
    const uint64_t total = (UINT32_MAX - 112u - 1000u) / 2u;
    writer_params p = {RATE, 1, NULL, NULL, NULL, N, titles, 0, NULL, NULL, NULL};
    unsigned char h[112];
    uint64_t size;
    aloud_media *m = NULL;
    aloud_error err = {0};
    SF_INFO info;
    SNDFILE *sf;

    if (!large_enabled())
        skip();
    for (size_t i = 0; i < N; i++) {
        titles[i] = "a chapter";
        frames[i] = i * (total / N);
    }
    tu_path(fx, "edge.wav", path, sizeof path);
    assert_int_equal(write_silence(path, &p, total, frames), ALOUD_OK);
    read_head(path, h, sizeof h, &size);
    assert_true(size > (uint64_t)UINT32_MAX + 8);
    assert_memory_equal(h, "RF64\xff\xff\xff\xffWAVEds64\x1c\0\0\0", 20);
    assert_int_equal(tu_le64(h + 20), size - 8);
    assert_int_equal(tu_le64(h + 28), total * 2);
    assert_int_equal(tu_le64(h + 36), total);
    /* The plain PCM fmt and its filler one place on, after the longer ds64. */
    assert_memory_equal(h + 48, "fmt \x10\0\0\0\x01\0\x01\0", 12);
    assert_memory_equal(h + 72, "JUNK\x10\0\0\0", 8);
    assert_memory_equal(h + 96, "JUNK\0\0\0\0", 8);
    assert_memory_equal(h + 104, "data\xff\xff\xff\xff", 8);
    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->frames, total);
    assert_int_equal(m->chapter_count, N);
    assert_int_equal(m->chapters[N - 1].frame, frames[N - 1]);
    aloud_media_free(m);
    memset(&info, 0, sizeof info);
    sf = sf_open(path, SFM_READ, &info);
    tu_require(sf);
    assert_int_equal(info.frames, (sf_count_t)total);
    assert_int_equal(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_RF64);
    sf_close(sf);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout_four_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_audio_round_trip, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_no_chapters_no_tags, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_utf8_tags_in_id3_chunk, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_three_channels, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_3000_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_positions, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_bad_params, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_large_rf64, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_large_riff_pushed_past_4gib, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
