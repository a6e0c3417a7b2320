/* test_cli_args.c - option parsing and the combination rules of the CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

/* Parses a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse(cli_options *opts, char *why, const char *first, ...)
{
    char *argv[32] = {(char *)(uintptr_t) "aloud"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)(uintptr_t)a;
    va_end(ap);
    return cli_parse(argc, argv, opts, why, 256);
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
    const aloud_format *f = cli_output_choose(&o, path, sizeof path, why, sizeof why);
    assert_non_null(f);
    assert_string_equal(aloud_format_name(f), "flac");
    assert_string_equal(path, "out/news.flac");
}

static void test_output_picks_format(void **state)
{
    (void)state;
    cli_options o;
    char why[256], path[256];
    assert_int_equal(parse(&o, why, "-o", "x/y.WAV", "dir/a.b.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(aloud_format_name(cli_output_choose(&o, path, 256, why, 256)), "wav");
    assert_string_equal(path, "x/y.WAV");

    /* -f overrides the extension. */
    assert_int_equal(parse(&o, why, "--output=y.wav", "-fflac", "a.txt", NULL), CLI_EXIT_OK);
    assert_string_equal(aloud_format_name(cli_output_choose(&o, path, 256, why, 256)), "flac");

    /* Default name from the stem, stdin as "stdin". */
    assert_int_equal(parse(&o, why, "-f", "wav", "dir/a.b.txt", NULL), CLI_EXIT_OK);
    cli_output_choose(&o, path, 256, why, 256);
    assert_string_equal(path, "out/a.b.wav");
    assert_int_equal(parse(&o, why, "-", NULL), CLI_EXIT_OK);
    cli_output_choose(&o, path, 256, why, 256);
    assert_string_equal(path, "out/stdin.flac");
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

static void test_combinations(void **state)
{
    (void)state;
    cli_options o;
    char why[256];
    assert_int_equal(parse(&o, why, NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "a.txt", "b.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "-o", "x.wav", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "--voice", "en", "a.txt", NULL),
                     CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--sentences", "--chapters", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--chapters", "-", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "--list-voices", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-o", "a.mp4", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, why, "-f", "ogg", "a.txt", NULL), CLI_EXIT_USAGE);
    assert_string_equal(why, "unknown format 'ogg' (known: wav, flac)");
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

static void test_format_time(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(cli_format_time(0.0, buf, sizeof buf), "0:00:00.000");
    assert_string_equal(cli_format_time(3723.4567, buf, sizeof buf), "1:02:03.457");
    assert_string_equal(cli_format_time(59.9996, buf, sizeof buf), "0:01:00.000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_defaults), cmocka_unit_test(test_output_picks_format),
        cmocka_unit_test(test_voice_options),   cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_combinations),    cmocka_unit_test(test_format_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
