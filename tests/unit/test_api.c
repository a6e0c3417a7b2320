/*
 * test_api.c - every entry point of aloud.h given NULL in each pointer
 * argument: ALOUD_ERR_ARG with a message where it returns a status, the
 * documented NULL or 0 from accessors, nothing from free functions and
 * other void ones; and never a crash. The last test reads aloud.h and fails
 * when a function it declares is not called in this file, so a new entry
 * point cannot go untested.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"

#ifndef ALOUD_SOURCE_DIR
#error "ALOUD_SOURCE_DIR must name the source tree"
#endif

static const char text[] = "Title\n\nOne sentence here. Another one.\n";

static int setup(void **state)
{
    return tu_fixture_setup(state, "api");
}

/* An error filled with something other than what a NULL check writes. */
static aloud_error stale_error(void)
{
    aloud_error err;
    memset(&err, 0, sizeof err);
    err.status = ALOUD_OK;
    snprintf(err.message, sizeof err.message, "stale");
    return err;
}

/* `st` is ALOUD_ERR_ARG and `err` says so with a message. */
static void assert_arg_error(aloud_status st, const aloud_error *err)
{
    assert_int_equal(st, ALOUD_ERR_ARG);
    assert_int_equal(err->status, ALOUD_ERR_ARG);
    assert_string_not_equal(err->message, "stale");
    assert_true(err->message[0] != '\0');
}

static aloud_doc *parse_text(void)
{
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse(text, sizeof text - 1, &doc, NULL), ALOUD_OK);
    tu_require(doc);
    return doc;
}

static void test_errors(void **state)
{
    (void)state;
    assert_non_null(aloud_strerror(ALOUD_ERR_ARG));
    assert_string_equal(aloud_strerror((aloud_status)999), "unknown status");

    assert_int_equal(aloud_error_set(NULL, ALOUD_ERR_READ, 1, 2, "x %d", 1), ALOUD_ERR_READ);
    aloud_error err = stale_error();
    const char *volatile no_format = NULL;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
#endif
    assert_int_equal(aloud_error_set(&err, ALOUD_ERR_WRITE, 3, 4, no_format), ALOUD_ERR_WRITE);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    assert_int_equal(err.status, ALOUD_ERR_WRITE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 4);
    assert_string_equal(err.message, "");
}

static void test_input(void **state)
{
    (void)state;
    char untouched[] = "untouched";
    char *data = untouched;
    size_t size = 7;
    aloud_error err = stale_error();
    assert_int_equal(aloud_read_input(NULL, 10, NULL, &data, &size, &err), ALOUD_ERR_ARG);
    assert_int_equal(err.status, ALOUD_ERR_ARG);
    assert_int_equal(aloud_read_input("-", 10, NULL, NULL, &size, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_read_input("-", 10, NULL, &data, NULL, NULL), ALOUD_ERR_ARG);
    assert_ptr_equal(data, untouched);
    assert_int_equal(size, 7);
}

static void test_inputs(void **state)
{
    (void)state;
    char untouched[] = "untouched";
    char *data = untouched;
    size_t size = 7;
    aloud_input_kind kind = ALOUD_INPUT_TEXT;
    aloud_error err = stale_error();
    assert_int_equal(aloud_read_bytes(NULL, 10, NULL, &data, &size, &err), ALOUD_ERR_ARG);
    assert_ptr_equal(data, untouched);
    assert_int_equal(aloud_input_kind_by_name("markdown", &kind, NULL), ALOUD_OK);
    assert_int_equal(kind, ALOUD_INPUT_MARKDOWN);
    assert_int_equal(aloud_input_kind_by_name("pdf", &kind, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_input_kind_by_name(NULL, &kind, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_input_kind_by_path("a/b.HTM"), ALOUD_INPUT_HTML);
    assert_int_equal(aloud_input_kind_by_path("book.epub"), ALOUD_INPUT_EPUB);
    assert_int_equal(aloud_input_kind_by_path("dir.md/notes"), ALOUD_INPUT_TEXT);
    assert_int_equal(aloud_input_kind_by_path(NULL), ALOUD_INPUT_TEXT);
    assert_string_equal(aloud_input_kind_name(ALOUD_INPUT_EPUB), "epub");
    assert_true(aloud_input_kind_is_binary(ALOUD_INPUT_EPUB));
    assert_false(aloud_input_kind_is_binary(ALOUD_INPUT_HTML));

    aloud_doc *doc = (aloud_doc *)&err;
    assert_arg_error(aloud_doc_parse_as(ALOUD_INPUT_HTML, NULL, 5, NULL, &doc, &err), &err);
    assert_null(doc);
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_MARKDOWN, "# T\n", 4, NULL, NULL, NULL),
                     ALOUD_ERR_ARG);
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_MARKDOWN, NULL, 0, NULL, &doc, NULL),
                     ALOUD_ERR_EMPTY);
    static const char md[] = "---\nlang: de\n---\n# Title\n\n```\ncode\n```\nText.\n";
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_MARKDOWN, md, sizeof md - 1, NULL, &doc, NULL),
                     ALOUD_OK);
    assert_string_equal(aloud_doc_declared_lang(doc), "de");
    assert_string_equal(aloud_doc_lang(doc), "en");
    assert_string_equal(aloud_doc_input_note(doc), "skipped 1 code block");
    aloud_doc_free(doc);
    assert_null(aloud_doc_declared_lang(NULL));
    assert_null(aloud_doc_input_note(NULL));
}

static void test_documents(void **state)
{
    (void)state;
    aloud_error err = stale_error();
    aloud_doc *doc = (aloud_doc *)&err; /* must be set to NULL */
    assert_arg_error(aloud_doc_parse(NULL, 5, &doc, &err), &err);
    assert_null(doc);
    err = stale_error();
    assert_arg_error(aloud_doc_parse(text, sizeof text - 1, NULL, &err), &err);
    /* No data and no size is an empty text, not a bad argument. */
    assert_int_equal(aloud_doc_parse(NULL, 0, &doc, NULL), ALOUD_ERR_EMPTY);
    assert_null(doc);
    assert_int_equal(aloud_doc_parse(NULL, 5, &doc, NULL), ALOUD_ERR_ARG);
    aloud_doc_free(NULL);

    assert_int_equal(aloud_doc_paragraph_count(NULL), 0);
    assert_null(aloud_doc_paragraph(NULL, 0));
    assert_int_equal(aloud_doc_sentence_count(NULL), 0);
    assert_null(aloud_doc_sentence(NULL, 0));
    assert_null(aloud_doc_title(NULL));
    assert_null(aloud_doc_encoding(NULL));
    assert_null(aloud_doc_author(NULL));
    assert_null(aloud_doc_lang(NULL));

    /* The language picks the segmenter's data; one without data is no error. */
    {
        static const char de[] = "Am 5. Juli sind Wahlen. Sie kommen.";
        aloud_doc_opts opts = {0};
        opts.lang = "de-AT";
        assert_int_equal(aloud_doc_parse_opts(de, sizeof de - 1, &opts, &doc, NULL), ALOUD_OK);
        assert_string_equal(aloud_doc_lang(doc), "de-AT");
        assert_int_equal(aloud_doc_sentence_count(doc), 2);
        aloud_doc_free(doc);
        opts.lang = "tlh";
        assert_int_equal(aloud_doc_parse_opts(de, sizeof de - 1, &opts, &doc, NULL), ALOUD_OK);
        assert_string_equal(aloud_doc_lang(doc), "tlh");
        aloud_doc_free(doc);
        assert_int_equal(aloud_doc_parse_opts(de, sizeof de - 1, NULL, &doc, NULL), ALOUD_OK);
        assert_string_equal(aloud_doc_lang(doc), "en");
        aloud_doc_free(doc);
    }

    doc = parse_text();
    assert_int_equal(aloud_doc_paragraph_count(doc), 2);
    assert_null(aloud_doc_paragraph(doc, 2));
    assert_null(aloud_doc_sentence(doc, 3));
    aloud_doc_free(doc);
}

/* The language calls take NULL as their comments say. */
static void test_languages(void **state)
{
    (void)state;
    aloud_lang_guess guess;
    aloud_lang_detect("Ein Satz.", 9, NULL);
    aloud_lang_detect(NULL, 0, &guess);
    assert_string_equal(guess.lang, "");
    aloud_doc_detect_lang(NULL, NULL, NULL, &guess);
    assert_string_equal(guess.lang, "");
    aloud_doc_detect_lang(NULL, NULL, NULL, NULL);
    assert_null(aloud_doc_lang(NULL));
    assert_null(aloud_lang_limit(NULL));
    assert_null(aloud_lang_limit("de"));
    assert_non_null(aloud_lang_limit("ja"));

    aloud_error err = stale_error();
    assert_arg_error(aloud_doc_set_lang(NULL, "de", 0, NULL, NULL, &err), &err);
    aloud_doc *doc = parse_text();
    assert_string_equal(aloud_doc_lang(doc), "en");
    assert_string_equal(aloud_doc_paragraph(doc, 0)->lang, "en");
    err = stale_error();
    assert_arg_error(aloud_doc_set_lang(doc, "", 0, NULL, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_doc_set_lang(doc, NULL, 0, NULL, NULL, &err), &err);
    assert_int_equal(aloud_doc_set_lang(doc, "de", 1, NULL, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_lang(doc), "de");
    assert_string_equal(aloud_doc_paragraph(doc, 1)->lang, "de");
    aloud_doc_free(doc);

    char espeak[64], lang[16];
    err = stale_error();
    assert_arg_error(aloud_voice_for_lang(NULL, espeak, sizeof espeak, &err), &err);
    assert_int_equal(aloud_voice_for_lang("de", NULL, 0, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_voice_for_lang("de", espeak, sizeof espeak, NULL), ALOUD_OK);
    assert_string_equal(espeak, "de");
    aloud_voice voice;
    aloud_voice_defaults(&voice);
    err = stale_error();
    assert_arg_error(aloud_voice_lang(NULL, lang, sizeof lang, &err), &err);
    assert_int_equal(aloud_voice_lang(&voice, NULL, 0, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_voice_lang(&voice, lang, sizeof lang, NULL), ALOUD_OK);
    assert_string_equal(lang, "en-US");
}

static void test_lexicons_and_speaking(void **state)
{
    tu_fixture *fx = *state;
    char path[PATH_MAX];
    tu_path(fx, "words.lex", path, sizeof path);
    tu_write_bytes(path, "aloud = a loud\n", 15);

    aloud_lexicon *lex = aloud_lexicon_create();
    tu_require(lex);
    aloud_lexicon_free(NULL);
    aloud_error err = stale_error();
    assert_arg_error(aloud_lexicon_load(NULL, path, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_lexicon_load(lex, NULL, &err), &err);
    assert_int_equal(aloud_lexicon_load(lex, NULL, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_lexicon_load(lex, path, NULL), ALOUD_OK);

    assert_int_equal(aloud_lexicon_entry_count(NULL), 0);
    assert_int_equal(aloud_lexicon_entry_count(lex), 1);
    aloud_lexicon_entry_info info;
    memset(&info, 0xff, sizeof info);
    aloud_lexicon_entry(NULL, 0, &info);
    assert_null(info.match);
    assert_null(info.replacement);
    assert_int_equal(info.fired, 0);
    aloud_lexicon_entry(lex, 0, NULL);
    aloud_lexicon_entry(lex, 0, &info);
    assert_string_equal(info.match, "aloud");

    err = stale_error();
    assert_arg_error(aloud_doc_speak(NULL, lex, &err), &err);
    assert_int_equal(aloud_doc_speak(NULL, NULL, NULL), ALOUD_ERR_ARG);
    aloud_doc *doc = parse_text();
    assert_int_equal(aloud_doc_speak(doc, NULL, NULL), ALOUD_OK); /* no lexicon is fine */

    const aloud_guard_note *notes = (const aloud_guard_note *)&err;
    assert_int_equal(aloud_doc_guard_notes(NULL, &notes), 0);
    assert_null(notes);
    assert_int_equal(aloud_doc_guard_notes(NULL, NULL), 0);
    assert_int_equal(aloud_doc_guard_notes(doc, NULL), 0);

    /* The counted form: NULL options and stats are the defaults; counts add up. */
    aloud_speak_stats stats;
    memset(&stats, 0, sizeof stats);
    assert_int_equal(aloud_doc_speak_with(NULL, NULL, NULL, &stats, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_doc_speak_with(doc, NULL, NULL, NULL, NULL), ALOUD_OK);
    for (unsigned k = 0; k < ALOUD_SPEAK_RULES; k++) {
        assert_non_null(aloud_speak_rule_name(k, 1));
        assert_non_null(aloud_speak_rule_name(k, 2));
        assert_int_equal(stats.count[k], 0);
    }
    assert_null(aloud_speak_rule_name(ALOUD_SPEAK_RULES, 1));
    assert_string_equal(aloud_speak_rule_name(0, 1), "time");
    assert_string_equal(aloud_speak_rule_name(0, 0), "times");
    aloud_doc_free(doc);
    aloud_lexicon_free(lex);
}

static void count_voice(void *ctx, const char *kind, const char *name, const char *language,
                        const char *description)
{
    (void)kind;
    (void)language;
    (void)description;
    assert_non_null(name);
    if (ctx)
        ++*(size_t *)ctx;
}

static void test_voices(void **state)
{
    (void)state;
    aloud_voice_defaults(NULL);
    aloud_voice voice;
    aloud_voice_defaults(&voice);
    assert_string_equal(voice.espeak, "en-us");

    aloud_error err = stale_error();
    assert_arg_error(aloud_voice_load(NULL, NULL, &voice, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_voice_load("en-us", NULL, NULL, &err), &err);
    char preset[64];
    assert_null(aloud_voice_preset_path(NULL, NULL, preset, sizeof preset));
    assert_null(aloud_voice_preset_path("x", "/p", NULL, sizeof preset));
    /* No presets folder: a plain espeak-ng name with the defaults. */
    assert_int_equal(aloud_voice_load("en-us", NULL, &voice, NULL), ALOUD_OK);

    err = stale_error();
    assert_arg_error(aloud_voice_check(NULL, &err), &err);
    assert_int_equal(aloud_voice_check(NULL, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_voice_check(&voice, NULL), ALOUD_OK);

    err = stale_error();
    assert_arg_error(aloud_voice_list(NULL, NULL, NULL, &err), &err);
    assert_int_equal(aloud_voice_list(NULL, NULL, NULL, NULL), ALOUD_ERR_ARG);
    size_t listed = 0;
    assert_int_equal(aloud_voice_list(NULL, count_voice, &listed, NULL), ALOUD_OK);
    assert_true(listed > 10);
    assert_int_equal(aloud_voice_list(NULL, count_voice, NULL, NULL), ALOUD_OK); /* no ctx */

    assert_non_null(aloud_engine_version());
}

static void test_formats(void **state)
{
    (void)state;
    assert_null(aloud_format_by_name(NULL));
    assert_null(aloud_format_by_path(NULL));
    assert_null(aloud_format_name(NULL));
    assert_null(aloud_format_extension(NULL));
    assert_null(aloud_format_at(SIZE_MAX));
    const aloud_format *wav = aloud_format_at(0);
    tu_require(wav);
    assert_non_null(aloud_format_name(wav));
    assert_non_null(aloud_format_extension(wav));
    assert_int_equal(aloud_format_chapter_cap(NULL), 0);
    assert_true(aloud_format_chapter_cap(wav) > 0);
    /* A cover is checked by its bytes: a text file is no image. */
    aloud_error cerr = {0};
    assert_int_equal(aloud_cover_check(ALOUD_SOURCE_DIR "/text/news.txt", &cerr), ALOUD_ERR_MEDIA);
    assert_non_null(strstr(cerr.message, "news.txt"));
    assert_int_equal(aloud_cover_check(NULL, &cerr), ALOUD_ERR_ARG);
    unsigned lo = 1, hi = 1, dflt = 1;
    assert_int_equal(aloud_format_bitrate_range(NULL, &lo, &hi, &dflt), 0);
    assert_int_equal(lo + hi + dflt, 0);
    const aloud_format *mp3 = aloud_format_by_name("mp3");
    tu_require(mp3);
    assert_true(aloud_format_bitrate_range(mp3, NULL, NULL, NULL) != 0);
    assert_int_equal(aloud_format_bitrate_check(NULL, 22050, 64000, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_format_bitrate_check(mp3, 22050, 64000, NULL), ALOUD_OK);
}

/* A result of garbage, to see that aloud_render() zeroes it. */
static aloud_render_result garbage_result(void)
{
    aloud_render_result res;
    memset(&res, 0x5a, sizeof res);
    return res;
}

static void assert_zeroed(const aloud_render_result *res)
{
    assert_int_equal(res->frames, 0);
    assert_null(res->paragraphs);
    assert_null(res->sentences);
    assert_null(res->skipped);
    assert_int_equal(res->paragraph_count, 0);
}

static void test_render(void **state)
{
    tu_fixture *fx = *state;
    char out[PATH_MAX];
    tu_path(fx, "out.wav", out, sizeof out);
    aloud_doc *doc = parse_text();
    aloud_voice voice;
    aloud_voice_defaults(&voice);
    aloud_render_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.voice = &voice;
    opts.format = aloud_format_by_name("wav");
    opts.output = out;
    opts.jobs = 1;

    assert_int_equal(aloud_output_sweep(NULL, 0), 0);

    aloud_error err = stale_error();
    aloud_render_result res = garbage_result();
    assert_arg_error(aloud_render(NULL, &opts, &res, &err), &err);
    assert_zeroed(&res);
    err = stale_error();
    res = garbage_result();
    assert_arg_error(aloud_render(doc, NULL, &res, &err), &err);
    assert_zeroed(&res);
    /* The crash this test was written for. */
    err = stale_error();
    assert_arg_error(aloud_render(doc, &opts, NULL, &err), &err);
    assert_int_equal(aloud_render(doc, &opts, NULL, NULL), ALOUD_ERR_ARG);

    aloud_render_opts missing = opts;
    missing.voice = NULL;
    err = stale_error();
    assert_arg_error(aloud_render(doc, &missing, &res, &err), &err);
    missing = opts;
    missing.format = NULL;
    err = stale_error();
    assert_arg_error(aloud_render(doc, &missing, &res, &err), &err);
    missing = opts;
    missing.output = NULL;
    err = stale_error();
    assert_arg_error(aloud_render(doc, &missing, &res, &err), &err);
    assert_int_equal(aloud_render(NULL, NULL, &res, NULL), ALOUD_ERR_ARG);

    /* What may be NULL is fine: err, software, stop, progress. */
    assert_int_equal(aloud_render(doc, &opts, &res, NULL), ALOUD_OK);
    assert_int_equal(res.paragraph_count, 2);
    assert_true(res.frames > 0);
    aloud_render_result_free(&res);
    assert_zeroed(&res);
    aloud_render_result_free(NULL);

    /* An engine: out may not be NULL; free(NULL) does nothing; a render
     * with one, told of a next document, is the same. */
    err = stale_error();
    assert_arg_error(aloud_engine_create(1, NULL, &err), &err);
    aloud_engine_free(NULL);
    aloud_engine *engine = NULL;
    assert_int_equal(aloud_engine_create(1, &engine, NULL), ALOUD_OK);
    tu_require(engine);
    aloud_render_opts shared = opts;
    shared.engine = engine;
    shared.next = doc;
    assert_int_equal(aloud_render(doc, &shared, &res, NULL), ALOUD_OK);
    assert_int_equal(res.paragraph_count, 2);
    aloud_render_result_free(&res);
    aloud_engine_free(engine);

    aloud_media *media = (aloud_media *)&err;
    err = stale_error();
    assert_arg_error(aloud_media_read(NULL, &media, &err), &err);
    assert_null(media);
    err = stale_error();
    assert_arg_error(aloud_media_read(out, NULL, &err), &err);
    assert_int_equal(aloud_media_read(out, &media, NULL), ALOUD_OK);
    tu_require(media);
    assert_int_equal(media->chapter_count, 2);
    aloud_media_free(media);
    aloud_media_free(NULL);
    aloud_doc_free(doc);
}

static void test_sidecars(void **state)
{
    /* No pointer to check; no count overflows. */
    assert_int_equal(aloud_sidecar_cue_group(0), 1);
    assert_int_equal(aloud_sidecar_cue_group(SIZE_MAX), SIZE_MAX / 99 + 1);

    tu_fixture *fx = *state;
    char path[PATH_MAX];
    tu_path(fx, "out.vtt", path, sizeof path);
    aloud_doc *doc = parse_text();
    /* A hand-made timeline that matches the doc: 2 paragraphs, 3 sentences. */
    aloud_span paragraphs[2] = {{0, 1000}, {2000, 5000}};
    aloud_span sentences[3] = {{0, 1000}, {2000, 3000}, {4000, 5000}};
    aloud_render_result res;
    memset(&res, 0, sizeof res);
    res.sample_rate = 22050;
    res.frames = 6000;
    res.paragraph_count = 2;
    res.paragraphs = paragraphs;
    res.sentence_count = 3;
    res.sentences = sentences;

    aloud_error err = stale_error();
    assert_arg_error(aloud_sidecar_write(NULL, path, doc, &res, NULL, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_sidecar_write("vtt", NULL, doc, &res, NULL, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_sidecar_write("vtt", path, NULL, &res, NULL, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_sidecar_write("vtt", path, doc, NULL, NULL, NULL, &err), &err);
    assert_int_equal(aloud_sidecar_write(NULL, NULL, NULL, NULL, NULL, NULL, NULL), ALOUD_ERR_ARG);
    /* info and err may be NULL. */
    assert_int_equal(aloud_sidecar_write("vtt", path, doc, &res, NULL, NULL, NULL), ALOUD_OK);

    assert_null(aloud_sidecar_extension(NULL));
    assert_null(aloud_sidecar_at(SIZE_MAX));
    assert_string_equal(aloud_sidecar_extension(aloud_sidecar_at(0)), "cue");

    aloud_json_put_string(NULL, "nothing happens");
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    tu_require(f);
    aloud_json_put_string(f, NULL);
    aloud_json_put_string(f, "a\"b");
    assert_int_equal(fclose(f), 0);
    tu_require(buf);
    assert_string_equal(buf, "null\"a\\\"b\"");
    free(buf);
    aloud_doc_free(doc);
}

static void test_outputs(void **state)
{
    tu_fixture *fx = *state;
    char path[PATH_MAX];
    tu_path(fx, "out.vtt", path, sizeof path);
    aloud_outputs_free(NULL);
    aloud_error err = stale_error();
    assert_arg_error(aloud_outputs_add(NULL, path, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_outputs_add_input(NULL, path, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_outputs_commit(NULL, &err), &err);
    assert_int_equal(aloud_outputs_commit(NULL, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_outputs_discards(NULL, path), 0);

    aloud_outputs *set = aloud_outputs_create();
    tu_require(set);
    err = stale_error();
    assert_arg_error(aloud_outputs_add(set, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_outputs_add_input(set, NULL, &err), &err);
    assert_int_equal(aloud_outputs_discards(set, NULL), 0);
    /* err may be NULL; a set with nothing written commits nothing. */
    assert_int_equal(aloud_outputs_add(set, path, NULL), ALOUD_OK);
    assert_int_equal(aloud_outputs_add_input(set, "-", NULL), ALOUD_OK);
    assert_int_equal(aloud_outputs_discards(set, path), 0);
    assert_int_equal(aloud_outputs_commit(set, NULL), ALOUD_OK);
    aloud_outputs_free(set);
}

static void test_feed(void **state)
{
    tu_fixture *fx = *state;
    char path[PATH_MAX], image[PATH_MAX];
    aloud_feed_result res;
    aloud_error err = stale_error();
    assert_arg_error(aloud_feed_update(NULL, NULL, &res, &err), &err);
    assert_int_equal(aloud_feed_update(NULL, NULL, NULL, NULL), ALOUD_ERR_ARG);
    /* opts, res and err may be NULL: an empty folder makes an empty feed. */
    assert_int_equal(aloud_feed_update(fx->dir, NULL, NULL, NULL), ALOUD_OK);
    tu_path(fx, "feed.xml", path, sizeof path);
    char *xml = tu_read_text(path);
    assert_non_null(strstr(xml, "<channel>"));
    assert_null(strstr(xml, "<item>"));
    free(xml);
    aloud_feed_opts bad = {NULL, NULL, NULL, NULL, "ftp://example.org/", NULL, NULL, NULL};
    err = stale_error();
    assert_arg_error(aloud_feed_update(fx->dir, &bad, &res, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_feed_check(&bad, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_feed_check(NULL, &err), &err);
    aloud_feed_opts good = {"T", "", NULL, "en", "https://example.org/pod/", NULL, NULL, NULL};
    assert_int_equal(aloud_feed_check(&good, NULL), ALOUD_OK);
    err = stale_error();
    tu_path(fx, "a.flac", path, sizeof path);
    tu_path(fx, "not-an-image.png", image, sizeof image);
    tu_write_bytes(image, "GIF89a", 6);
    assert_arg_error(aloud_feed_add_cover(NULL, image, NULL, &err), &err);
    err = stale_error();
    assert_arg_error(aloud_feed_add_cover(path, NULL, NULL, &err), &err);
    /* Not a JPEG or PNG: refused as a cover is (aloud_cover_check). */
    err = stale_error();
    assert_int_equal(aloud_feed_add_cover(path, image, NULL, &err), ALOUD_ERR_MEDIA);
    assert_non_null(strstr(err.message, "not a JPEG or PNG"));
    assert_int_equal(aloud_feed_add_cover(path, image, NULL, NULL), ALOUD_ERR_MEDIA);
}

/* Every function aloud.h declares is called in this file. */
static void test_every_entry_point_covered(void **state)
{
    (void)state;
    char *header = tu_read_text(ALOUD_SOURCE_DIR "/include/aloud.h");
    char *self = tu_read_text(ALOUD_SOURCE_DIR "/tests/unit/test_api.c");
    /* Comments out, so names mentioned in prose do not count. */
    for (char *c = strstr(header, "/*"); c; c = strstr(c, "/*")) {
        char *end = strstr(c + 2, "*/");
        tu_require(end);
        memset(c, ' ', (size_t)(end + 2 - c));
    }
    size_t found = 0;
    for (const char *p = strstr(header, "aloud_"); p; p = strstr(p + 1, "aloud_")) {
        if (p > header && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z')))
            continue; /* inside a longer name */
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
        if (p[n] != '(')
            continue;
        char call[64];
        snprintf(call, sizeof call, "%.*s(", (int)n, p);
        /* The declaration in the header is the first; a call here is another. */
        const char *use = strstr(self, call);
        if (!use)
            fail_msg("%.*s is declared in aloud.h but not called in test_api.c", (int)n, p);
        found++;
    }
    assert_true(found >= 35);
    free(header);
    free(self);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_input),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_inputs),
        cmocka_unit_test_setup_teardown(test_lexicons_and_speaking, setup, tu_fixture_teardown),
        cmocka_unit_test(test_voices),
        cmocka_unit_test(test_formats),
        cmocka_unit_test_setup_teardown(test_render, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sidecars, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_outputs, setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_feed, setup, tu_fixture_teardown),
        cmocka_unit_test(test_every_entry_point_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
