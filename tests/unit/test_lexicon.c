/*
 * test_lexicon.c - lexicon files (format in voices/lexicon/README.md):
 * parsing, matching, case, phrases, longest match, fired counts, and each
 * error with its line and column. Files are written to a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"
#include "lexicon.h"
#include "speak.h"

typedef struct fixture {
    char dir[256];
    char path[320];
    int files;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (tu_tempdir_make(fx->dir, sizeof fx->dir, "lexicon") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    tu_tempdir_remove(fx->dir);
    free(fx);
    return 0;
}

/* Writes data[0..size) to a new file in the fixture's folder; returns its path. */
static const char *write_file(fixture *fx, const char *data, size_t size)
{
    FILE *f;
    snprintf(fx->path, sizeof fx->path, "%s/%d.lex", fx->dir, fx->files++);
    f = fopen(fx->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    return fx->path;
}

/* Loads `text` as a lexicon file into lex; returns the status. */
static aloud_status load_text(fixture *fx, aloud_lexicon *lex, const char *text, aloud_error *err)
{
    return aloud_lexicon_load(lex, write_file(fx, text, strlen(text)), err);
}

static aloud_lexicon *lexicon_from(fixture *fx, const char *text)
{
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    assert_non_null(lex);
    if (load_text(fx, lex, text, &err) != ALOUD_OK)
        fail_msg("%u:%u: %s", err.line, err.column, err.message);
    return lex;
}

/* The lexicon's replacements in `text` (no spoken-text rules), in a static buffer. */
static const char *apply(aloud_lexicon *lex, const char *text)
{
    static char copy[4096];
    speak_buf out = {0};
    assert_true(lexicon_apply(lex, text, strlen(text), &out));
    snprintf(copy, sizeof copy, "%.*s", (int)out.length, out.data ? out.data : "");
    speak_buf_free(&out);
    lexicon_commit(lex, true);
    return copy;
}

static size_t fired(const aloud_lexicon *lex, size_t index)
{
    aloud_lexicon_entry_info info;
    aloud_lexicon_entry(lex, index, &info);
    return info.fired;
}

/* ------------------------------------------------------------------ format */

static void test_create_free(void **state)
{
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_lexicon_entry_info info;
    (void)state;
    assert_non_null(lex);
    assert_int_equal(aloud_lexicon_entry_count(lex), 0);
    aloud_lexicon_entry(lex, 0, &info);
    assert_null(info.match);
    assert_string_equal(apply(lex, "Natanz"), "Natanz");
    aloud_lexicon_free(lex);
    aloud_lexicon_free(NULL);
    assert_int_equal(aloud_lexicon_entry_count(NULL), 0);
}

static void test_format(void **state)
{
    fixture *fx = *state;
    aloud_lexicon_entry_info info;
    aloud_lexicon *lex = lexicon_from(fx, "\xEF\xBB\xBF# A comment, then a blank line\n"
                                          "\n"
                                          "   # an indented comment\n"
                                          "Natanz = na tahnz\r\n"
                                          "Ulyanov=[[u:lj'A:n@f]]\r"
                                          "\tXi   Jinping \t=  [[S'i: dZ'InpIN]]  \n"
                                          "US == U.S.\n"
                                          "tide mill = tide [[m'Il]]\n"
                                          "Natanz plant = the plant at[[n@t'A:nz]]");
    (void)state;
    assert_int_equal(aloud_lexicon_entry_count(lex), 6);

    aloud_lexicon_entry(lex, 0, &info);
    assert_string_equal(info.match, "Natanz");
    assert_string_equal(info.replacement, "na tahnz");
    assert_string_equal(info.file, fx->path);
    assert_int_equal(info.line, 4);
    assert_int_equal(info.fired, 0);

    aloud_lexicon_entry(lex, 1, &info);
    assert_string_equal(info.match, "Ulyanov");
    assert_string_equal(info.replacement, "[[u:lj'A:n@f]]");
    assert_int_equal(info.line, 5);  /* a lone CR ends a line too */

    /* Blanks collapse to one space; the match is a phrase. */
    aloud_lexicon_entry(lex, 2, &info);
    assert_string_equal(info.match, "Xi Jinping");
    assert_string_equal(info.replacement, "[[S'i: dZ'InpIN]]");
    assert_int_equal(info.line, 6);

    aloud_lexicon_entry(lex, 3, &info);
    assert_string_equal(info.match, "US");
    assert_string_equal(info.replacement, "U.S.");

    /* Respelling and phonemes mix; "[[" gets a space before it. */
    aloud_lexicon_entry(lex, 4, &info);
    assert_string_equal(info.replacement, "tide [[m'Il]]");
    aloud_lexicon_entry(lex, 5, &info);
    assert_string_equal(info.replacement, "the plant at [[n@t'A:nz]]");
    assert_int_equal(info.line, 9);  /* no line end at the end of the file */

    aloud_lexicon_entry(lex, 6, &info);
    assert_null(info.match);
    aloud_lexicon_free(lex);
}

static void test_empty_files(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    assert_int_equal(load_text(fx, lex, "", &err), ALOUD_OK);
    assert_int_equal(load_text(fx, lex, "# nothing\n\n   \n\t\n", &err), ALOUD_OK);
    assert_int_equal(aloud_lexicon_entry_count(lex), 0);
    aloud_lexicon_free(lex);
}

/* ---------------------------------------------------------------- matching */

static void test_whole_words(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "Natanz = na tahnz\n");
    assert_string_equal(apply(lex, "Natanz"), "na tahnz");
    assert_string_equal(apply(lex, "at Natanz."), "at na tahnz.");
    assert_string_equal(apply(lex, "Natanz-based, anti-Natanz"), "na tahnz-based, anti-na tahnz");
    assert_string_equal(apply(lex, "\xE2\x80\x9CNatanz\xE2\x80\x9D"), "\xE2\x80\x9Cna tahnz\xE2\x80\x9D");
    assert_string_equal(apply(lex, "Natanz's site"), "na tahnz's site");
    /* Not inside a word, nor inside an address or handle. */
    assert_string_equal(apply(lex, "Natanzian Natanz2 xNatanz"), "Natanzian Natanz2 xNatanz");
    assert_string_equal(apply(lex, "natanz.ir www.natanz.com x/natanz @natanz #natanz a_natanz"),
                        "natanz.ir www.natanz.com x/natanz @natanz #natanz a_natanz");
    assert_string_equal(apply(lex, "Natanz: the site. (Natanz)"), "na tahnz: the site. (na tahnz)");
    assert_int_equal(fired(lex, 0), 8);
    aloud_lexicon_free(lex);
}

static void test_case(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "natanz = na tahnz\n"
                                          "WHO == W.H.O.\n"
                                          "\xC3\x9Clyanov = ool yah nof\n"
                                          "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 = moscow\n");
    /* Without "==", any case matches. */
    assert_string_equal(apply(lex, "Natanz NATANZ natanz nAtAnZ"),
                        "na tahnz na tahnz na tahnz na tahnz");
    /* With "==", only as written. */
    assert_string_equal(apply(lex, "the WHO said who knew Who"), "the W.H.O. said who knew Who");
    /* Case folds beyond ASCII: Latin-1, Cyrillic. */
    assert_string_equal(apply(lex, "\xC3\xBClyanov \xC3\x9CLYANOV"), "ool yah nof ool yah nof");
    assert_string_equal(apply(lex, "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 "
                                   "\xD0\x9C\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90"),
                        "moscow moscow");
    assert_int_equal(fired(lex, 0), 4);
    assert_int_equal(fired(lex, 1), 1);
    assert_int_equal(fired(lex, 2), 2);
    assert_int_equal(fired(lex, 3), 2);
    aloud_lexicon_free(lex);
}

static void test_phrases_and_longest(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "New York = new york city\n"
                                          "New York Times = the times\n"
                                          "New = novel\n"
                                          "York = yorke\n"
                                          "Dr. No = doctor no\n"
                                          "@decampdave = at de camp dave\n"
                                          "C++ = c plus plus\n"
                                          "& = and\n");
    assert_string_equal(apply(lex, "The New York Times in New York, New Jersey and York."),
                        "The the times in new york city, novel Jersey and yorke.");
    /* A phrase matches across one space only (the text is normalised). */
    assert_string_equal(apply(lex, "New-York"), "novel-yorke");
    assert_string_equal(apply(lex, "new york times"), "the times");
    /* Matches may start or end with punctuation. */
    assert_string_equal(apply(lex, "Dr. No, Dr. Nothing"), "doctor no, Dr. Nothing");
    assert_string_equal(apply(lex, "follow @decampdave. x@decampdave"),
                        "follow at de camp dave. x@decampdave");
    assert_string_equal(apply(lex, "C++ and C++x and R & D and AT&T"),
                        "c plus plus and C++x and R and D and AT&T");
    aloud_lexicon_free(lex);
}

static void test_later_wins(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "Natanz = first\nus = you ess\n");
    aloud_error err;
    aloud_lexicon_entry_info info;
    assert_int_equal(load_text(fx, lex, "natanz = second\nUS == U.S.\n", &err), ALOUD_OK);
    assert_int_equal(aloud_lexicon_entry_count(lex), 4);
    assert_string_equal(apply(lex, "Natanz"), "second");
    /* An exact-case entry wins over a folded one of the same length. */
    assert_string_equal(apply(lex, "US us"), "U.S. you ess");
    assert_int_equal(fired(lex, 0), 0);
    assert_int_equal(fired(lex, 2), 1);
    aloud_lexicon_entry(lex, 2, &info);
    assert_string_equal(info.file, fx->path);
    assert_int_equal(info.line, 1);
    aloud_lexicon_free(lex);
}

static void test_phoneme_output(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "Natanz = [[n@t'A:nz]]\n"
                                          "Ulyanov = [[u:lj'A:n@f]]\n"
                                          "Mikhail = [[mi:kA:'i:l]]\n"
                                          "Natanz site = the site\n");
    /* espeak-ng drops a phoneme block right after "(" or a quote: a space goes first. */
    assert_string_equal(apply(lex, "(Natanz) \"Natanz\" x-Natanz"),
                        "( [[n@t'A:nz]]) \" [[n@t'A:nz]]\" x- [[n@t'A:nz]]");
    /* A possessive goes into the block: /Iz/ after a sibilant, /s/ after f, /z/ else. */
    assert_string_equal(apply(lex, "Natanz's Ulyanov\xE2\x80\x99s Mikhail's"),
                        "[[n@t'A:nzI#z]] [[u:lj'A:n@fs]] [[mi:kA:'i:lz]]");
    assert_string_equal(apply(lex, "Natanz'sx Natanz'"), "[[n@t'A:nz]]'sx [[n@t'A:nz]]'");
    assert_string_equal(apply(lex, "the Natanz site"), "the the site");
    aloud_lexicon_free(lex);
}

/* Replacements are marked kept, so that the spoken-text rules leave them alone. */
static void test_kept_spans(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = lexicon_from(fx, "IAEA = the agency\nx = [[Eks]]\n");
    speak_buf out = {0};
    const char *text = "the IAEA (x) IAEA";
    assert_true(lexicon_apply(lex, text, strlen(text), &out));
    assert_string_equal(out.data, "the the agency ( [[Eks]]) the agency");
    assert_int_equal(out.kept_count, 3);
    assert_int_equal(out.kept[0].start, 4);
    assert_int_equal(out.kept[0].end, 14);
    assert_int_equal(out.kept[1].start, 17);
    assert_int_equal(out.kept[1].end, 24);
    assert_int_equal(out.kept[2].start, 26);
    assert_int_equal(out.kept[2].end, 36);
    speak_buf_free(&out);
    /* Pending counts are dropped unless committed. */
    lexicon_commit(lex, false);
    assert_int_equal(fired(lex, 0), 0);
    aloud_lexicon_free(lex);
}

/* Thousands of entries: matching stays per word, not per entry. */
static void test_many_entries(void **state)
{
    fixture *fx = *state;
    size_t cap = 5000 * 64;
    char *data = malloc(cap);
    char *text = malloc(200000);
    size_t n = 0;
    size_t t = 0;
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    speak_buf out = {0};
    assert_non_null(data);
    assert_non_null(text);
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(data + n, cap - n, "word%d phrase = w%d\nword%d = single%d\n", i, i,
                              i, i);
    assert_int_equal(aloud_lexicon_load(lex, write_file(fx, data, n), &err), ALOUD_OK);
    assert_int_equal(aloud_lexicon_entry_count(lex), 10000);
    for (int i = 0; i < 10000; i++)
        t += (size_t)snprintf(text + t, 200000 - t, "word%d %s", i % 5000, i % 2 ? "phrase " : "x ");
    assert_true(lexicon_apply(lex, text, t, &out));
    lexicon_commit(lex, true);
    assert_int_equal(strncmp(out.data, "single0 x w1 single2 x w3 ", 26), 0);
    assert_int_equal(fired(lex, 0), 0);  /* "word0 phrase": i % 2 == 0 never has "phrase" */
    assert_int_equal(fired(lex, 1), 2);  /* "word0" alone, twice */
    assert_int_equal(fired(lex, 2), 2);  /* "word1 phrase" */
    speak_buf_free(&out);
    aloud_lexicon_free(lex);
    free(data);
    free(text);
}

/* ------------------------------------------------------------------ errors */

/* Loads `text`, expects ALOUD_ERR_LEXICON at line:column with `message` in the reason. */
static void expect_error(fixture *fx, const char *text, size_t size, unsigned line,
                         unsigned column, const char *message)
{
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    aloud_status st;
    memset(&err, 0, sizeof err);
    assert_int_equal(load_text(fx, lex, "Ok = fine\n", &err), ALOUD_OK);
    st = aloud_lexicon_load(lex, write_file(fx, text, size), &err);
    if (st != ALOUD_ERR_LEXICON || err.status != ALOUD_ERR_LEXICON || err.line != line ||
        err.column != column || !strstr(err.message, message))
        fail_msg("got %d %u:%u: %s; want %u:%u: %s", st, err.line, err.column, err.message, line,
                 column, message);
    /* The message names no file: the caller puts FILE:LINE:COL: before it. */
    assert_null(strstr(err.message, fx->path));
    assert_null(strstr(err.message, ".lex"));
    /* A bad file adds nothing. */
    assert_int_equal(aloud_lexicon_entry_count(lex), 1);
    assert_string_equal(apply(lex, "Ok"), "fine");
    aloud_lexicon_free(lex);
}

#define EXPECT_ERROR(fx, text, line, column, message) \
    expect_error((fx), (text), sizeof(text) - 1, (line), (column), (message))

static void test_errors(void **state)
{
    fixture *fx = *state;
    static char long_line[LEXICON_LINE_MAX + 100];

    EXPECT_ERROR(fx, "# ok\nNatanz na tahnz\n", 2, 16, "missing \"=\"");
    EXPECT_ERROR(fx, "a = b\n   = na tahnz\n", 2, 4, "nothing to match before \"=\"");
    EXPECT_ERROR(fx, "  == x\n", 1, 3, "nothing to match before \"==\"");
    EXPECT_ERROR(fx, "Natanz =\n", 1, 9, "no replacement after \"=\"");
    EXPECT_ERROR(fx, "Natanz ==   \t\n", 1, 10, "no replacement after \"==\"");
    EXPECT_ERROR(fx, "x = abc [[n@t", 1, 9, "\"[[\" without \"]]\"");
    EXPECT_ERROR(fx, "x = abc]] d", 1, 8, "\"]]\" without \"[[\"");
    EXPECT_ERROR(fx, "x = [[a [[b]]", 1, 9, "\"[[\" inside a phoneme block");
    EXPECT_ERROR(fx, "x = [[  ]]", 1, 5, "empty phoneme block");
    EXPECT_ERROR(fx, "x = [[a]b]]", 1, 8, "a single \"]\" inside a phoneme block");
    EXPECT_ERROR(fx, "\xC3\xA9 = [[\xC3\xA9]]", 1, 7, "phonemes are ASCII");
    EXPECT_ERROR(fx, "a = b\nx = a\x01" "b\n", 2, 6, "control or invisible character U+0001");
    EXPECT_ERROR(fx, "x\xE2\x80\x8B = y\n", 1, 2, "U+200B");
    EXPECT_ERROR(fx, "a = b\n\xC3\xA9t\xC3\xA9 = x\xC3(\n", 2, 8, "invalid UTF-8");
    EXPECT_ERROR(fx, "a = b\r\n\xFF", 2, 1, "invalid UTF-8");
    EXPECT_ERROR(fx, "Natanz = a\nb = c\n  natanz = b\n", 3, 3, "\"natanz\" is already on line 1");
    EXPECT_ERROR(fx, "US == a\nUs = b\nus = c\nUS == d\n", 3, 1, "\"us\" is already on line 2");

    /* A line over the limit: the column of the first character past it. */
    memset(long_line, 'a', sizeof long_line - 1);
    memcpy(long_line, "x = ", 4);
    expect_error(fx, long_line, sizeof long_line - 1, 1, LEXICON_LINE_MAX + 1, "line longer than");
    /* Exactly at the limit is fine. */
    {
        aloud_lexicon *lex = aloud_lexicon_create();
        aloud_error err;
        assert_int_equal(aloud_lexicon_load(lex, write_file(fx, long_line, LEXICON_LINE_MAX), &err),
                         ALOUD_OK);
        aloud_lexicon_free(lex);
    }
}

static void test_read_errors(void **state)
{
    fixture *fx = *state;
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    char path[400];
    snprintf(path, sizeof path, "%s/missing.lex", fx->dir);
    assert_int_equal(aloud_lexicon_load(lex, path, &err), ALOUD_ERR_READ);
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.message, "cannot open"));
    assert_int_equal(aloud_lexicon_load(lex, fx->dir, &err) != ALOUD_OK, true);
    assert_int_equal(aloud_lexicon_load(NULL, path, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_lexicon_load(lex, NULL, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_lexicon_entry_count(lex), 0);
    aloud_lexicon_free(lex);
}

/* The English lexicon shipped in voices/lexicon/ loads. */
static void test_shipped_lexicon(void **state)
{
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    (void)state;
    if (aloud_lexicon_load(lex, ALOUD_SOURCE_DIR "/voices/lexicon/en.lex", &err) != ALOUD_OK)
        fail_msg("en.lex:%u:%u: %s", err.line, err.column, err.message);
    assert_true(aloud_lexicon_entry_count(lex) >= 3);
    assert_string_equal(apply(lex, "Natanz and Ulyanov"), "[[n@t'A:nz]] and [[u:lj'A:n@f]]");
    aloud_lexicon_free(lex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_free),
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phrases_and_longest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phoneme_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_spans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
        cmocka_unit_test(test_shipped_lexicon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
