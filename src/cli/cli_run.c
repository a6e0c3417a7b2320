/* cli_run.c - runs what the parsed command line says. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

volatile sig_atomic_t cli_stop_signal;

#ifndef ALOUD_SOURCE_VOICES_DIR
#define ALOUD_SOURCE_VOICES_DIR "voices"
#endif
#ifndef ALOUD_INSTALL_VOICES_DIR
#define ALOUD_INSTALL_VOICES_DIR "/usr/local/share/aloud/voices"
#endif

void cli_usage(FILE *out)
{
    fputs("Usage: aloud [OPTIONS] ARTICLE.txt [MORE.txt ...]\n"
          "       aloud --sentences FILE|-\n"
          "       aloud --speak-text FILE|-\n"
          "       aloud --chapters AUDIO\n"
          "       aloud --list-voices\n"
          "\n"
          "Reads a UTF-8 article aloud with espeak-ng into one audio file with one chapter\n"
          "per paragraph. By default it writes out/<name>.flac.\n"
          "\n"
          "Output:\n"
          "  -o, --output PATH        write here; the extension picks the format. With\n"
          "                           several inputs, or ending in '/', a folder that\n"
          "                           gets one <name>.<ext> per input\n"
          "  -f, --format NAME        wav, flac, opus or mp3 (overrides the extension)\n"
          "      --bitrate KBPS       for opus and mp3\n"
          "      --sidecars LIST      also write any of cue,vtt,srt,lrc,json beside the audio\n"
          "      --json               one JSON line per input on stdout\n"
          "Voice:\n"
          "      --voice NAME         a preset (see --list-voices), a preset file, or an\n"
          "                           espeak-ng voice such as en-us or en+f3\n"
          "      --rate WPM           speaking rate, 80 to 450 words per minute\n"
          "      --pitch N            base pitch, 0 to 99\n"
          "      --sentence-pause MS  silence after each sentence\n"
          "      --paragraph-pause MS silence after each paragraph's last sentence\n"
          "      --lexicon FILE       pronunciations to apply (repeatable; adds to the\n"
          "                           preset's own lexicon)\n"
          "Speed:\n"
          "  -j, --jobs N             worker processes (default: one per CPU); the\n"
          "                           output is the same for any N\n"
          "Other modes:\n"
          "      --sentences          print one sentence per line, a blank line between\n"
          "                           paragraphs, and exit without audio\n"
          "      --speak-text         the same, as handed to espeak-ng (spoken-text rules\n"
          "                           and lexicons applied)\n"
          "      --chapters           print an audio file's duration, tags and chapters\n"
          "      --list-voices        list presets and espeak-ng voices\n"
          "      --skip-bad           a sentence the engine cannot speak becomes silence\n"
          "                           (and a warning) instead of failing the render\n"
          "      --max-input SIZE     refuse larger inputs (default 64M)\n"
          "  -q, --quiet              no progress and no summary\n"
          "  -v, --verbose            also print each chapter's position\n"
          "  -h, --help               this text\n"
          "  -V, --version            version of aloud and espeak-ng\n"
          "\n"
          "Exit status: 0 done, 1 rendering or writing failed (with several inputs: any\n"
          "input failed), 2 bad usage or bad input, 130/143 stopped by SIGINT/SIGTERM.\n",
          out);
}

char *cli_error_text(const char *file, const aloud_error *err, char *buf, size_t size)
{
    if (file && err->line > 0)
        snprintf(buf, size, "%s:%u:%u: %s", file, err->line, err->column, err->message);
    else if (file)
        snprintf(buf, size, "%s: %s", file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}

void cli_error(const char *file, const aloud_error *err)
{
    char text[1024];
    fprintf(stderr, "aloud: error: %s\n", cli_error_text(file, err, text, sizeof text));
}

int cli_exit_for(aloud_status st)
{
    switch (st) {
    case ALOUD_OK: return CLI_EXIT_OK;
    case ALOUD_ERR_READ:
    case ALOUD_ERR_UTF8:
    case ALOUD_ERR_EMPTY:
    case ALOUD_ERR_VOICE:
    case ALOUD_ERR_FORMAT:
    case ALOUD_ERR_MEDIA:
    case ALOUD_ERR_LEXICON:
    case ALOUD_ERR_LIMIT:
    case ALOUD_ERR_ARG:
        return CLI_EXIT_USAGE;
    case ALOUD_ERR_NOMEM:
    case ALOUD_ERR_WRITE:
    case ALOUD_ERR_ENGINE:
        return CLI_EXIT_FAILURE;
    case ALOUD_ERR_CANCELLED:
        return 128 + (cli_stop_signal ? cli_stop_signal : SIGINT);
    }
    return CLI_EXIT_FAILURE;
}

/* Reads a whole file, or stdin for "-", into a malloc'd buffer; refuses
 * more than `limit` bytes (ALOUD_ERR_LIMIT) without reading it all. */
static aloud_status cli_read_all(const char *path, size_t limit, char **data, size_t *size,
                                 aloud_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    aloud_status st = ALOUD_OK;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode))
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "is a directory, not a text file");
    else if (S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > limit)
        st = aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                             "%lld bytes is more than the input limit of %zu (--max-input)",
                             (long long)sb.st_size, limit);
    size_t cap = 65536, len = 0;
    char *buf = st == ALOUD_OK ? malloc(cap + 1) : NULL;
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        if (len > limit) {
            st = aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                                 "more than the input limit of %zu bytes (--max-input)", limit);
            break;
        }
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger)
            break;
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    int e = errno;
    if (!is_stdin)
        fclose(f);
    if (st == ALOUD_OK && !buf)
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    else if (st == ALOUD_OK && len > limit)
        st = aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                             "more than the input limit of %zu bytes (--max-input)", limit);
    else if (st == ALOUD_OK && failed)
        st = aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read: %s", strerror(e));
    if (st != ALOUD_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *size = len;
    return ALOUD_OK;
}

/* Text has no NUL bytes: one means a binary file (named at its position). */
static aloud_status cli_refuse_binary(const char *data, size_t size, aloud_error *err)
{
    const char *nul = memchr(data, '\0', size);
    if (!nul)
        return ALOUD_OK;
    unsigned line = 1, column = 1;
    for (const char *p = data; p < nul; p++) {
        if (*p == '\n' || (*p == '\r' && p + 1 < nul && p[1] != '\n')) {
            line++;
            column = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80 && *p != '\r') {
            column++;
        }
    }
    return aloud_error_set(err, ALOUD_ERR_UTF8, line, column,
                           "a NUL byte: this is a binary file, not text");
}

const char *cli_display_name(const char *input)
{
    return strcmp(input, "-") == 0 ? "<stdin>" : input;
}

aloud_status cli_load_doc(const char *input, size_t max_input, aloud_doc **doc, aloud_error *err)
{
    char *data = NULL;
    size_t size = 0;
    aloud_status st = cli_read_all(input, max_input, &data, &size, err);
    if (st == ALOUD_OK) {
        st = cli_refuse_binary(data, size, err);
        if (st == ALOUD_OK)
            st = aloud_doc_parse(data, size, doc, err);
        free(data);
    }
    return st;
}

/* cli_load_doc() that prints its error; returns the exit code. */
static int cli_load_doc_or_say(const char *input, size_t max_input, aloud_doc **doc)
{
    aloud_error err = {0};
    aloud_status st = cli_load_doc(input, max_input, doc, &err);
    if (st != ALOUD_OK)
        cli_error(cli_display_name(input), &err);
    return cli_exit_for(st);
}

/* --sentences prints the text as written; --speak-text what espeak-ng is handed. */
static int cli_run_sentences(const cli_options *opts)
{
    aloud_doc *doc = NULL;
    int rc = cli_load_doc_or_say(opts->input, opts->max_input, &doc);
    if (rc != CLI_EXIT_OK)
        return rc;
    bool spoken = opts->mode == CLI_MODE_SPEAK_TEXT;
    if (spoken) {
        aloud_lexicon *lex = NULL;
        aloud_voice voice;
        rc = cli_voice(opts, &voice);
        if (rc == CLI_EXIT_OK)
            rc = cli_lexicons(opts, &voice, &lex);
        aloud_error err = {0};
        if (rc == CLI_EXIT_OK && aloud_doc_speak(doc, lex, &err) != ALOUD_OK) {
            cli_error(NULL, &err);
            rc = CLI_EXIT_FAILURE;
        }
        if (rc == CLI_EXIT_OK && opts->verbosity > 0)
            cli_lexicon_report(lex);
        aloud_lexicon_free(lex);
        if (rc != CLI_EXIT_OK) {
            aloud_doc_free(doc);
            return rc;
        }
    }
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (p > 0)
            putchar('\n');
        for (size_t i = 0; i < para->sentence_count; i++) {
            const aloud_sentence *sen = aloud_doc_sentence(doc, para->first_sentence + i);
            puts(spoken ? sen->spoken : sen->text);
        }
    }
    aloud_doc_free(doc);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "aloud: error: cannot write to standard output: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int cli_run_chapters(const cli_options *opts)
{
    aloud_media *m = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_media_read(opts->input, &m, &err);
    if (st != ALOUD_OK) {
        cli_error(opts->input, &err);
        return cli_exit_for(st);
    }
    char t[32];
    double rate = m->sample_rate ? (double)m->sample_rate : 1.0;
    printf("file: %s\n", opts->input);
    printf("format: %s, %u Hz, %u channel%s\n", m->format, m->sample_rate, m->channels,
           m->channels == 1 ? "" : "s");
    printf("duration: %s (%llu frames)\n", cli_format_time((double)m->frames / rate, t, sizeof t),
           (unsigned long long)m->frames);
    if (m->title)
        printf("title: %s\n", m->title);
    if (m->author)
        printf("author: %s\n", m->author);
    if (m->software)
        printf("software: %s\n", m->software);
    printf("chapters: %zu\n", m->chapter_count);
    for (size_t i = 0; i < m->chapter_count; i++)
        printf("%4zu  %s  %10llu  %s\n", i + 1,
               cli_format_time((double)m->chapters[i].frame / rate, t, sizeof t),
               (unsigned long long)m->chapters[i].frame, m->chapters[i].title);
    aloud_media_free(m);
    return CLI_EXIT_OK;
}

const char *cli_presets_dir(char *buf, size_t size)
{
    const char *env = getenv("ALOUD_VOICES");
    if (env && *env)
        return env;
    struct stat sb;
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash && (size_t)(slash - buf) + sizeof "/../voices" <= size) {
            strcpy(slash, "/../voices");
            if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))
                return buf;
        }
    }
    if (stat(ALOUD_INSTALL_VOICES_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
        return ALOUD_INSTALL_VOICES_DIR;
    return ALOUD_SOURCE_VOICES_DIR;
}

static void cli_print_voice(void *ctx, const char *kind, const char *name, const char *language,
                            const char *description)
{
    const char **last_kind = ctx;
    if (!*last_kind || strcmp(*last_kind, kind) != 0) {
        printf("%s%s:\n", *last_kind ? "\n" : "", strcmp(kind, "preset") == 0
                                                      ? "Presets (--voice NAME)"
                                                      : "espeak-ng voices (--voice NAME[+variant])");
        *last_kind = kind;
    }
    printf("  %-22s %-10s %s\n", name, language ? language : "", description ? description : "");
}

static int cli_run_list_voices(void)
{
    char dir[4096];
    const char *last_kind = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_voice_list(cli_presets_dir(dir, sizeof dir), cli_print_voice,
                                       &last_kind, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
        return cli_exit_for(st);
    }
    return CLI_EXIT_OK;
}

int cli_run(const cli_options *opts)
{
    switch (opts->mode) {
    case CLI_MODE_HELP:
        cli_usage(stdout);
        return CLI_EXIT_OK;
    case CLI_MODE_VERSION:
        printf("aloud %s (espeak-ng %s)\n", ALOUD_VERSION, aloud_engine_version());
        return CLI_EXIT_OK;
    case CLI_MODE_LIST_VOICES: return cli_run_list_voices();
    case CLI_MODE_SENTENCES:
    case CLI_MODE_SPEAK_TEXT:
        return cli_run_sentences(opts);
    case CLI_MODE_CHAPTERS: return cli_run_chapters(opts);
    case CLI_MODE_RENDER: return cli_run_render(opts);
    }
    return CLI_EXIT_FAILURE;
}
