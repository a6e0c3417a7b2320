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

#ifndef ALOUD_SOURCE_VOICES_DIR
#define ALOUD_SOURCE_VOICES_DIR "voices"
#endif
#ifndef ALOUD_INSTALL_VOICES_DIR
#define ALOUD_INSTALL_VOICES_DIR "/usr/local/share/aloud/voices"
#endif

void cli_usage(FILE *out)
{
    fputs("Usage: aloud [OPTIONS] ARTICLE.txt\n"
          "       aloud --sentences FILE|-\n"
          "       aloud --chapters AUDIO\n"
          "       aloud --list-voices\n"
          "\n"
          "Reads a UTF-8 article aloud with espeak-ng into one audio file with one chapter\n"
          "per paragraph. By default it writes out/<name>.flac.\n"
          "\n"
          "Output:\n"
          "  -o, --output PATH        write here; the extension picks the format\n"
          "  -f, --format NAME        wav or flac (overrides the extension)\n"
          "Voice:\n"
          "      --voice NAME         a preset (see --list-voices), a preset file, or an\n"
          "                           espeak-ng voice such as en-us or en+f3\n"
          "      --rate WPM           speaking rate, 80 to 450 words per minute\n"
          "      --pitch N            base pitch, 0 to 99\n"
          "      --sentence-pause MS  silence after each sentence\n"
          "      --paragraph-pause MS silence after each paragraph's last sentence\n"
          "Speed:\n"
          "  -j, --jobs N             worker processes (default: one per CPU); the\n"
          "                           output is the same for any N\n"
          "Other modes:\n"
          "      --sentences          print one sentence per line, a blank line between\n"
          "                           paragraphs, and exit without audio\n"
          "      --chapters           print an audio file's duration, tags and chapters\n"
          "      --list-voices        list presets and espeak-ng voices\n"
          "  -q, --quiet              no progress and no summary\n"
          "  -v, --verbose            also print each chapter's position\n"
          "  -h, --help               this text\n"
          "  -V, --version            version of aloud and espeak-ng\n"
          "\n"
          "Exit status: 0 done, 1 rendering or writing failed, 2 bad usage or bad input.\n",
          out);
}

/* Prints "aloud: error: WHERE: MESSAGE" with the position when there is one. */
static void cli_error(const char *file, const aloud_error *err)
{
    if (file && err->line > 0)
        fprintf(stderr, "aloud: error: %s:%u:%u: %s\n", file, err->line, err->column, err->message);
    else if (file)
        fprintf(stderr, "aloud: error: %s: %s\n", file, err->message);
    else
        fprintf(stderr, "aloud: error: %s\n", err->message);
}

/* Input errors are the user's (exit 2); the rest are failures (exit 1). */
static int cli_exit_for(aloud_status st)
{
    switch (st) {
    case ALOUD_OK: return CLI_EXIT_OK;
    case ALOUD_ERR_READ:
    case ALOUD_ERR_UTF8:
    case ALOUD_ERR_EMPTY:
    case ALOUD_ERR_VOICE:
    case ALOUD_ERR_FORMAT:
    case ALOUD_ERR_MEDIA:
    case ALOUD_ERR_ARG:
        return CLI_EXIT_USAGE;
    case ALOUD_ERR_NOMEM:
    case ALOUD_ERR_WRITE:
    case ALOUD_ERR_ENGINE:
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_FAILURE;
}

/* Reads a whole file, or stdin for "-", into a malloc'd buffer. */
static aloud_status cli_read_all(const char *path, char **data, size_t *size, aloud_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "is a directory, not a text file");
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    int e = errno;
    if (!is_stdin)
        fclose(f);
    if (!buf)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (failed) {
        free(buf);
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read: %s", strerror(e));
    }
    *data = buf;
    *size = len;
    return ALOUD_OK;
}

static const char *cli_display_name(const char *input)
{
    return strcmp(input, "-") == 0 ? "<stdin>" : input;
}

/* Reads and parses the input; prints the error and returns the exit code on failure. */
static int cli_load_doc(const char *input, aloud_doc **doc)
{
    aloud_error err = {0};
    char *data = NULL;
    size_t size = 0;
    aloud_status st = cli_read_all(input, &data, &size, &err);
    if (st == ALOUD_OK) {
        st = aloud_doc_parse(data, size, doc, &err);
        free(data);
    }
    if (st != ALOUD_OK) {
        cli_error(cli_display_name(input), &err);
        return cli_exit_for(st);
    }
    return CLI_EXIT_OK;
}

static int cli_run_sentences(const cli_options *opts)
{
    aloud_doc *doc = NULL;
    int rc = cli_load_doc(opts->input, &doc);
    if (rc != CLI_EXIT_OK)
        return rc;
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (p > 0)
            putchar('\n');
        for (size_t i = 0; i < para->sentence_count; i++)
            puts(aloud_doc_sentence(doc, para->first_sentence + i)->text);
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

/* The presets folder: $ALOUD_VOICES, next to the program, installed, or the source tree. */
static const char *cli_presets_dir(char *buf, size_t size)
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

/* Loads the voice and applies the command line's overrides. */
static int cli_voice(const cli_options *opts, aloud_voice *voice)
{
    char dir[4096];
    aloud_error err = {0};
    const char *name = opts->voice ? opts->voice : "narrator";
    aloud_status st = aloud_voice_load(name, cli_presets_dir(dir, sizeof dir), voice, &err);
    if (st != ALOUD_OK) {
        cli_error(err.line > 0 ? name : NULL, &err);
        return cli_exit_for(st);
    }
    if (opts->rate >= 0)
        voice->rate = opts->rate;
    if (opts->pitch >= 0)
        voice->pitch = opts->pitch;
    if (opts->sentence_pause_ms >= 0)
        voice->sentence_pause_ms = (unsigned)opts->sentence_pause_ms;
    if (opts->paragraph_pause_ms >= 0)
        voice->paragraph_pause_ms = (unsigned)opts->paragraph_pause_ms;
    st = aloud_voice_check(voice, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
        return cli_exit_for(st);
    }
    return CLI_EXIT_OK;
}

/* Creates the folders above `path`, like mkdir -p on its dirname. */
static int cli_make_parents(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return CLI_EXIT_OK;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            struct stat sb;
            if (stat(dir, &sb) != 0 && mkdir(dir, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "aloud: error: cannot create folder %s: %s\n", dir,
                        strerror(errno));
                return CLI_EXIT_FAILURE;
            }
            if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "aloud: error: %s is not a folder\n", dir);
                return CLI_EXIT_FAILURE;
            }
            if (end)
                break;
            *p = '/';
        }
    }
    return CLI_EXIT_OK;
}

static double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress on a terminal: one line, redrawn at most four times a second. */
typedef struct cli_progress {
    double started;
    double last_draw;
    bool drawn;
} cli_progress;

static int cli_progress_draw(void *ctx, const aloud_progress *p)
{
    cli_progress *cp = ctx;
    double now = cli_now();
    if (now - cp->last_draw < 0.25 && p->sentences_done < p->sentences_total)
        return 0;
    cp->last_draw = now;
    double elapsed = now - cp->started;
    double audio = (double)p->frames_done / (double)(p->sample_rate ? p->sample_rate : 1);
    double eta = p->sentences_done ? elapsed * (double)(p->sentences_total - p->sentences_done) /
                                         (double)p->sentences_done
                                   : 0.0;
    char t[32];
    fprintf(stderr, "\r\033[K%zu/%zu sentences, %s audio, %.0fx realtime, ETA %.0f s",
            p->sentences_done, p->sentences_total, cli_format_time(audio, t, sizeof t),
            elapsed > 0 ? audio / elapsed : 0.0, eta);
    cp->drawn = true;
    return 0;
}

static void cli_progress_clear(cli_progress *cp)
{
    if (cp->drawn)
        fputs("\r\033[K", stderr);
    cp->drawn = false;
}

static void cli_report(const cli_options *opts, const char *path, const aloud_doc *doc,
                       const aloud_render_result *res, double seconds)
{
    char t[32];
    double rate = (double)res->sample_rate;
    if (opts->verbosity > 0) {
        for (size_t p = 0; p < res->paragraph_count; p++)
            fprintf(stderr, "aloud: chapter %zu at frame %llu (%s): %s\n", p + 1,
                    (unsigned long long)res->paragraphs[p].start,
                    cli_format_time((double)res->paragraphs[p].start / rate, t, sizeof t),
                    aloud_doc_paragraph(doc, p)->chapter_title);
    }
    if (opts->verbosity >= 0 && res->retries > 0)
        fprintf(stderr, "aloud: warning: %u unit%s of sentences retried after a worker crashed or hung\n",
                res->retries, res->retries == 1 ? "" : "s");
    if (opts->verbosity >= 0) {
        double audio = (double)res->frames / rate;
        fprintf(stderr, "aloud: wrote %s: %s of audio, %zu chapters, %zu sentences, in %.2f s (%.0fx realtime)\n",
                path, cli_format_time(audio, t, sizeof t), res->paragraph_count,
                res->sentence_count, seconds, seconds > 0 ? audio / seconds : 0.0);
    }
}

static int cli_run_render(const cli_options *opts)
{
    char path[4096], why[256];
    const aloud_format *format = cli_output_choose(opts, path, sizeof path, why, sizeof why);
    if (!format) {
        fprintf(stderr, "aloud: error: %s\n", why);
        return CLI_EXIT_USAGE;
    }
    aloud_voice voice;
    int rc = cli_voice(opts, &voice);
    if (rc != CLI_EXIT_OK)
        return rc;
    aloud_doc *doc = NULL;
    rc = cli_load_doc(opts->input, &doc);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = cli_make_parents(path);
    if (rc != CLI_EXIT_OK) {
        aloud_doc_free(doc);
        return rc;
    }

    char software[96];
    snprintf(software, sizeof software, "aloud %s (espeak-ng %s)", ALOUD_VERSION,
             aloud_engine_version());
    cli_progress progress = {cli_now(), 0.0, false};
    bool show_progress = opts->verbosity >= 0 && isatty(STDERR_FILENO);
    aloud_render_opts ro = {&voice, format, path, software, opts->jobs,
                            show_progress ? cli_progress_draw : NULL, &progress};
    aloud_render_result res;
    aloud_error err = {0};
    aloud_status st = aloud_render(doc, &ro, &res, &err);
    cli_progress_clear(&progress);
    if (st != ALOUD_OK) {
        cli_error(err.line > 0 ? cli_display_name(opts->input) : path, &err);
        aloud_doc_free(doc);
        return cli_exit_for(st);
    }
    cli_report(opts, path, doc, &res, cli_now() - progress.started);
    aloud_render_result_free(&res);
    aloud_doc_free(doc);
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
    case CLI_MODE_SENTENCES: return cli_run_sentences(opts);
    case CLI_MODE_CHAPTERS: return cli_run_chapters(opts);
    case CLI_MODE_RENDER: return cli_run_render(opts);
    }
    return CLI_EXIT_FAILURE;
}
