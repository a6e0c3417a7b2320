/*
 * test_sidecar.c - cue sheet, WebVTT, SubRip, LRC and JSON manifest.
 *
 * Each kind is compared byte for byte with a golden file in
 * tests/data/sidecars/ (good.NNN.what.EXT), written from a doc parsed with
 * aloud_doc_parse and a hand-made timeline whose frame positions sit on
 * the rounding edges. Then round trips: the cue sheet's INDEX times and
 * TITLEs, and every caption and manifest time, are parsed back and checked
 * against the timeline with independent arithmetic. Escaping, errors and
 * the atomic replacement of the target close the file.
 *
 * To regenerate the golden files after an intended change, run with
 * ALOUD_UPDATE_GOLDEN=1 and review the diff.
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

#define RATE 22050u
#define KINDS 5

static const char *const kinds[KINDS] = {"cue", "vtt", "srt", "lrc", "json"};

/* ------------------------------------------------------------ fixtures */

/* A parsed doc and its timeline; what each test works from. */
typedef struct timeline {
    aloud_doc *doc;
    aloud_render_result res;
    aloud_sidecar_info info;
} timeline;

typedef struct fixture {
    char dir[PATH_MAX];
    timeline article;  /* title, byline, headings, markup-like text; 20 s */
    timeline long_one; /* no title or author, past an hour, an MP3 */
} fixture;

static const char article_text[] =
    "The \"Quoted\" Title\n"
    "\n"
    "By Ada Lovelace\n"
    "\n"
    "First paragraph is here. It has two sentences.\n"
    "\n"
    "Fish & chips <b>tags</b> at the caf\xc3\xa9 here! A back\\slash and\ta tab.\n"
    "\n"
    "A Heading\n"
    "\n"
    "Third, the last one.\n";

/*
 * Sentence spans in frames at 22050 Hz, chosen on rounding edges:
 * 44112 = 2000.54 ms (-> 2001), 66149 = 2999.95 ms (-> 3000),
 * 143336 = 6500.499 ms (-> 6500), 375144 = 17013.33 ms (CD frame 1276.0
 * exactly, LRC 1701.33 -> 1701).
 */
static const aloud_span article_sentences[] = {
    {0, 33075},      {44112, 66149},  {88200, 143336},  {154350, 198450},
    {220500, 264600}, {275625, 308700}, {330750, 352800}, {375144, 418950},
};
static const aloud_span article_paragraphs[] = {
    {0, 33075}, {44112, 66149}, {88200, 198450}, {220500, 308700}, {330750, 352800},
    {375144, 418950},
};

static const char long_text[] =
    "This text has no title at all, and it starts right away. Then a second sentence.\n"
    "\n"
    "A short one.\n";

/*
 * Past an hour: 82147422 frames = 3725.5067 s (1:02:05.507; CD frame
 * 279413 exactly; LRC [62:05.50]); 99886793 = 4530.0133 s.
 */
static const aloud_span long_sentences[] = {
    {0, 78057000}, {82147422, 99886793}, {100548293, 100569343},
};
static const aloud_span long_paragraphs[] = {
    {0, 99886793}, {100548293, 100569343},
};

static void make_timeline(timeline *t, const char *text, const aloud_span *sentences, size_t ns,
                          const aloud_span *paragraphs, size_t np, uint64_t frames,
                          const aloud_sidecar_info *info)
{
    aloud_error err = {0};

    assert_int_equal(aloud_doc_parse(text, strlen(text), &t->doc, &err), ALOUD_OK);
    tu_require(t->doc);
    assert_int_equal(aloud_doc_sentence_count(t->doc), ns);
    assert_int_equal(aloud_doc_paragraph_count(t->doc), np);
    memset(&t->res, 0, sizeof t->res);
    t->res.sample_rate = RATE;
    t->res.frames = frames;
    t->res.sentence_count = ns;
    t->res.paragraph_count = np;
    t->res.sentences = malloc(ns * sizeof *t->res.sentences);
    t->res.paragraphs = malloc(np * sizeof *t->res.paragraphs);
    tu_require(t->res.sentences);
    tu_require(t->res.paragraphs);
    memcpy(t->res.sentences, sentences, ns * sizeof *sentences);
    memcpy(t->res.paragraphs, paragraphs, np * sizeof *paragraphs);
    t->info = *info;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const aloud_sidecar_info article_info = {"text/article.txt", "out/article.flac", "flac",
                                             "narrator", 175};
    const aloud_sidecar_info long_info = {NULL, "/tmp/elsewhere/Long \"name\".mp3", "mp3", NULL,
                                          0};

    if (!fx)
        return -1;
    if (tu_tempdir_make(fx->dir, sizeof fx->dir, "sidecar") != 0) {
        free(fx);
        return -1;
    }
    make_timeline(&fx->article, article_text, article_sentences, 8, article_paragraphs, 6,
                  441000, &article_info);
    make_timeline(&fx->long_one, long_text, long_sentences, 3, long_paragraphs, 2, 100591393,
                  &long_info);
    *state = fx;
    return 0;
}

static void free_timeline(timeline *t)
{
    aloud_doc_free(t->doc);
    aloud_render_result_free(&t->res);
}

static int teardown(void **state)
{
    fixture *fx = *state;

    tu_tempdir_remove(fx->dir);
    free_timeline(&fx->article);
    free_timeline(&fx->long_one);
    free(fx);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    tu_require(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Writes `kind` for `t` into the fixture folder; returns its contents (caller frees). */
static char *render(const fixture *fx, const timeline *t, const char *kind)
{
    char path[PATH_MAX + 64];
    aloud_error err = {0};
    aloud_status st;

    snprintf(path, sizeof path, "%s/out.%s", fx->dir, aloud_sidecar_extension(kind));
    st = aloud_sidecar_write(kind, path, t->doc, &t->res, &t->info, NULL, &err);
    if (st != ALOUD_OK)
        print_error("%s: %s\n", kind, err.message);
    assert_int_equal(st, ALOUD_OK);
    return tu_read_text(path);
}

/* ------------------------------------------------------- golden files */

static void check_golden(const fixture *fx, const timeline *t, const char *name)
{
    for (size_t k = 0; k < KINDS; k++) {
        char golden[PATH_MAX];
        char *got = render(fx, t, kinds[k]);

        snprintf(golden, sizeof golden, "%s/sidecars/%s.%s", ALOUD_TEST_DATA, name,
                 aloud_sidecar_extension(kinds[k]));
        if (getenv("ALOUD_UPDATE_GOLDEN")) {
            write_text(golden, got);
        } else {
            char *want = tu_read_text(golden);

            if (strcmp(got, want) != 0)
                fail_msg("%s differs from the golden file:\n--- got\n%s--- want\n%s", golden, got,
                         want);
            free(want);
        }
        free(got);
    }
}

static void test_golden_article(void **state)
{
    fixture *fx = *state;

    check_golden(fx, &fx->article, "good.001.article-six-paragraphs");
}

static void test_golden_past_an_hour(void **state)
{
    fixture *fx = *state;

    check_golden(fx, &fx->long_one, "good.002.past-an-hour-no-title-mp3");
}

/* --------------------------------------------------------- round trips */

/* Milliseconds of a frame, rounded to nearest: exact in double at these sizes. */
static uint64_t ms_of(uint64_t frame)
{
    return (uint64_t)floor((double)frame * 1000.0 / RATE + 0.5);
}

/* Reads a quoted cue string after `key` on the line at *p. */
static bool cue_string(const char *line, const char *key, char *out, size_t size)
{
    size_t n = strlen(key), i = 0;
    const char *s;

    if (strncmp(line, key, n) != 0 || line[n] != ' ' || line[n + 1] != '"')
        return false;
    s = line + n + 2;
    while (*s && *s != '"' && *s != '\n' && i + 1 < size)
        out[i++] = *s++;
    out[i] = '\0';
    assert_int_equal(*s, '"');
    return true;
}

/* The chapter title as a cue sheet can hold it: '"' has no escape and becomes '\''. */
static void cue_form(const char *s, char *out, size_t size)
{
    size_t i = 0;

    for (; *s && i + 1 < size; s++)
        out[i++] = *s == '"' ? '\'' : *s;
    out[i] = '\0';
}

/*
 * Parses the cue sheet back: TRACKs numbered 01 up, never past 99, each
 * holding aloud_sidecar_cue_group() paragraphs (one up to 99 paragraphs),
 * titled after its first; INDEX 01, 02... at the starts of its paragraphs
 * rounded down to 1/75 s (INDEX 01 only past 99 x 99 paragraphs), so the
 * times never go back.
 */
static void check_cue_round_trip(const fixture *fx, const timeline *t, const char *file_name,
                                 const char *file_type)
{
    char *cue = render(fx, t, "cue");
    char want_file[512], title[512], want_title[512];
    size_t count = t->res.paragraph_count;
    size_t group = aloud_sidecar_cue_group(count);
    size_t track = 0, index = 0, indexed = 0;
    uint64_t last_cd = 0;
    bool in_track = false, have_file = false;

    snprintf(want_file, sizeof want_file, "FILE \"%s\" %s", file_name, file_type);
    for (char *line = strtok(cue, "\n"); line; line = strtok(NULL, "\n")) {
        const char *s = line;
        unsigned n, mm, ss, ff;

        while (*s == ' ')
            s++;
        if (strncmp(s, "FILE ", 5) == 0) {
            assert_string_equal(s, want_file);
            have_file = true;
        } else if (sscanf(s, "TRACK %u AUDIO", &n) == 1) {
            assert_true(have_file);
            assert_int_equal(n, ++track);
            assert_true(n >= 1 && n <= 99);
            index = 0;
            in_track = true;
        } else if (in_track && cue_string(s, "TITLE", title, sizeof title)) {
            cue_form(aloud_doc_paragraph(t->doc, (track - 1) * group)->chapter_title, want_title,
                     sizeof want_title);
            assert_string_equal(title, want_title);
        } else if (sscanf(s, "INDEX %u %u:%u:%u", &n, &mm, &ss, &ff) == 4) {
            size_t p = (track - 1) * group + n - 1;
            uint64_t start, cd = ((uint64_t)mm * 60u + ss) * 75u + ff;

            assert_true(in_track);
            assert_int_equal(n, ++index);
            assert_true(n <= 99 && n <= group && p < count);
            start = t->res.paragraphs[p].start;
            assert_true(ss < 60 && ff < 75);
            /* Rounded down: at or before the speech, by less than one CD frame. */
            assert_int_equal(cd, (uint64_t)floor((double)start * 75.0 / RATE));
            assert_true(cd * RATE <= start * 75u && start * 75u < (cd + 1) * RATE);
            assert_true(cd >= last_cd);
            last_cd = cd;
            indexed++;
        }
    }
    assert_int_equal(track, (count + group - 1) / group);
    assert_int_equal(indexed, group <= 99 ? count : track);
    free(cue);
}

static void test_cue_round_trip(void **state)
{
    fixture *fx = *state;

    check_cue_round_trip(fx, &fx->article, "article.flac", "WAVE");
    check_cue_round_trip(fx, &fx->long_one, "Long 'name'.mp3", "MP3");
}

/*
 * A text of `n` one-sentence paragraphs ("Paragraph 1." ...), paragraph i
 * starting at i seconds and a few frames, so that no two share a CD frame.
 */
static void make_many(timeline *t, size_t n, const aloud_sidecar_info *info)
{
    size_t cap = n * 24 + 1, len = 0;
    char *text = malloc(cap);
    aloud_span *spans = malloc(n * sizeof *spans);

    tu_require(text);
    tu_require(spans);
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, cap - len, "Paragraph %zu.\n\n", i + 1);
        spans[i].start = (uint64_t)i * RATE + i % 7u;
        spans[i].end = spans[i].start + RATE / 2u;
    }
    make_timeline(t, text, spans, n, spans, n, (uint64_t)n * RATE, info);
    free(spans);
    free(text);
}

/*
 * A cue sheet numbers tracks 01 to 99: 150 paragraphs go two a track
 * (INDEX 02 for the second), 9802 (past 99 x 99) go 100 a track with
 * INDEX 01 only. The CLI warns (test_hostile_formats.py); up to 99
 * paragraphs, one track each (the golden files).
 */
static void test_cue_at_most_99_tracks(void **state)
{
    fixture *fx = *state;
    const aloud_sidecar_info info = {NULL, "many.wav", "wav", NULL, 0};
    const size_t counts[] = {99, 100, 150, 9801, 9802};

    assert_int_equal(aloud_sidecar_cue_group(0), 1);
    assert_int_equal(aloud_sidecar_cue_group(99), 1);
    assert_int_equal(aloud_sidecar_cue_group(100), 2);
    assert_int_equal(aloud_sidecar_cue_group(198), 2);
    assert_int_equal(aloud_sidecar_cue_group(199), 3);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        timeline t;

        make_many(&t, counts[c], &info);
        check_cue_round_trip(fx, &t, "many.wav", "WAVE");
        if (counts[c] == 150) {
            char *cue = render(fx, &t, "cue");

            assert_non_null(strstr(cue, "  TRACK 75 AUDIO\n    TITLE \"Paragraph 149.\"\n"
                                        "    INDEX 01 02:28:00\n    INDEX 02 02:29:00\n"));
            assert_null(strstr(cue, "TRACK 76"));
            free(cue);
        }
        free_timeline(&t);
    }
}

/* Parses "HH:MM:SS<sep>mmm" into milliseconds. */
static uint64_t clock_ms(const char *s, char sep)
{
    unsigned long long h, m, sec, ms;
    char got;

    assert_int_equal(sscanf(s, "%llu:%2llu:%2llu%c%3llu", &h, &m, &sec, &got, &ms), 5);
    assert_int_equal(got, sep);
    assert_true(m < 60 && sec < 60);
    return ((h * 60u + m) * 60u + sec) * 1000u + ms;
}

/* Every "a --> b" line of a caption file, in order, against the sentence spans. */
static void check_captions(const char *text, const timeline *t, char sep)
{
    const char *at = text;
    size_t n = 0;

    while ((at = strstr(at, " --> ")) != NULL) {
        const char *line = at;

        while (line > text && line[-1] != '\n')
            line--;
        assert_true(n < t->res.sentence_count);
        assert_int_equal(clock_ms(line, sep), ms_of(t->res.sentences[n].start));
        assert_int_equal(clock_ms(at + 5, sep), ms_of(t->res.sentences[n].end));
        n++;
        at += 5;
    }
    assert_int_equal(n, t->res.sentence_count);
}

/* Every "start"/"end" of the manifest, in order: paragraph, its sentences, next paragraph. */
static void check_json_times(const char *text, const timeline *t)
{
    const char *at = text;

    for (size_t p = 0; p < t->res.paragraph_count; p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(t->doc, p);
        unsigned long long sec, ms;

        at = strstr(at, "\"start\": ");
        tu_require(at);
        assert_int_equal(sscanf(at, "\"start\": %llu.%3llu", &sec, &ms), 2);
        assert_int_equal(sec * 1000u + ms, ms_of(t->res.paragraphs[p].start));
        at = strstr(at, "\"end\": ");
        tu_require(at);
        assert_int_equal(sscanf(at, "\"end\": %llu.%3llu", &sec, &ms), 2);
        assert_int_equal(sec * 1000u + ms, ms_of(t->res.paragraphs[p].end));
        for (size_t i = 0; i < para->sentence_count; i++) {
            const aloud_span *sp = &t->res.sentences[para->first_sentence + i];

            at = strstr(at, "\"start\": ");
            tu_require(at);
            assert_int_equal(sscanf(at, "\"start\": %llu.%3llu", &sec, &ms), 2);
            assert_int_equal(sec * 1000u + ms, ms_of(sp->start));
            at = strstr(at, "\"end\": ");
            tu_require(at);
            assert_int_equal(sscanf(at, "\"end\": %llu.%3llu", &sec, &ms), 2);
            assert_int_equal(sec * 1000u + ms, ms_of(sp->end));
        }
    }
}

/* LRC lines: [mm:ss.xx] at each sentence's start rounded down to a hundredth. */
static void check_lrc(const char *text, const timeline *t)
{
    const char *at = text;
    size_t n = 0;

    while ((at = strchr(at, '[')) != NULL) {
        unsigned long long mm, ss, cs;

        if (sscanf(at, "[%llu:%2llu.%2llu]", &mm, &ss, &cs) == 3) {
            uint64_t want = (uint64_t)floor((double)t->res.sentences[n].start * 100.0 / RATE);

            assert_true(ss < 60);
            assert_int_equal((mm * 60u + ss) * 100u + cs, want);
            n++;
        }
        at++;
    }
    assert_int_equal(n, t->res.sentence_count);
}

static void check_times_agree(const fixture *fx, const timeline *t)
{
    char *vtt = render(fx, t, "vtt");
    char *srt = render(fx, t, "srt");
    char *json = render(fx, t, "json");
    char *lrc = render(fx, t, "lrc");

    check_captions(vtt, t, '.');
    check_captions(srt, t, ',');
    check_json_times(json, t);
    check_lrc(lrc, t);
    free(vtt);
    free(srt);
    free(json);
    free(lrc);
}

/* VTT, SRT and JSON show the same millisecond for every sentence; LRC its hundredth. */
static void test_times_agree(void **state)
{
    fixture *fx = *state;

    check_times_agree(fx, &fx->article);
    check_times_agree(fx, &fx->long_one);
}

/* ------------------------------------------------------------ escaping */

static void test_escaping(void **state)
{
    fixture *fx = *state;
    timeline *t = &fx->article;
    aloud_sidecar_info saved = t->info;
    char *json, *cue, *vtt, *srt;

    t->info.input = "in\tput\n\"x\"\\y\x01z\x1f.txt";
    t->info.voice = "v\xc3\xb6ice \xe2\x80\x94 \xf0\x9f\x98\x80";
    t->info.output = "dir/My \"Talk\".opus";
    t->info.format = "opus";
    json = render(fx, t, "json");
    tu_require(strstr(json, "\"input\": \"in\\tput\\n\\\"x\\\"\\\\y\\u0001z\\u001f.txt\",\n"));
    tu_require(strstr(json, "\"voice\": \"v\xc3\xb6ice \xe2\x80\x94 \xf0\x9f\x98\x80\",\n"));
    tu_require(strstr(json, "\"title\": \"The \\\"Quoted\\\" Title\""));
    tu_require(strstr(json, "{\"text\": \"A back\\\\slash and a tab.\""));
    cue = render(fx, t, "cue");
    tu_require(strstr(cue, "TITLE \"The 'Quoted' Title\"\n"));
    tu_require(strstr(cue, "FILE \"My 'Talk'.opus\" WAVE\n"));
    vtt = render(fx, t, "vtt");
    tu_require(strstr(vtt, "\nFish &amp; chips &lt;b&gt;tags&lt;/b&gt; at the caf\xc3\xa9 here!\n"));
    srt = render(fx, t, "srt");
    tu_require(strstr(srt, "\nFish & chips <b>tags</b> at the caf\xc3\xa9 here!\n"));
    free(json);
    free(cue);
    free(vtt);
    free(srt);

    /* Nothing known: nulls, and no rate. */
    memset(&t->info, 0, sizeof t->info);
    json = render(fx, t, "json");
    tu_require(strstr(json, "{\n  \"input\": null,\n  \"output\": null,\n  \"format\": null,\n"
                         "  \"voice\": null,\n  \"rate\": null,\n"));
    free(json);
    t->info = saved;
}

/* A file name in Latin-1 (not UTF-8) still gives valid JSON: U+FFFD per bad byte. */
static void test_json_string_invalid_utf8_is_fffd(void **state)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f;

    (void)state;
    f = open_memstream(&text, &size);
    tu_require(f);
    /* Latin-1 "café", a lone continuation byte, a cut 3-byte sequence, an
     * overlong '/', a surrogate, and valid UTF-8 around them. */
    aloud_json_put_string(f, "caf\xe9 \x80 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xc3\xa9\xe2\x82\xac");
    assert_int_equal(fclose(f), 0);
    assert_string_equal(text, "\"caf\\ufffd \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd "
                              "\\ufffd\\ufffd\\ufffd \xc3\xa9\xe2\x82\xac\"");
    free(text);
}

/* A sentence that begins like an LRC time tag is not read as a second tag. */
static void test_lrc_text_starting_with_a_tag(void **state)
{
    static const char text[] = "[00:01.00] This sentence starts like a tag.\n";
    static const aloud_span spans[] = {{22050, 44100}};
    const aloud_sidecar_info info = {NULL, NULL, NULL, NULL, 0};
    fixture *fx = *state;
    timeline t;
    char *lrc;

    make_timeline(&t, text, spans, 1, spans, 1, 44100, &info);
    lrc = render(fx, &t, "lrc");
    assert_string_equal(lrc, "[00:01.00]\xef\xbc\xbb" "00:01.00\xef\xbc\xbd"
                             " This sentence starts like a tag.\n");
    free(lrc);
    free_timeline(&t);
}

/* -------------------------------------------------------- API and errors */

static void test_kinds(void **state)
{
    (void)state;
    for (size_t k = 0; k < KINDS; k++) {
        assert_string_equal(aloud_sidecar_at(k), kinds[k]);
        assert_string_equal(aloud_sidecar_extension(kinds[k]), kinds[k]);
    }
    assert_null(aloud_sidecar_at(KINDS));
    assert_null(aloud_sidecar_extension("txt"));
    assert_null(aloud_sidecar_extension("CUE"));
    assert_null(aloud_sidecar_extension(NULL));
}

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

static void test_errors(void **state)
{
    fixture *fx = *state;
    timeline *t = &fx->article;
    char path[PATH_MAX + 64];
    aloud_render_result bad = t->res;
    aloud_span backwards[8];
    aloud_error err = {0};
    aloud_sidecar_info no_output = t->info;

    snprintf(path, sizeof path, "%s/x.cue", fx->dir);
    assert_int_equal(aloud_sidecar_write("wav", path, t->doc, &t->res, &t->info, NULL, &err),
                     ALOUD_ERR_FORMAT);
    assert_int_equal(aloud_sidecar_write(NULL, path, t->doc, &t->res, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(aloud_sidecar_write("cue", NULL, t->doc, &t->res, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(aloud_sidecar_write("cue", path, NULL, &t->res, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(aloud_sidecar_write("cue", path, t->doc, NULL, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    no_output.output = NULL;
    assert_int_equal(aloud_sidecar_write("cue", path, t->doc, &t->res, &no_output, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(aloud_sidecar_write("cue", path, t->doc, &t->res, NULL, NULL, &err),
                     ALOUD_ERR_ARG);
    bad.sentence_count = 7;
    assert_int_equal(aloud_sidecar_write("srt", path, t->doc, &bad, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_non_null(strstr(err.message, "does not match"));
    bad = t->res;
    bad.sample_rate = 0;
    assert_int_equal(aloud_sidecar_write("srt", path, t->doc, &bad, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    bad = t->res;
    memcpy(backwards, article_sentences, sizeof backwards);
    backwards[3].end = backwards[3].start - 1;
    bad.sentences = backwards;
    assert_int_equal(aloud_sidecar_write("vtt", path, t->doc, &bad, &t->info, NULL, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(folder_entries(fx), 0); /* nothing was created */

    /* JSON without info is fine (all null); a missing folder is a write error, no leftovers. */
    snprintf(path, sizeof path, "%s/x.json", fx->dir);
    assert_int_equal(aloud_sidecar_write("json", path, t->doc, &t->res, NULL, NULL, &err),
                     ALOUD_OK);
    snprintf(path, sizeof path, "%s/missing/x.json", fx->dir);
    assert_int_equal(aloud_sidecar_write("json", path, t->doc, &t->res, NULL, NULL, &err),
                     ALOUD_ERR_WRITE);
    assert_int_equal(folder_entries(fx), 1);
}

/* An existing file is replaced whole, through a temporary name that does not stay behind. */
static void test_replaces_target(void **state)
{
    fixture *fx = *state;
    char path[PATH_MAX + 64];
    aloud_error err = {0};
    char *text;

    snprintf(path, sizeof path, "%s/a.srt", fx->dir);
    write_text(path, "old contents that are longer than nothing\n");
    assert_int_equal(aloud_sidecar_write("srt", path, fx->article.doc, &fx->article.res,
                                         &fx->article.info, NULL, &err),
                     ALOUD_OK);
    text = tu_read_text(path);
    assert_int_equal(strncmp(text, "1\n00:00:00,000 --> 00:00:01,500\n", 32), 0);
    free(text);
    assert_int_equal(folder_entries(fx), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_golden_article, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden_past_an_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cue_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cue_at_most_99_tracks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test(test_json_string_invalid_utf8_is_fffd),
        cmocka_unit_test_setup_teardown(test_lrc_text_starting_with_a_tag, setup, teardown),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaces_target, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
