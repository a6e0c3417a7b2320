/*
 * test_flac.c - the FLAC writer: metadata blocks and their order, exact
 * CHAPTERnnn comments and cuesheet, the 254 and 999 limits, the in-place
 * rewrite at close, audio round trip through libsndfile, and metaflac's
 * view when it is installed.
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
#include <FLAC/metadata.h>
#include <sndfile.h>

#include "aloud.h"
#include "testutil.h"
#include "writer.h"

#define RATE 22050u

/* The writer's PADDING block; equal after close means no block changed size. */
#define PADDING_BYTES 8192u

typedef tu_fixture fixture;

static int setup(void **state)
{
    return tu_fixture_setup(state, "flac");
}

/* Inode of the file right after open(); compared after close(). */
static ino_t last_open_inode;

/* Writes `total` frames of tu_sample() (or silence) in odd blocks; returns close()'s status. */
/* A tu_fill_fn for silence. */
static void fill_silence(int16_t *buf, uint64_t first, size_t frames, unsigned channels, void *ctx)
{
    (void)first;
    (void)ctx;
    memset(buf, 0, frames * channels * sizeof *buf);
}

static aloud_status write_flac(const char *path, const writer_params *params, uint64_t total,
                               const uint64_t *chapters, bool silence)
{
    const tu_pcm how = {.block = 4099, .fill = silence ? fill_silence : NULL,
                        .open_inode = &last_open_inode};

    return tu_write_audio(&writer_flac, path, params, total, chapters, &how);
}

/* All metadata blocks of a file, in order; free with free_blocks(). */
typedef struct blocks {
    size_t count;
    FLAC__StreamMetadata *b[16];
    uint64_t audio_offset; /* where the first frame starts */
} blocks;

static void read_blocks(const char *path, blocks *out)
{
    FLAC__Metadata_SimpleIterator *it = FLAC__metadata_simple_iterator_new();

    memset(out, 0, sizeof *out);
    tu_require(it);
    assert_true(FLAC__metadata_simple_iterator_init(it, path, true, false));
    for (;;) {
        assert_true(out->count < 16);
        out->b[out->count] = FLAC__metadata_simple_iterator_get_block(it);
        tu_require(out->b[out->count]);
        out->count++;
        if (FLAC__metadata_simple_iterator_is_last(it)) {
            out->audio_offset = (uint64_t)FLAC__metadata_simple_iterator_get_block_offset(it) + 4u
                                + FLAC__metadata_simple_iterator_get_block_length(it);
            break;
        }
        assert_true(FLAC__metadata_simple_iterator_next(it));
    }
    FLAC__metadata_simple_iterator_delete(it);
}

static void free_blocks(blocks *bl)
{
    for (size_t i = 0; i < bl->count; i++)
        FLAC__metadata_object_delete(bl->b[i]);
}

static void assert_types(const blocks *bl, const FLAC__MetadataType *types, size_t n)
{
    assert_int_equal(bl->count, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(bl->b[i]->type, types[i]);
}

static const FLAC__StreamMetadata *find_block(const blocks *bl, FLAC__MetadataType type)
{
    for (size_t i = 0; i < bl->count; i++) {
        if (bl->b[i]->type == type)
            return bl->b[i];
    }
    return NULL;
}

static void assert_comment(const FLAC__StreamMetadata *vc, uint32_t i, const char *text)
{
    const FLAC__StreamMetadata_VorbisComment_Entry *e;

    assert_true(i < vc->data.vorbis_comment.num_comments);
    e = &vc->data.vorbis_comment.comments[i];
    assert_int_equal(e->length, strlen(text));
    assert_memory_equal(e->entry, text, e->length);
}

/* Reads `path`'s blocks into *bl; returns its VORBIS_COMMENT, which must hold `count` entries. */
static const FLAC__StreamMetadata *read_comments(const char *path, blocks *bl, uint32_t count)
{
    const FLAC__StreamMetadata *vc;

    read_blocks(path, bl);
    vc = find_block(bl, FLAC__METADATA_TYPE_VORBIS_COMMENT);
    tu_require(vc);
    assert_int_equal(vc->data.vorbis_comment.num_comments, count);
    return vc;
}

/* The first byte after the metadata starts a frame: sync code 0xFFF8 (fixed blocksize). */
static void assert_frame_at(const char *path, uint64_t offset)
{
    FILE *f = fopen(path, "rb");
    unsigned char sync[2];

    tu_require(f);
    assert_int_equal(fseeko(f, (off_t)offset, SEEK_SET), 0);
    assert_int_equal(fread(sync, 1, 2, f), 2);
    fclose(f);
    assert_int_equal(sync[0], 0xff);
    assert_int_equal(sync[1], 0xf8);
}

/* ------------------------------------------------------------------- tests */

static void test_blocks_and_chapters(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    /* UTF-8 titles of odd and even byte lengths, one with '=' in it. */
    const char *titles[] = {"Intro", "Zw\xc3\xb6lf", "a=b", "\xe2\x80\xa6", "Ende"};
    /* 11 frames is 0.499 ms (rounds down), 12 is 0.544 ms (up), 66149 is 2999.95 ms (up). */
    const uint64_t frames[] = {0, 11, 12, 33075, 66149};
    const uint64_t total = 66160;
    writer_params p = {RATE, 1, "Der Titel", "Ada", "aloud-test 1.0", 5, titles, 0, NULL, NULL, NULL};
    static const FLAC__MetadataType order[] = {
        FLAC__METADATA_TYPE_STREAMINFO, FLAC__METADATA_TYPE_CUESHEET,
        FLAC__METADATA_TYPE_VORBIS_COMMENT, FLAC__METADATA_TYPE_PADDING};
    static const char *const comments[] = {
        "TITLE=Der Titel",          "ARTIST=Ada",
        "ENCODER=aloud-test 1.0",   "CHAPTER001=00:00:00.000",
        "CHAPTER001NAME=Intro",     "CHAPTER002=00:00:00.000",
        "CHAPTER002NAME=Zw\xc3\xb6lf", "CHAPTER003=00:00:00.001",
        "CHAPTER003NAME=a=b",       "CHAPTER004=00:00:01.500",
        "CHAPTER004NAME=\xe2\x80\xa6", "CHAPTER005=00:00:03.000",
        "CHAPTER005NAME=Ende",
    };
    blocks bl;
    const FLAC__StreamMetadata *si, *cs, *vc, *pad;
    const char *violation = NULL;
    struct stat sb;

    tu_path(fx, "five.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, total, frames, false), ALOUD_OK);
    read_blocks(path, &bl);
    assert_types(&bl, order, 4);
    si = find_block(&bl, FLAC__METADATA_TYPE_STREAMINFO);
    cs = find_block(&bl, FLAC__METADATA_TYPE_CUESHEET);
    vc = find_block(&bl, FLAC__METADATA_TYPE_VORBIS_COMMENT);
    pad = find_block(&bl, FLAC__METADATA_TYPE_PADDING);

    assert_int_equal(si->data.stream_info.sample_rate, RATE);
    assert_int_equal(si->data.stream_info.channels, 1);
    assert_int_equal(si->data.stream_info.bits_per_sample, 16);
    assert_int_equal(si->data.stream_info.total_samples, total);

    assert_false(cs->data.cue_sheet.is_cd);
    assert_int_equal(cs->data.cue_sheet.lead_in, 0);
    assert_int_equal(cs->data.cue_sheet.num_tracks, 6);
    for (uint32_t t = 0; t < 5; t++) {
        const FLAC__StreamMetadata_CueSheet_Track *tr = &cs->data.cue_sheet.tracks[t];

        assert_int_equal(tr->number, t + 1);
        assert_int_equal(tr->offset, frames[t]);
        assert_int_equal(tr->type, 0);
        assert_int_equal(tr->num_indices, 1);
        assert_int_equal(tr->indices[0].number, 1);
        assert_int_equal(tr->indices[0].offset, 0);
    }
    assert_int_equal(cs->data.cue_sheet.tracks[5].number, 255);
    assert_int_equal(cs->data.cue_sheet.tracks[5].offset, total);
    assert_int_equal(cs->data.cue_sheet.tracks[5].num_indices, 0);
    assert_true(FLAC__metadata_object_cuesheet_is_legal(cs, false, &violation));

    assert_int_equal(vc->data.vorbis_comment.num_comments, 13);
    for (uint32_t i = 0; i < 13; i++)
        assert_comment(vc, i, comments[i]);

    /*
     * In place: the padding kept its size (no block grew or shrank), the
     * file is the one open() created (a rewrite goes through a temporary
     * file and a rename), and audio starts right after the metadata.
     */
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_ino, last_open_inode);
    tu_require(pad);
    assert_int_equal(pad->length, PADDING_BYTES);
    assert_frame_at(path, bl.audio_offset);
    free_blocks(&bl);
}

/* Times past an hour, at a low rate so that the file stays small. */
static void test_long_times(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"a", "b", "c"};
    /* At 1000 Hz a frame is a millisecond. */
    const uint64_t frames[] = {0, 59999, 3723456};
    writer_params p = {1000, 1, NULL, NULL, NULL, 3, titles, 0, NULL, NULL, NULL};
    blocks bl;
    const FLAC__StreamMetadata *vc;

    tu_path(fx, "long.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, 3723456 + 1000, frames, true), ALOUD_OK);
    vc = read_comments(path, &bl, 6);
    assert_comment(vc, 0, "CHAPTER001=00:00:00.000");
    assert_comment(vc, 2, "CHAPTER002=00:00:59.999");
    assert_comment(vc, 4, "CHAPTER003=01:02:03.456");
    free_blocks(&bl);
}

static void test_audio_round_trip(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"x"};
    const uint64_t frames[] = {0};
    const uint64_t total = 2 * RATE + 333;
    writer_params p = {RATE, 1, NULL, NULL, NULL, 1, titles, 0, NULL, NULL, NULL};
    SF_INFO info;
    SNDFILE *sf;
    short buf[4096];
    uint64_t at = 0;
    sf_count_t got;

    tu_path(fx, "round.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, total, frames, false), ALOUD_OK);
    memset(&info, 0, sizeof info);
    sf = sf_open(path, SFM_READ, &info);
    tu_require(sf);
    assert_int_equal(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_FLAC);
    assert_int_equal(info.frames, total);
    assert_int_equal(info.samplerate, RATE);
    assert_int_equal(info.channels, 1);
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
    static const FLAC__MetadataType order[] = {FLAC__METADATA_TYPE_STREAMINFO,
                                               FLAC__METADATA_TYPE_VORBIS_COMMENT,
                                               FLAC__METADATA_TYPE_PADDING};
    blocks bl;

    tu_path(fx, "bare.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, 1000, NULL, false), ALOUD_OK);
    read_blocks(path, &bl);
    assert_types(&bl, order, 3);
    assert_int_equal(bl.b[1]->data.vorbis_comment.num_comments, 0);
    free_blocks(&bl);
}

/* Builds `n` titles "T1".."Tn" and positions i * step into static arrays. */
static void make_chapters(size_t n, uint64_t step, const char **titles, uint64_t *frames,
                          char (*names)[24])
{
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "T%zu", i + 1);
        titles[i] = names[i];
        frames[i] = i * step;
    }
}

static void format_ms(uint64_t frame, unsigned rate, char *out, size_t size)
{
    /* Independent of the writer's arithmetic: exact in double for these sizes. */
    uint64_t ms = (uint64_t)((double)frame * 1000.0 / rate + 0.5);

    snprintf(out, size, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 3600000,
             ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

/* `n` chapters: cuesheet when n <= 254, CHAPTER pairs for the first min(n, 999). */
static void check_many(const fixture *fx, size_t n)
{
    enum { MAX = 1200 };
    static char names[MAX][24];
    static const char *titles[MAX];
    static uint64_t frames[MAX];
    const uint64_t step = 1001;
    const uint64_t total = n * step + 10;
    char path[PATH_MAX + 32], want[64], time[32];
    writer_params p = {RATE, 1, NULL, NULL, NULL, n, titles, 0, NULL, NULL, NULL};
    size_t named = n < 999 ? n : 999;
    blocks bl;
    const FLAC__StreamMetadata *cs, *vc;
    aloud_media *m = NULL;
    aloud_error err = {0};

    assert_true(n <= MAX);
    make_chapters(n, step, titles, frames, names);
    snprintf(path, sizeof path, "%s/many-%zu.flac", fx->dir, n);
    assert_int_equal(write_flac(path, &p, total, frames, true), ALOUD_OK);
    read_blocks(path, &bl);
    cs = find_block(&bl, FLAC__METADATA_TYPE_CUESHEET);
    vc = find_block(&bl, FLAC__METADATA_TYPE_VORBIS_COMMENT);
    tu_require(vc);
    if (n <= 254) {
        tu_require(cs);
        assert_ptr_equal(bl.b[1], cs);
        assert_ptr_equal(bl.b[2], vc);
        assert_int_equal(cs->data.cue_sheet.num_tracks, n + 1);
        assert_int_equal(cs->data.cue_sheet.tracks[n - 1].number, n);
        assert_int_equal(cs->data.cue_sheet.tracks[n - 1].offset, frames[n - 1]);
        assert_int_equal(cs->data.cue_sheet.tracks[n].number, 255);
        assert_int_equal(cs->data.cue_sheet.tracks[n].offset, total);
    } else {
        assert_null(cs);
        assert_ptr_equal(bl.b[1], vc);
    }
    assert_int_equal(vc->data.vorbis_comment.num_comments, 2 * named);
    for (size_t i = 0; i < named; i++) {
        format_ms(frames[i], RATE, time, sizeof time);
        snprintf(want, sizeof want, "CHAPTER%03zu=%s", i + 1, time);
        assert_comment(vc, (uint32_t)(2 * i), want);
        snprintf(want, sizeof want, "CHAPTER%03zuNAME=T%zu", i + 1, i + 1);
        assert_comment(vc, (uint32_t)(2 * i + 1), want);
    }
    assert_int_equal(bl.b[bl.count - 1]->length, PADDING_BYTES);
    free_blocks(&bl);

    assert_int_equal(aloud_media_read(path, &m, &err), ALOUD_OK);
    assert_int_equal(m->chapter_count, named);
    assert_string_equal(m->chapters[named - 1].title, titles[named - 1]);
    aloud_media_free(m);
}

static void test_254_chapters(void **state)
{
    check_many(*state, 254);
}

static void test_255_chapters(void **state)
{
    check_many(*state, 255);
}

static void test_300_chapters(void **state)
{
    check_many(*state, 300);
}

static void test_1200_chapters(void **state)
{
    check_many(*state, 1200);
}

/*
 * U+FFFE and U+FFFF are valid UTF-8 that libFLAC's comment check refuses:
 * they are stored as U+FFFD (same byte length) and the file is written.
 * The neighbouring noncharacters libFLAC accepts (U+FDD0, U+1FFFE) stay.
 */
static void test_noncharacters_in_tags(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *titles[] = {"a \xef\xbf\xbf\xef\xbf\xbe", "\xef\xb7\x90 \xf0\x9f\xbf\xbe"};
    const uint64_t frames[] = {0, 500};
    writer_params p = {RATE, 1, "T\xef\xbf\xbe", "A\xef\xbf\xbf", NULL, 2, titles, 0, NULL, NULL, NULL};
    blocks bl;
    const FLAC__StreamMetadata *vc;

    tu_path(fx, "nonchar.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, 1000, frames, false), ALOUD_OK);
    vc = read_comments(path, &bl, 6);
    assert_comment(vc, 0, "TITLE=T\xef\xbf\xbd");
    assert_comment(vc, 1, "ARTIST=A\xef\xbf\xbd");
    assert_comment(vc, 3, "CHAPTER001NAME=a \xef\xbf\xbd\xef\xbf\xbd");
    assert_comment(vc, 5, "CHAPTER002NAME=\xef\xb7\x90 \xf0\x9f\xbf\xbe");
    free_blocks(&bl);
}

static void test_bad_input(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    const char *bad_utf8[] = {"fine", "bad \xff byte"};
    const char *titles[] = {"a", "b"};
    const uint64_t descending[] = {10, 5};
    const uint64_t past_end[] = {0, 1001};
    writer_params p_bad = {RATE, 1, NULL, NULL, NULL, 2, bad_utf8, 0, NULL, NULL, NULL};
    writer_params p = {RATE, 1, NULL, NULL, NULL, 2, titles, 0, NULL, NULL, NULL};
    writer_params no_rate = {0, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    writer *w = NULL;
    aloud_error err = {0};
    const int16_t pcm[8] = {0};

    tu_path(fx, "bad.flac", path, sizeof path);
    assert_int_equal(writer_flac.open(path, &p_bad, &w, &err), ALOUD_ERR_ARG);
    assert_null(w);
    assert_int_equal(writer_flac.open(path, &no_rate, &w, &err), ALOUD_ERR_ARG);
    assert_int_equal(write_flac(path, &p, 1000, descending, false), ALOUD_ERR_ARG);
    assert_int_equal(write_flac(path, &p, 1000, past_end, false), ALOUD_ERR_ARG);

    assert_int_equal(writer_flac.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_flac.write(w, pcm, 8, &err), ALOUD_OK);
    writer_flac.abort(w);
    writer_flac.abort(NULL);
}

/* metaflac, an independent reader, sees the same tags, cuesheet and length. */
static void test_metaflac_agrees(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32], cmd[PATH_MAX + 128];
    const char *titles[] = {"Eins", "Zw\xc3\xb6lf"};
    const uint64_t frames[] = {0, 30000};
    writer_params p = {RATE, 1, "Titel", "Ada", "aloud-test", 2, titles, 0, NULL, NULL, NULL};
    char *out;

    if (!tu_have_tool("metaflac"))
        skip();
    tu_path(fx, "mf.flac", path, sizeof path);
    assert_int_equal(write_flac(path, &p, 44100, frames, false), ALOUD_OK);

    snprintf(cmd, sizeof cmd, "metaflac --export-tags-to=- '%s'", path);
    out = tu_run_try(cmd);
    tu_require(out);
    assert_string_equal(out, "TITLE=Titel\nARTIST=Ada\nENCODER=aloud-test\n"
                             "CHAPTER001=00:00:00.000\nCHAPTER001NAME=Eins\n"
                             "CHAPTER002=00:00:01.361\nCHAPTER002NAME=Zw\xc3\xb6lf\n");
    free(out);

    snprintf(cmd, sizeof cmd, "metaflac --export-cuesheet-to=- '%s'", path);
    out = tu_run_try(cmd);
    tu_require(out);
    tu_require(strstr(out, "  TRACK 01 AUDIO\n    INDEX 01 0\n"
                                "  TRACK 02 AUDIO\n    INDEX 01 30000\n"));
    tu_require(strstr(out, "REM FLAC__lead-out 255 44100\n"));
    free(out);

    snprintf(cmd, sizeof cmd, "metaflac --show-total-samples --show-sample-rate '%s'", path);
    out = tu_run_try(cmd);
    tu_require(out);
    assert_string_equal(out, "44100\n22050\n");
    free(out);
}

/* ------------------------------------------------------------------ pieces */

#define BLOCK 1152u

/* Speech-like and hard audio in turn: noise under a slow swell, exact
 * silence (constant subframes), a pure tone, and full-scale clicks with
 * noise (verbatim subframes). */
static int16_t piece_sample(uint64_t i)
{
    uint64_t part = (i / 7777) % 4;
    uint32_t r = (uint32_t)(i * 2654435761u) >> 16;
    switch (part) {
    case 0:
        return (int16_t)((int)(r % 4001) - 2000 + (int)(8000.0 * sin((double)i / 300.0)));
    case 1:
        return 0;
    case 2:
        return (int16_t)lrint(12000.0 * sin((double)i * 0.07));
    default:
        return (int16_t)(i % 97 == 0 ? -32768 : (int)(r % 65535) - 32767);
    }
}

/*
 * Pieces encoded apart (here in reverse order) and joined make the same
 * bytes as one encoder given the audio whole: frame numbers past 127 and
 * 2047 (longer codes than the piece's own numbers), a last piece that does
 * not fill its last block, the MD5 and frame sizes in STREAMINFO.
 */
static void test_pieces_match_one_encoder(void **state)
{
    fixture *fx = *state;
    char whole[PATH_MAX + 32], apart[PATH_MAX + 32], cmd[2 * PATH_MAX + 64];
    const char *titles[] = {"Eins", "Zwei"};
    const uint64_t chapters[] = {0, 100000};
    writer_params p = {RATE, 1, "Titel", "Ada", "aloud-test", 2, titles, 0, NULL, NULL, NULL};
    /* In blocks: 1, 126, 1, 300, 1700, the rest: 2135 blocks and 517 frames. */
    const size_t piece_blocks[] = {1, 126, 1, 300, 1700, 7};
    enum { PIECES = sizeof piece_blocks / sizeof piece_blocks[0] };
    const uint64_t total = 2135 * (uint64_t)BLOCK + 517;
    int16_t *pcm = malloc(sizeof *pcm * total);
    writer_piece *coded[PIECES] = {0};
    uint64_t first[PIECES + 1];
    writer *w = NULL;
    aloud_error err;

    tu_require(pcm);
    for (uint64_t i = 0; i < total; i++)
        pcm[i] = piece_sample(i);
    first[0] = 0;
    for (size_t k = 0; k < PIECES; k++)
        first[k + 1] = k + 1 == PIECES ? total : first[k] + piece_blocks[k] * BLOCK;
    assert_int_equal(writer_flac.piece_frames, BLOCK);

    tu_path(fx, "whole.flac", whole, sizeof whole);
    assert_int_equal(writer_flac.open(whole, &p, &w, &err), ALOUD_OK);
    for (uint64_t at = 0; at < total; at += 5003) {
        size_t n = (size_t)(total - at < 5003 ? total - at : 5003);
        assert_int_equal(writer_flac.write(w, pcm + at, n, &err), ALOUD_OK);
    }
    assert_int_equal(writer_flac.close(w, chapters, &err), ALOUD_OK);

    tu_path(fx, "apart.flac", apart, sizeof apart);
    assert_int_equal(writer_flac.open(apart, &p, &w, &err), ALOUD_OK);
    for (size_t k = PIECES; k-- > 0;)
        assert_int_equal(writer_flac.encode_piece(w, first[k], pcm + first[k],
                                                  (size_t)(first[k + 1] - first[k]), &coded[k],
                                                  &err),
                         ALOUD_OK);
    for (size_t k = 0; k < PIECES; k++)
        assert_int_equal(writer_flac.write_piece(w, coded[k], pcm + first[k],
                                                 (size_t)(first[k + 1] - first[k]), &err),
                         ALOUD_OK);
    assert_int_equal(writer_flac.close(w, chapters, &err), ALOUD_OK);

    size_t n_whole, n_apart;
    unsigned char *a = tu_read_all(whole, &n_whole), *b = tu_read_all(apart, &n_apart);
    assert_int_equal(n_apart, n_whole);
    assert_memory_equal(a, b, n_whole);
    free(a);
    free(b);
    if (tu_have_tool("flac")) {
        snprintf(cmd, sizeof cmd, "flac -t -s '%s' 2>&1", apart);
        char *out = tu_run_try(cmd);
        tu_require(out);
        assert_string_equal(out, "");
        free(out);
    }
    free(pcm);
}

/* A piece that is not the next on a block boundary is refused, and write()
 * is not mixed with pieces. */
static void test_pieces_in_place_only(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 32];
    writer_params p = {RATE, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL};
    int16_t pcm[3 * BLOCK] = {0};
    writer_piece *piece = NULL;
    writer *w = NULL;
    aloud_error err;

    tu_path(fx, "order.flac", path, sizeof path);
    assert_int_equal(writer_flac.open(path, &p, &w, &err), ALOUD_OK);
    assert_int_equal(writer_flac.encode_piece(w, 5, pcm, BLOCK, &piece, &err), ALOUD_ERR_ARG);
    assert_null(piece);
    /* The second block first. */
    assert_int_equal(writer_flac.encode_piece(w, BLOCK, pcm, BLOCK, &piece, &err), ALOUD_OK);
    assert_int_equal(writer_flac.write_piece(w, piece, pcm, BLOCK, &err), ALOUD_ERR_ARG);
    /* A first piece that ends inside a block leaves no room for another. */
    assert_int_equal(writer_flac.encode_piece(w, 0, pcm, BLOCK + 1, &piece, &err), ALOUD_OK);
    assert_int_equal(writer_flac.write_piece(w, piece, pcm, BLOCK + 1, &err), ALOUD_OK);
    assert_int_equal(writer_flac.encode_piece(w, 2 * BLOCK, pcm, BLOCK, &piece, &err), ALOUD_OK);
    assert_int_equal(writer_flac.write_piece(w, piece, pcm, BLOCK, &err), ALOUD_ERR_ARG);
    assert_int_equal(writer_flac.write(w, pcm, 8, &err), ALOUD_ERR_ARG);
    assert_int_equal(writer_flac.close(w, NULL, &err), ALOUD_OK);
    writer_flac.free_piece(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blocks_and_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_long_times, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_audio_round_trip, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_no_chapters_no_tags, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_254_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_255_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_300_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_1200_chapters, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_noncharacters_in_tags, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_metaflac_agrees, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pieces_match_one_encoder, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pieces_in_place_only, setup, tu_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
