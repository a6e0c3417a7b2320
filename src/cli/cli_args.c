/* cli_args.c - command-line parsing and the one place combinations are checked. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef enum cli_opt_id {
    OPT_OUTPUT, OPT_FORMAT, OPT_VOICE, OPT_LANG, OPT_RATE, OPT_PITCH, OPT_SENTENCE_PAUSE,
    OPT_PARAGRAPH_PAUSE, OPT_JOBS, OPT_BITRATE, OPT_LOUDNESS, OPT_LEXICON, OPT_SIDECARS, OPT_JSON,
    OPT_SKIP_BAD, OPT_MAX_INPUT, OPT_MAX_CHAPTERS, OPT_EMOJI, OPT_FROM, OPT_SENTENCES,
    OPT_SPEAK_TEXT, OPT_CHAPTERS, OPT_LIST_VOICES,
    OPT_FEED, OPT_FEED_TITLE, OPT_FEED_AUTHOR, OPT_FEED_DESCRIPTION, OPT_FEED_LANG, OPT_BASE_URL,
    OPT_COVER, OPT_QUIET, OPT_VERBOSE, OPT_HELP, OPT_VERSION
} cli_opt_id;

typedef struct cli_opt {
    cli_opt_id id;
    char short_name;      /* 0 for none */
    const char *long_name;
    bool takes_value;
} cli_opt;

static const cli_opt cli_opts[] = {
    {OPT_OUTPUT, 'o', "output", true},
    {OPT_FORMAT, 'f', "format", true},
    {OPT_VOICE, 0, "voice", true},
    {OPT_LANG, 0, "lang", true},
    {OPT_RATE, 0, "rate", true},
    {OPT_PITCH, 0, "pitch", true},
    {OPT_SENTENCE_PAUSE, 0, "sentence-pause", true},
    {OPT_PARAGRAPH_PAUSE, 0, "paragraph-pause", true},
    {OPT_JOBS, 'j', "jobs", true},
    {OPT_BITRATE, 0, "bitrate", true},
    {OPT_LOUDNESS, 0, "loudness", true},
    {OPT_LEXICON, 0, "lexicon", true},
    {OPT_SIDECARS, 0, "sidecars", true},
    {OPT_JSON, 0, "json", false},
    {OPT_SKIP_BAD, 0, "skip-bad", false},
    {OPT_MAX_INPUT, 0, "max-input", true},
    {OPT_EMOJI, 0, "emoji", true},
    {OPT_FROM, 0, "from", true},
    {OPT_MAX_CHAPTERS, 0, "max-chapters", true},
    {OPT_SENTENCES, 0, "sentences", false},
    {OPT_SPEAK_TEXT, 0, "speak-text", false},
    {OPT_CHAPTERS, 0, "chapters", false},
    {OPT_LIST_VOICES, 0, "list-voices", false},
    {OPT_FEED, 0, "feed", true},
    {OPT_FEED_TITLE, 0, "feed-title", true},
    {OPT_FEED_AUTHOR, 0, "feed-author", true},
    {OPT_FEED_DESCRIPTION, 0, "feed-description", true},
    {OPT_FEED_LANG, 0, "feed-lang", true},
    {OPT_BASE_URL, 0, "base-url", true},
    {OPT_COVER, 0, "cover", true},
    {OPT_QUIET, 'q', "quiet", false},
    {OPT_VERBOSE, 'v', "verbose", false},
    {OPT_HELP, 'h', "help", false},
    {OPT_VERSION, 'V', "version", false},
};
#define CLI_OPT_COUNT (sizeof cli_opts / sizeof cli_opts[0])

/* Writes a reason into `why` and returns CLI_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int cli_fail(char *why, size_t why_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static const cli_opt *cli_find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < CLI_OPT_COUNT; i++)
        if (strlen(cli_opts[i].long_name) == len && memcmp(cli_opts[i].long_name, name, len) == 0)
            return &cli_opts[i];
    return NULL;
}

static const cli_opt *cli_find_short(char c)
{
    for (size_t i = 0; i < CLI_OPT_COUNT; i++)
        if (cli_opts[i].short_name == c)
            return &cli_opts[i];
    return NULL;
}

/* Parses a whole decimal number in [min, max]: digits only. strtol alone
 * would also take leading blanks and a sign (" 5", "+5", "-0"). */
static bool cli_number(const char *text, long min, long max, long *out)
{
    char *end;
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A size in bytes with an optional K, M or G (binary) suffix, at least 1.
 * Digits first: strtoull skips blanks and negates a '-', so " -5" would be
 * 16 EiB. */
static bool cli_size(const char *text, size_t *out)
{
    char *end;
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end != '\0' || v == 0 || v > (SIZE_MAX >> shift))
        return false;
    *out = (size_t)v << shift;
    return true;
}

static int cli_set_mode(cli_options *opts, cli_mode mode, const char *flag, char *why,
                        size_t why_size)
{
    if (opts->mode == CLI_MODE_FEED)
        return cli_fail(why, why_size, "%s cannot be combined with 'aloud feed'", flag);
    if (opts->mode != CLI_MODE_RENDER && opts->mode != mode)
        return cli_fail(why, why_size, "%s cannot be combined with another mode option", flag);
    opts->mode = mode;
    return CLI_EXIT_OK;
}

/* A BCP-47 language tag as --lang takes it: a primary subtag of 2 or 3
 * letters, then subtags of 1 to 8 letters or digits, joined by '-'. */
static bool cli_lang_code(const char *s)
{
    size_t n = strlen(s), primary = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (n > 15 || primary < 2 || primary > 3)
        return false;
    for (const char *p = s + primary; *p;) {
        if (*p++ != '-')
            return false;
        size_t part = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (part < 1 || part > 8)
            return false;
        p += part;
    }
    return true;
}

/* --loudness LUFS (a number from ALOUD_LOUDNESS_MIN to _MAX) or "off". */
static int cli_loudness(cli_options *opts, const char *value, char *why, size_t why_size)
{
    char *end = NULL;
    double v;

    opts->loudness_set = true;
    if (strcmp(value, "off") == 0) {
        opts->loudness_off = true;
        return CLI_EXIT_OK;
    }
    errno = 0;
    v = strtod(value, &end);
    if (end == value || *end != '\0' || errno != 0 || !(v >= ALOUD_LOUDNESS_MIN)
        || !(v <= ALOUD_LOUDNESS_MAX))
        return cli_fail(why, why_size,
                        "--loudness takes LUFS from %g to %g (such as -16) or 'off', not '%s'",
                        ALOUD_LOUDNESS_MIN, ALOUD_LOUDNESS_MAX, value);
    opts->loudness_off = false;
    opts->loudness = v;
    return CLI_EXIT_OK;
}

/* Applies one option with its value (NULL for flags). */
static int cli_apply(cli_options *opts, const cli_opt *opt, const char *value, char *why,
                     size_t why_size)
{
    long n = 0;
    switch (opt->id) {
    case OPT_OUTPUT: opts->output = value; return CLI_EXIT_OK;
    case OPT_FORMAT: opts->format = value; return CLI_EXIT_OK;
    case OPT_VOICE: opts->voice = value; return CLI_EXIT_OK;
    case OPT_LANG:
        if (!cli_lang_code(value))
            return cli_fail(why, why_size,
                            "--lang takes a language code such as de, fr, pt-BR or zh, not '%s'",
                            value);
        opts->lang = value;
        return CLI_EXIT_OK;
    case OPT_RATE:
        if (!cli_number(value, 80, 450, &n))
            return cli_fail(why, why_size, "--rate takes words per minute from 80 to 450, not '%s'",
                            value);
        opts->rate = (int)n;
        return CLI_EXIT_OK;
    case OPT_PITCH:
        if (!cli_number(value, 0, 99, &n))
            return cli_fail(why, why_size, "--pitch takes a number from 0 to 99, not '%s'", value);
        opts->pitch = (int)n;
        return CLI_EXIT_OK;
    case OPT_SENTENCE_PAUSE:
    case OPT_PARAGRAPH_PAUSE:
        if (!cli_number(value, 0, 60000, &n))
            return cli_fail(why, why_size, "--%s takes milliseconds from 0 to 60000, not '%s'",
                            opt->long_name, value);
        *(opt->id == OPT_SENTENCE_PAUSE ? &opts->sentence_pause_ms : &opts->paragraph_pause_ms) = n;
        return CLI_EXIT_OK;
    case OPT_JOBS:
        if (!cli_number(value, 1, 64, &n))
            return cli_fail(why, why_size, "--jobs takes a number of workers from 1 to 64, not '%s'",
                            value);
        opts->jobs = (unsigned)n;
        return CLI_EXIT_OK;
    case OPT_BITRATE: opts->bitrate_arg = value; return CLI_EXIT_OK;
    case OPT_LOUDNESS:
        return cli_loudness(opts, value, why, why_size);
    case OPT_LEXICON:
        if (opts->lexicon_count == CLI_MAX_LEXICONS)
            return cli_fail(why, why_size, "at most %d --lexicon files", CLI_MAX_LEXICONS);
        opts->lexicons[opts->lexicon_count++] = value;
        return CLI_EXIT_OK;
    case OPT_SIDECARS: opts->sidecars = value; return CLI_EXIT_OK;
    case OPT_JSON: opts->json = true; return CLI_EXIT_OK;
    case OPT_SKIP_BAD: opts->skip_bad = true; return CLI_EXIT_OK;
    case OPT_EMOJI:
        if (strcmp(value, "read") == 0)
            opts->read_emoji = true;
        else if (strcmp(value, "drop") == 0)
            opts->read_emoji = false;
        else
            return cli_fail(why, why_size, "--emoji takes drop or read, not '%s'", value);
        return CLI_EXIT_OK;
    case OPT_MAX_INPUT:
        if (!cli_size(value, &opts->max_input))
            return cli_fail(why, why_size,
                            "--max-input takes a size such as 500K, 64M or 1G, not '%s'", value);
        return CLI_EXIT_OK;
    case OPT_FROM: {
        aloud_error err = {0};
        aloud_input_kind kind;
        if (aloud_input_kind_by_name(value, &kind, &err) != ALOUD_OK)
            return cli_fail(why, why_size, "--from: %s", err.message);
        opts->from = kind;
        opts->from_set = true;
        return CLI_EXIT_OK;
    }
    case OPT_MAX_CHAPTERS:
        if (!cli_number(value, 1, 1000000, &n))
            return cli_fail(why, why_size,
                            "--max-chapters takes a number of chapters from 1 to 1000000, not '%s'",
                            value);
        opts->max_chapters = (size_t)n;
        return CLI_EXIT_OK;
    case OPT_SENTENCES: return cli_set_mode(opts, CLI_MODE_SENTENCES, "--sentences", why, why_size);
    case OPT_SPEAK_TEXT:
        return cli_set_mode(opts, CLI_MODE_SPEAK_TEXT, "--speak-text", why, why_size);
    case OPT_CHAPTERS: return cli_set_mode(opts, CLI_MODE_CHAPTERS, "--chapters", why, why_size);
    case OPT_LIST_VOICES:
        return cli_set_mode(opts, CLI_MODE_LIST_VOICES, "--list-voices", why, why_size);
    case OPT_FEED:
        if (opts->mode == CLI_MODE_FEED)
            return cli_fail(why, why_size, "'aloud feed DIR' takes the folder without --feed");
        if (!*value)
            return cli_fail(why, why_size, "--feed needs a folder, not an empty string");
        opts->feed_dir = value;
        return CLI_EXIT_OK;
    case OPT_FEED_TITLE: opts->feed_title = value; return CLI_EXIT_OK;
    case OPT_FEED_AUTHOR: opts->feed_author = value; return CLI_EXIT_OK;
    case OPT_FEED_DESCRIPTION: opts->feed_description = value; return CLI_EXIT_OK;
    case OPT_FEED_LANG: opts->feed_lang = value; return CLI_EXIT_OK;
    case OPT_BASE_URL: opts->base_url = value; return CLI_EXIT_OK;
    case OPT_COVER:
        if (!*value)
            return cli_fail(why, why_size, "--cover needs an image file, not an empty string");
        opts->cover = value;
        return CLI_EXIT_OK;
    case OPT_QUIET: opts->verbosity = -1; return CLI_EXIT_OK;
    case OPT_VERBOSE: opts->verbosity = 1; return CLI_EXIT_OK;
    case OPT_HELP: opts->mode = CLI_MODE_HELP; return CLI_EXIT_OK;
    case OPT_VERSION:
        if (opts->mode != CLI_MODE_HELP)
            opts->mode = CLI_MODE_VERSION;
        return CLI_EXIT_OK;
    }
    return cli_fail(why, why_size, "internal error: unhandled option");
}

/* "a, b, c" from a table's names, into `names`. */
static const char *cli_join(const char *(*name_at)(size_t), char *names, size_t size)
{
    size_t len = 0;
    names[0] = '\0';
    for (size_t i = 0; name_at(i) && len < size; i++) {
        int n = snprintf(names + len, size - len, "%s%s", i ? ", " : "", name_at(i));
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return names;
}

static const char *cli_format_name_at(size_t i)
{
    const aloud_format *f = aloud_format_at(i);
    return f ? aloud_format_name(f) : NULL;
}

/* "wav, flac, ..." from the writer table, for messages. */
static const char *cli_known_formats(void)
{
    static char names[128];
    return cli_join(cli_format_name_at, names, sizeof names);
}

/* The i-th format that takes a bitrate, NULL past the last. */
static const char *cli_lossy_name_at(size_t i)
{
    const aloud_format *f;
    for (size_t k = 0; (f = aloud_format_at(k)) != NULL; k++)
        if (aloud_format_bitrate_range(f, NULL, NULL, NULL) && i-- == 0)
            return aloud_format_name(f);
    return NULL;
}

/* --bitrate in kb/s, against what the format takes at the rate every
 * supported voice speaks at (the writer checks again at the real rate). */
static int cli_check_bitrate(cli_options *opts, char *why, size_t why_size)
{
    const aloud_format *format = cli_output_format(opts);
    aloud_error err = {0};
    unsigned max;
    long n = 0;
    if (!aloud_format_bitrate_range(format, NULL, &max, NULL)) {
        char lossy[64];
        return cli_fail(why, why_size, "--bitrate applies only to the lossy formats (%s), not to %s",
                        cli_join(cli_lossy_name_at, lossy, sizeof lossy),
                        aloud_format_name(format));
    }
    /* A non-number is checked as 0 b/s, which no format takes, for the list of what works. */
    if (!cli_number(opts->bitrate_arg, 1, (long)(max / 1000u), &n))
        n = 0;
    if (aloud_format_bitrate_check(format, ALOUD_SAMPLE_RATE_COMMON, (unsigned)n * 1000u, &err)
        != ALOUD_OK)
        return cli_fail(why, why_size, "--bitrate: %s, not '%s'", err.message, opts->bitrate_arg);
    opts->bitrate = (unsigned)n * 1000u;
    return CLI_EXIT_OK;
}

/* Checks a --sidecars list: known kinds, none twice. */
static int cli_check_sidecars(const char *list, char *why, size_t why_size)
{
    char kind[16];
    const char *p = list;
    size_t seen = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof kind || (memcpy(kind, p, len), kind[len] = '\0',
                                               !aloud_sidecar_extension(kind)))
        {
            char known[128];
            return cli_fail(why, why_size, "unknown sidecar '%.*s' in --sidecars (known: %s)",
                            (int)len, p, cli_join(aloud_sidecar_at, known, sizeof known));
        }
        for (const char *q = list; q < p; q += strcspn(q, ",") + 1)
            if (strncmp(q, p, len) == 0 && (q[len] == ',' || q[len] == '\0'))
                return cli_fail(why, why_size, "sidecar '%s' named twice", kind);
        seen++;
        p += len;
        if (*p == ',' && *++p == '\0')
            return cli_fail(why, why_size, "--sidecars ends with a comma");
    }
    if (seen == 0)
        return cli_fail(why, why_size, "--sidecars needs at least one kind");
    return CLI_EXIT_OK;
}

/* Whether the comma-separated `list` holds the word word[0..n). */
static bool cli_list_has(const char *list, const char *word, size_t n)
{
    for (const char *q = list; *q;) {
        size_t len = strcspn(q, ",");
        if (len == n && strncmp(q, word, n) == 0)
            return true;
        q += len + (q[len] == ',');
    }
    return false;
}

/*
 * The feed's rules: `aloud feed DIR` takes one folder and the feed's
 * options only; --feed DIR renders into DIR (no -o) with the sidecars a
 * feed needs added to --sidecars.
 */
static int cli_validate_feed(cli_options *opts, char *why, size_t why_size)
{
    bool feed_opts = opts->feed_title || opts->feed_author || opts->feed_description ||
                     opts->feed_lang || opts->base_url;
    if (opts->mode == CLI_MODE_FEED) {
        if (opts->input_count != 1)
            return cli_fail(why, why_size, "'aloud feed' takes one folder, got %zu",
                            opts->input_count);
        if (opts->output || opts->format || opts->sidecars || opts->json || opts->bitrate_arg ||
            opts->jobs || opts->skip_bad || opts->lexicon_count || opts->voice ||
            opts->rate >= 0 || opts->pitch >= 0 || opts->sentence_pause_ms >= 0 ||
            opts->paragraph_pause_ms >= 0 || opts->max_input != CLI_DEFAULT_MAX_INPUT)
            return cli_fail(why, why_size, "'aloud feed DIR' takes only the feed's options "
                                           "(--feed-title, --feed-author, --feed-description, "
                                           "--feed-lang, --base-url, --cover)");
        opts->feed_dir = opts->input;
        return CLI_EXIT_OK;
    }
    if (!opts->feed_dir) {
        if (feed_opts)
            return cli_fail(why, why_size, "--feed-title, --feed-author, --feed-description, "
                                           "--feed-lang and --base-url apply with --feed DIR or "
                                           "'aloud feed DIR'");
        return CLI_EXIT_OK;
    }
    if (opts->mode != CLI_MODE_RENDER)
        return cli_fail(why, why_size, "--feed applies when rendering");
    if (opts->output)
        return cli_fail(why, why_size, "--feed DIR renders into DIR: leave out --output");
    /* The kinds the feed needs, then those asked for that it does not. */
    size_t len = (size_t)snprintf(opts->feed_sidecars, sizeof opts->feed_sidecars, "%s",
                                  CLI_FEED_SIDECARS);
    for (const char *p = opts->sidecars; p && *p;) {
        size_t n = strcspn(p, ",");
        if (!cli_list_has(CLI_FEED_SIDECARS, p, n) && len + n + 1 < sizeof opts->feed_sidecars)
            len += (size_t)snprintf(opts->feed_sidecars + len, sizeof opts->feed_sidecars - len,
                                    ",%.*s", (int)n, p);
        p += n + (p[n] == ',');
    }
    opts->sidecars = opts->feed_sidecars;
    opts->output = opts->feed_dir;
    opts->output_is_dir = true;
    return CLI_EXIT_OK;
}

/* Every combination rule, in one place. */
static int cli_validate(cli_options *opts, char *why, size_t why_size)
{
    bool renders = opts->mode == CLI_MODE_RENDER;
    bool voice_set = opts->rate >= 0 || opts->pitch >= 0 || opts->sentence_pause_ms >= 0 ||
                     opts->paragraph_pause_ms >= 0;
    size_t inputs = opts->input_count;

    if (opts->mode == CLI_MODE_HELP || opts->mode == CLI_MODE_VERSION)
        return CLI_EXIT_OK;
    if (opts->sidecars && cli_check_sidecars(opts->sidecars, why, why_size) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (cli_validate_feed(opts, why, why_size) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (opts->mode == CLI_MODE_FEED)
        return CLI_EXIT_OK;
    if (!renders && (opts->output || opts->format || opts->sidecars || opts->json ||
                     opts->bitrate_arg || opts->jobs || opts->skip_bad || opts->loudness_set ||
                     opts->max_chapters))
        return cli_fail(why, why_size,
                        "--output, --format, --bitrate, --loudness, --jobs, --sidecars, --json, "
                        "--skip-bad and --max-chapters only apply when rendering");
    if (!renders && opts->cover)
        return cli_fail(why, why_size, "--cover applies when rendering, and to 'aloud feed DIR'");
    if ((opts->mode == CLI_MODE_SENTENCES || opts->mode == CLI_MODE_CHAPTERS) && voice_set)
        return cli_fail(why, why_size, "voice options only apply when rendering");
    /* --sentences and --speak-text print what a render would do: the
     * language (and the voice that decides it) apply to them too. */
    if ((opts->lang || opts->voice) &&
        (opts->mode == CLI_MODE_CHAPTERS || opts->mode == CLI_MODE_LIST_VOICES))
        return cli_fail(why, why_size, "--lang and --voice apply when rendering, or with "
                                       "--sentences or --speak-text");
    if (opts->lexicon_count > 0 && !renders && opts->mode != CLI_MODE_SPEAK_TEXT)
        return cli_fail(why, why_size, "--lexicon applies when rendering or with --speak-text");
    if (opts->read_emoji && !renders && opts->mode != CLI_MODE_SPEAK_TEXT)
        return cli_fail(why, why_size, "--emoji applies when rendering or with --speak-text");
    if (opts->mode == CLI_MODE_LIST_VOICES) {
        if (inputs > 0)
            return cli_fail(why, why_size, "--list-voices takes no file");
        return CLI_EXIT_OK;
    }
    if (inputs == 0)
        return cli_fail(why, why_size, "no input file (try 'aloud --help')");
    if (!renders && inputs > 1)
        return cli_fail(why, why_size, "one input file at a time, got %zu", inputs);
    if (opts->mode == CLI_MODE_CHAPTERS && strcmp(opts->input, "-") == 0)
        return cli_fail(why, why_size, "--chapters reads a file, not standard input");
    if (opts->mode == CLI_MODE_CHAPTERS && opts->from_set)
        return cli_fail(why, why_size, "--from applies to texts, not to --chapters");
    size_t stdin_count = 0;
    for (size_t i = 0; i < inputs; i++)
        stdin_count += strcmp(opts->inputs[i], "-") == 0;
    if (stdin_count > 1)
        return cli_fail(why, why_size, "standard input ('-') can be read only once");
    if (opts->format && !aloud_format_by_name(opts->format))
        return cli_fail(why, why_size, "unknown format '%s' (known: %s)", opts->format,
                        cli_known_formats());
    if (opts->output && opts->output[0] == '\0')
        return cli_fail(why, why_size, "--output needs a path, not an empty string");
    opts->output_stdout = opts->output && strcmp(opts->output, "-") == 0;
    if (opts->output_stdout) {
        /* The file goes to standard output: nothing can be named after it. */
        if (!opts->format)
            return cli_fail(why, why_size, "-o - (standard output) needs --format");
        if (inputs > 1)
            return cli_fail(why, why_size, "-o - (standard output) takes one input, got %zu",
                            inputs);
        if (opts->sidecars)
            return cli_fail(why, why_size,
                            "--sidecars are named after the audio file: not with -o -");
        if (opts->json)
            return cli_fail(why, why_size,
                            "--json writes to standard output, which -o - takes for the audio");
    }
    opts->output_is_dir = opts->output_is_dir || inputs > 1 || (opts->output && opts->output[0] &&
                                         opts->output[strlen(opts->output) - 1] == '/');
    if (opts->output && !opts->output_is_dir && !opts->output_stdout && !opts->format &&
        !aloud_format_by_path(opts->output))
        return cli_fail(why, why_size,
                        "cannot tell the format from '%s': use a known extension (%s) or --format",
                        opts->output, cli_known_formats());
    if (opts->bitrate_arg && cli_check_bitrate(opts, why, why_size) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

void cli_options_free(cli_options *opts)
{
    free(opts->inputs);
    opts->inputs = NULL;
    opts->input_count = 0;
}

int cli_parse(int argc, char *const argv[], cli_options *opts, char *why, size_t why_size)
{
    memset(opts, 0, sizeof *opts);
    opts->rate = opts->pitch = -1;
    opts->sentence_pause_ms = opts->paragraph_pause_ms = -1;
    opts->max_input = CLI_DEFAULT_MAX_INPUT;
    bool options_done = false;
    opts->inputs = calloc(argc > 0 ? (size_t)argc : 1, sizeof *opts->inputs);
    if (!opts->inputs)
        return cli_fail(why, why_size, "out of memory");

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const cli_opt *opt = NULL;
        const char *value = NULL;

        /* `aloud [-q] feed DIR`: the word as the first argument that is no
         * option (`aloud ./feed` reads a file named feed). */
        if (!options_done && opts->input_count == 0 && opts->mode == CLI_MODE_RENDER
            && strcmp(arg, "feed") == 0) {
            opts->mode = CLI_MODE_FEED;
            continue;
        }
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (opts->input_count == 0)
                opts->input = arg;
            opts->inputs[opts->input_count++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            opt = cli_find_long(name, len);
            if (!opt)
                return cli_fail(why, why_size, "unknown option '--%.*s'", (int)len, name);
            if (eq && !opt->takes_value)
                return cli_fail(why, why_size, "--%s takes no value", opt->long_name);
            value = eq ? eq + 1 : NULL;
        } else {
            /* A bundle as getopt takes it: flags without a value (-qv), the
             * last of which may take one, attached (-j2, -ofile) or next. */
            for (const char *c = arg + 1;; c++) {
                opt = cli_find_short(*c);
                if (!opt && c == arg + 1)
                    return cli_fail(why, why_size, "unknown option '-%c'", *c);
                if (!opt)
                    return cli_fail(why, why_size, "unknown option '-%c' in '%s'", *c, arg);
                if (opt->takes_value || c[1] == '\0') {
                    value = opt->takes_value && c[1] != '\0' ? c + 1 : NULL;
                    break;
                }
                int rc = cli_apply(opts, opt, NULL, why, why_size);
                if (rc != CLI_EXIT_OK)
                    return rc;
            }
        }
        if (opt->takes_value && !value) {
            if (i + 1 >= argc)
                return cli_fail(why, why_size, "--%s needs a value", opt->long_name);
            value = argv[++i];
        }
        int rc = cli_apply(opts, opt, value, why, why_size);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    return cli_validate(opts, why, why_size);
}

aloud_input_kind cli_input_kind(const cli_options *opts, const char *input)
{
    return opts->from_set ? opts->from : aloud_input_kind_by_path(input);
}

/* The input's file name without folders and its last extension. */
static void cli_stem(const char *input, char *stem, size_t size)
{
    if (strcmp(input, "-") == 0) {
        snprintf(stem, size, "stdin");
        return;
    }
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len == 0) {
        snprintf(stem, size, "aloud");
        return;
    }
    snprintf(stem, size, "%.*s", (int)(len > INT_MAX ? INT_MAX : len), base);
}

const aloud_format *cli_output_format(const cli_options *opts)
{
    if (opts->format)
        return aloud_format_by_name(opts->format);
    if (opts->output && !opts->output_is_dir)
        return aloud_format_by_path(opts->output);
    return aloud_format_by_name("flac");
}

bool cli_output_path(const cli_options *opts, const char *input, const aloud_format *format,
                     char *path, size_t size)
{
    int n;
    if (opts->output && !opts->output_is_dir) {
        n = snprintf(path, size, "%s", opts->output);
    } else {
        char stem[256];
        cli_stem(input, stem, sizeof stem);
        const char *dir = opts->output ? opts->output : "out/";
        size_t len = strlen(dir);
        n = snprintf(path, size, "%s%s%s.%s", dir, len > 0 && dir[len - 1] == '/' ? "" : "/",
                     stem, aloud_format_extension(format));
    }
    return n >= 0 && (size_t)n < size;
}

char *cli_format_time(double seconds, char *buf, size_t size)
{
    if (seconds < 0)
        seconds = 0;
    unsigned long long ms = (unsigned long long)(seconds * 1000.0 + 0.5);
    snprintf(buf, size, "%llu:%02llu:%02llu.%03llu", ms / 3600000, ms / 60000 % 60,
             ms / 1000 % 60, ms % 1000);
    return buf;
}
