/* test_cli_args.c - option parsing and the combination rules of the CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_render.h"

/* The last parse's options, freed by the next parse and at the end. */
static cli_options last;

/* Parses a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse(cli_options *opts, char *why, const char *first, ...)
{
    cli_options_free(&last);
    char *argv[32] = {(char *)(uintptr_t) "aloud"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)(uintptr_t)a;
    va_end(ap);
    int rc = cli_parse(argc, argv, &last, why, 256);
    *opts = last;
    return rc;
}

static int free_last(void **state)
{
    (void)state;
    cli_options_free(&last);
    return 0;
}

static void test_render_defaults(void **state)
{
    (void)state;
    cli_options o;
    char why[256] = "";
    assert_int_equal(parse(&o, why, "news.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_RENDER);
    assert_string_equal(o.input, "news.txt");
    assert_null(o.output);
    assert_int_equal(o.rate, -1);
    assert_int_equal(o.sentence_pause_ms, -1);

    char path[256];
    const aloud_format *f = cli_output_format(&o);
    assert_non_null(f);
    assert_string_equal(aloud_format_name(f), "flac");
    assert_true(cli_output_path(&o, o.input, f, path, sizeof path));
    assert_string_equal(path, "out/news.flac");
}

static void test_output_picks_format(void **state)
{
    (void)state;
    cli_options o;
    char why[256], path[256];
    assert_int_equal(parse(&o, why, "-o", "x/y.WAV", "dir/a.b.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(aloud_format_name(cli_output_format(&o)), "wav");
    assert_true(cli_output_path(&o, o.input, cli_output_format(&o), path, sizeof path));
    assert_string_equal(path, "x/y.WAV");

    /* -f overrides the extension. */
    assert_int_equal(parse(&o, why, "--output=y.wav", "-fflac", "a.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(aloud_format_name(cli_output_format(&o)), "flac");

    /* Default name from the stem, stdin as "stdin". */
    assert_int_equal(parse(&o, why, "-f", "wav", "dir/a.b.txt", NULL), CLI_EXIT_OK);
    cli_output_path(&o, o.input, cli_output_format(&o), path, sizeof path);
    assert_string_equal(path, "out/a.b.wav");
    assert_int_equal(parse(&o, why, "-", NULL), CLI_EXIT_OK);
    cli_output_path(&o, o.input, cli_output_format(&o), path, sizeof path);
    assert_string_equal(path, "out/stdin.flac");

    /* Several inputs: -o is a folder, the format from -f or FLAC. */
    assert_int_equal(parse(&o, why, "-o", "renders", "a/one.txt", "b/two.md", "-", NULL),
                     CLI_EXIT_OK);
    assert_true(o.output_is_dir);
    assert_int_equal(o.input_count, 3);
    cli_output_path(&o, o.inputs[1], cli_output_format(&o), path, sizeof path);
    assert_string_equal(path, "renders/two.flac");
    /* A trailing slash makes a folder for one input too. */
    assert_int_equal(parse(&o, why, "-o", "renders/", "-f", "wav", "a/one.txt", NULL),
                     CLI_EXIT_OK);
    assert_true(o.output_is_dir);
    cli_output_path(&o, o.input, cli_output_format(&o), path, sizeof path);
    assert_string_equal(path, "renders/one.wav");
    assert_int_equal(parse(&o, why, "-", "-", NULL), CLI_EXIT_USAGE);
}

static void test_sidecars_and_json(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "--sidecars", "cue,vtt,srt,lrc,json", "--json", "a.txt",
                           NULL),
                     CLI_EXIT_OK);
    assert_string_equal(o.sidecars, "cue,vtt,srt,lrc,json");
    assert_true(o.json);
    assert_int_equal(parse(&o, why, "--sidecars", "cue,mp4", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown sidecar 'mp4' in --sidecars (known: cue, vtt, srt, lrc, json)");
    assert_int_equal(parse(&o, why, "--sidecars", "cue,cue", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sidecars", "cue,", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sidecars", "", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "--json", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--bitrate", "48", "-o", "a.opus", "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.bitrate, 48000);
    assert_int_equal(parse(&o, why, "--lexicon", "a.lex", "--lexicon", "b.lex", "--speak-text",
                           "a.txt", NULL),
                     CLI_EXIT_OK);
    assert_int_equal(o.lexicon_count, 2);
    assert_string_equal(o.lexicons[1], "b.lex");
    assert_int_equal(o.mode, CLI_MODE_SPEAK_TEXT);
}

/* --emoji drop|read: rendering and --speak-text only. */
static void test_emoji(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "a.txt", NULL), CLI_EXIT_OK);
    assert_false(o.read_emoji);
    assert_int_equal(parse(&o, why, "--emoji", "read", "a.txt", NULL), CLI_EXIT_OK);
    assert_true(o.read_emoji);
    assert_int_equal(parse(&o, why, "--emoji", "read", "--emoji", "drop", "a.txt", NULL), CLI_EXIT_OK);
    assert_false(o.read_emoji);
    assert_int_equal(parse(&o, why, "--emoji=read", "--speak-text", "a.txt", NULL), CLI_EXIT_OK);
    assert_true(o.read_emoji);
    assert_int_equal(parse(&o, why, "--emoji", "say", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--emoji takes drop or read, not 'say'");
    assert_int_equal(parse(&o, why, "--emoji", "read", "--sentences", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--emoji applies when rendering or with --speak-text");
}

/* The -v line of spoken-text counts. */
static void test_speak_summary(void **state)
{
    (void)state;
    aloud_speak_stats stats;
    char line[256];
    memset(&stats, 0, sizeof stats);
    assert_string_equal(cli_speak_summary(&stats, line, sizeof line), "nothing rewritten");
    stats.count[0] = 12;
    stats.count[1] = 1;
    assert_string_equal(cli_speak_summary(&stats, line, sizeof line), "12 times, 1 date");
    assert_string_equal(cli_speak_summary(&stats, line, 10), "12 times");
}

/* --loudness: LUFS in range, or off; refused with the value named; only when rendering. */
static void test_loudness(void **state)
{
    cli_options o;
    char why[256];
    (void)state;
    assert_int_equal(parse(&o, why, "a.txt", NULL), CLI_EXIT_OK);
    assert_false(o.loudness_off);
    assert_true(o.loudness == 0);
    assert_int_equal(parse(&o, why, "--loudness", "-16.5", "a.txt", NULL), CLI_EXIT_OK);
    assert_false(o.loudness_off);
    assert_true(o.loudness == -16.5);
    assert_int_equal(parse(&o, why, "--loudness", "off", "a.txt", NULL), CLI_EXIT_OK);
    assert_true(o.loudness_off);
    assert_int_equal(parse(&o, why, "--loudness", "-4", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--loudness takes LUFS from -70 to -5 (such as -16) or 'off', not '-4'");
    assert_int_equal(parse(&o, why, "--loudness", "-19x", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--loudness", "-19", "--sentences", "a.txt", NULL),
                     CLI_EXIT_USAGE);
}

/* --bitrate is checked once, against the range of the format the render writes. */
static void test_bitrate(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "-f", "opus", "--bitrate", "512", "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.bitrate, 512000);
    assert_int_equal(parse(&o, why, "--bitrate", "6", "-o", "x/a.opus", "a.txt", NULL),
                     CLI_EXIT_OK);
    assert_int_equal(o.bitrate, 6000);
    assert_int_equal(parse(&o, why, "--bitrate", "513", "-f", "opus", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_string_equal(why, "--bitrate: Ogg Opus takes 6 to 512 kb/s, not '513'");
    /* MP3 at espeak-ng's 22050 Hz is MPEG-2: up to 160, in steps; no 192 or 320. */
    assert_int_equal(parse(&o, why, "--bitrate", "160", "-o", "a.mp3", "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.bitrate, 160000);
    assert_int_equal(parse(&o, why, "--bitrate", "144", "-f", "mp3", "a.txt", NULL), CLI_EXIT_OK);
    static const char *const refused[] = {"192", "320", "100", "7", "0", "64k", "+64"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char want[256];
        assert_int_equal(parse(&o, why, "--bitrate", refused[i], "-o", "a.mp3", "a.txt", NULL),
                         CLI_EXIT_USAGE);
        snprintf(want, sizeof want, "--bitrate: MP3 at 22050 Hz takes 8, 16, 24, 32, 40, 48, 56, "
                                    "64, 80, 96, 112, 128, 144 or 160 kb/s, not '%s'", refused[i]);
        assert_string_equal(why, want);
    }
    /* Lossless formats take none: not silently ignored. FLAC is the default. */
    assert_int_equal(parse(&o, why, "--bitrate", "64", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--bitrate applies only to the lossy formats (opus, mp3, m4b, m4a), not to flac");
    assert_int_equal(parse(&o, why, "--bitrate", "64", "-o", "a.wav", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--bitrate", "64", "-f", "mp3", "-o", "d/", "a.txt", NULL),
                     CLI_EXIT_OK);
    assert_int_equal(parse(&o, why, "--bitrate", "64", "--sentences", "a.txt", NULL),
                     CLI_EXIT_USAGE);
}

static void test_json_string(void **state)
{
    (void)state;
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    aloud_json_put_string(f, "a \"b\" \\ \n\x01 é");
    fputc(' ', f);
    aloud_json_put_string(f, NULL);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(out, "\"a \\\"b\\\" \\\\ \\n\\u0001 é\" null");
    free(out);
}

static void test_progress_format(void **state)
{
    (void)state;
    char line[160];
    aloud_progress p = {10, 40, 22050 * 30, 22050};
    assert_string_equal(cli_progress_format(&p, 0.5, line, sizeof line),
                        "10/40 sentences, 0:00:30.000 audio, 60x realtime, ETA 2 s");
}

static void test_voice_options(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "--voice", "bright", "--rate", "200", "--pitch=0",
                           "--sentence-pause", "0", "--paragraph-pause", "1500", "t.txt", NULL),
                     CLI_EXIT_OK);
    assert_string_equal(o.voice, "bright");
    assert_int_equal(o.rate, 200);
    assert_int_equal(o.pitch, 0);
    assert_int_equal(o.sentence_pause_ms, 0);
    assert_int_equal(o.paragraph_pause_ms, 1500);
}

/* --lang takes a BCP-47 shaped code for renders, --sentences and --speak-text. */
static void test_lang(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "t.txt", NULL), CLI_EXIT_OK);
    assert_null(o.lang);
    assert_int_equal(parse(&o, why, "--lang", "de", "t.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.lang, "de");
    assert_int_equal(parse(&o, why, "--lang=pt-BR", "--sentences", "t.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.lang, "pt-BR");
    assert_int_equal(parse(&o, why, "--speak-text", "--lang", "zh-Hans-CN", "-", NULL),
                     CLI_EXIT_OK);
    /* Well formed without data of its own: no error here, the shared rules later. */
    assert_int_equal(parse(&o, why, "--lang", "tlh", "t.txt", NULL), CLI_EXIT_OK);
    static const char *const bad[] = {"", "d", "deutsch", "de-", "-de", "1x", "de--AT",
                                      "de_AT", "de-ABCDEFGHI", "zh-Hans!"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(&o, why, "--lang", bad[i], "t.txt", NULL), CLI_EXIT_USAGE);
        assert_non_null(strstr(why, "--lang takes a language code"));
    }
    assert_int_equal(parse(&o, why, "--lang", "de", "--chapters", "a.flac", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "--lang and --voice apply when"));
    assert_int_equal(parse(&o, why, "--lang", "de", "--list-voices", NULL), CLI_EXIT_USAGE);
}

static void test_bad_numbers(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "--rate", "79", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "--rate"));
    assert_int_equal(parse(&o, why, "--rate", "451", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--pitch", "100", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--pitch", "5x", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-j", "0", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-j3", "t.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.jobs, 3);
    assert_int_equal(parse(&o, why, "--sentence-pause", "-1", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--rate", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "t.txt", "--rate", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--rate needs a value");
}

/* strtol and strtoull take blanks and a sign; no option does (" -5" was 16 EiB). */
static void test_signed_and_blank_numbers_refused(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    static const char *const sizes[] = {" -5", "-5", "+5", " 5", "-0", "", "5 ", "0x10", "-1K"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(parse(&o, why, "--max-input", sizes[i], "t.txt", NULL), CLI_EXIT_USAGE);
        assert_non_null(strstr(why, "--max-input takes a size"));
    }
    assert_int_equal(parse(&o, why, "--max-input", "5K", "t.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.max_input, 5120);
    static const char *const numbers[] = {" 100", "+100", "-100", "100 ", "1e2"};
    static const char *const options[] = {"--rate", "--pitch", "--sentence-pause",
                                          "--paragraph-pause", "--jobs"};
    for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
        for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
            assert_int_equal(parse(&o, why, options[k], numbers[i], "t.txt", NULL),
                             CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-f", "opus", "--bitrate", " 64", "t.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-f", "opus", "--bitrate", "+64", "t.txt", NULL),
                     CLI_EXIT_USAGE);
}

/* Short flags bundle as with getopt: -qv, and a value attached to the last. */
static void test_bundled_short_flags(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, "-qv", "t.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.verbosity, 1);
    assert_int_equal(parse(&o, why, "-vq", "t.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.verbosity, -1);
    assert_int_equal(parse(&o, why, "-qj2", "-ofile.wav", "t.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.jobs, 2);
    assert_string_equal(o.output, "file.wav");
    assert_int_equal(o.verbosity, -1);
    assert_int_equal(parse(&o, why, "-vo", "x.opus", "t.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.output, "x.opus");
    /* A value-taking flag ends the bundle: the rest is its value. */
    assert_int_equal(parse(&o, why, "-oqv.wav", "t.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.output, "qv.wav");
    assert_int_equal(o.verbosity, 0);
    assert_int_equal(parse(&o, why, "-qx", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown option '-x' in '-qx'");
    assert_int_equal(parse(&o, why, "-x", "t.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown option '-x'");
    assert_int_equal(parse(&o, why, "t.txt", "-qo", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--output needs a value");
    assert_int_equal(parse(&o, why, "-hV", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_HELP);
}

static void test_combinations(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "a.txt", "b.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "-o", "x.wav", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "--rate", "100", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    /* --sentences and --speak-text print what a render does: language and voice apply. */
    assert_int_equal(parse(&o, why, "--sentences", "--voice", "en", "--lang", "pt-BR", "a.txt",
                           NULL),
                     CLI_EXIT_OK);
    assert_string_equal(o.lang, "pt-BR");
    assert_int_equal(parse(&o, why, "--speak-text", "--lang", "zh-Hant", "a.txt", NULL),
                     CLI_EXIT_OK);
    assert_int_equal(parse(&o, why, "--chapters", "--lang", "de", "a.flac", NULL),
                     CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--list-voices", "--voice", "de", NULL), CLI_EXIT_USAGE);
    const char *bad_langs[] = {"", "d", "deutsch", "de-", "de--AT", "de_AT", "1de", "de-abcdefghi"};
    for (size_t i = 0; i < sizeof bad_langs / sizeof bad_langs[0]; i++) {
        assert_int_equal(parse(&o, why, "--lang", bad_langs[i], "a.txt", NULL), CLI_EXIT_USAGE);
        assert_non_null(strstr(why, "--lang takes a language code"));
    }
    assert_int_equal(parse(&o, why, "--sentences", "--chapters", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--chapters", "-", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--list-voices", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-o", "a.mp4", "a.txt", NULL), CLI_EXIT_USAGE);
    /* Found by fuzz_cli: an empty -o rendered, then failed to rename. */
    assert_int_equal(parse(&o, why, "-fflac", "-o", "", "/", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--output needs a path, not an empty string");
    assert_int_equal(parse(&o, why, "-f", "ogg", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown format 'ogg' (known: wav, flac, opus, mp3, m4b, m4a)");
    assert_int_equal(parse(&o, why, "--bogus", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown option '--bogus'");
    assert_int_equal(parse(&o, why, "-x", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--quiet=1", "a.txt", NULL), CLI_EXIT_USAGE);

    assert_int_equal(parse(&o, why, "--sentences", "-", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_SENTENCES);
    assert_int_equal(parse(&o, why, "--", "-o.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.input, "-o.txt");
    assert_int_equal(parse(&o, why, "--help", "--bogus", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-h", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_HELP);
    assert_int_equal(parse(&o, why, "-q", "-v", "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.verbosity, 1);
}

static void test_from(void **state)
{
    (void)state;
    cli_options o;
    char why[256] = "";
    assert_int_equal(parse(&o, why, "page.html", "book.EPUB", "notes.md", "a.txt", NULL),
                     CLI_EXIT_OK);
    assert_false(o.from_set);
    assert_int_equal(cli_input_kind(&o, "page.html"), ALOUD_INPUT_HTML);
    assert_int_equal(cli_input_kind(&o, "book.EPUB"), ALOUD_INPUT_EPUB);
    assert_int_equal(cli_input_kind(&o, "notes.md"), ALOUD_INPUT_MARKDOWN);
    assert_int_equal(cli_input_kind(&o, "-"), ALOUD_INPUT_TEXT);
    assert_int_equal(parse(&o, why, "--from", "html", "--sentences", "-", NULL), CLI_EXIT_OK);
    assert_true(o.from_set);
    assert_int_equal(cli_input_kind(&o, "-"), ALOUD_INPUT_HTML);
    assert_int_equal(parse(&o, why, "--from=text", "notes.md", NULL), CLI_EXIT_OK);
    assert_int_equal(cli_input_kind(&o, "notes.md"), ALOUD_INPUT_TEXT);
    assert_int_equal(parse(&o, why, "--from", "pdf", "a.pdf", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "--from: unknown input kind 'pdf' (text, markdown, html or epub)");
    assert_int_equal(parse(&o, why, "--from", "html", "--chapters", "a.flac", NULL),
                     CLI_EXIT_USAGE);
    assert_string_equal(why, "--from applies to texts, not to --chapters");
}

static void test_format_time(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(cli_format_time(0.0, buf, sizeof buf), "0:00:00.000");
    assert_string_equal(cli_format_time(3723.4567, buf, sizeof buf), "1:02:03.457");
    assert_string_equal(cli_format_time(59.9996, buf, sizeof buf), "0:01:00.000");
}

static void test_feed(void **state)
{
    (void)state;
    cli_options o;
    char why[256] = "", path[256];
    assert_int_equal(parse(&o, why, "feed", "pod", "--feed-title", "T", "--base-url",
                           "http://h/", "--cover", "a.png", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_FEED);
    assert_string_equal(o.feed_dir, "pod");
    assert_string_equal(o.feed_title, "T");
    assert_string_equal(o.base_url, "http://h/");
    assert_string_equal(o.cover, "a.png");
    /* "feed" is the word as the first argument that is no option, after
     * options such as -q too; a file of that name is ./feed. */
    assert_int_equal(parse(&o, why, "-q", "feed", "pod", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_FEED);
    assert_int_equal(o.verbosity, -1);
    assert_int_equal(parse(&o, why, "a.txt", "feed", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_RENDER);
    assert_int_equal(o.input_count, 2);
    assert_int_equal(parse(&o, why, "--", "feed", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_RENDER);
    assert_int_equal(parse(&o, why, "--sentences", "feed", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_SENTENCES);
    assert_int_equal(parse(&o, why, "./feed", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_RENDER);

    /* --feed DIR: into DIR, with the feed's sidecars and those asked for. */
    assert_int_equal(parse(&o, why, "--feed", "pod", "--sidecars", "vtt,lrc,json", "-f", "mp3",
                           "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_RENDER);
    assert_string_equal(o.sidecars, "json,vtt,srt,lrc");
    assert_true(cli_output_path(&o, "x/a.txt", cli_output_format(&o), path, sizeof path));
    assert_string_equal(path, "pod/a.mp3");
    assert_int_equal(parse(&o, why, "--feed", "pod", "a.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(o.sidecars, "json,vtt,srt");

    assert_int_equal(parse(&o, why, "--feed", "pod", "-o", "x.flac", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "leave out --output"));
    assert_int_equal(parse(&o, why, "--feed-lang", "en", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "apply with --feed DIR"));
    /* --cover embeds the image in a render, with or without a feed. */
    assert_int_equal(parse(&o, why, "--cover", "a.png", "a.txt", NULL), CLI_EXIT_OK);
    assert_int_equal(parse(&o, why, "--cover", "a.png", "--sentences", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "--cover applies when rendering"));
    assert_int_equal(parse(&o, why, "feed", "pod", "--json", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "only the feed's options"));
    assert_int_equal(parse(&o, why, "feed", "a", "b", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "one folder, got 2"));
    assert_int_equal(parse(&o, why, "feed", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "feed", "pod", "--feed", "x", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "feed", "pod", "--sentences", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "--feed", "pod", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--feed", "", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--feed", "pod", "--sidecars", "bad", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_non_null(strstr(why, "unknown sidecar"));
    assert_int_equal(parse(&o, why, "feed", "--help", NULL), CLI_EXIT_OK);
    assert_int_equal(o.mode, CLI_MODE_HELP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_defaults), cmocka_unit_test(test_output_picks_format),
        cmocka_unit_test(test_voice_options),   cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_lang),            cmocka_unit_test(test_combinations),
        cmocka_unit_test(test_emoji),           cmocka_unit_test(test_speak_summary),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_sidecars_and_json), cmocka_unit_test(test_bitrate),
        cmocka_unit_test(test_loudness),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_signed_and_blank_numbers_refused),
        cmocka_unit_test(test_bundled_short_flags),
        cmocka_unit_test(test_progress_format),
        cmocka_unit_test(test_feed),
    };
    return cmocka_run_group_tests(tests, NULL, free_last);
}
