/* cli_common.c - what the command line's modes share: error messages and exit
 * codes, loading an input, the presets folder, the voice and the lexicons. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_common.h"

volatile sig_atomic_t cli_stop_signal;

#ifndef ALOUD_SOURCE_VOICES_DIR
#define ALOUD_SOURCE_VOICES_DIR "voices"
#endif
#ifndef ALOUD_INSTALL_VOICES_DIR
#define ALOUD_INSTALL_VOICES_DIR "/usr/local/share/aloud/voices"
#endif

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
    /* Opening a FIFO waits for a writer; a stop signal ends the wait. */
    if (!f && errno == EINTR && cli_stop_signal)
        return aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
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
        if (len < cap && ferror(f) && errno == EINTR && !cli_stop_signal) {
            clearerr(f); /* a signal that does not stop us: read on */
            continue;
        }
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
    else if (st == ALOUD_OK && failed && e == EINTR)
        st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
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

int cli_voice(const cli_options *opts, aloud_voice *voice)
{
    char dir[4096];
    aloud_error err = {0};
    const char *name = opts->voice ? opts->voice : "narrator";
    aloud_status st = aloud_voice_load(name, cli_presets_dir(dir, sizeof dir), voice, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
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

/* A preset's "lexicon = NAME": a bare name is presets/lexicon/NAME.lex, a
 * relative path is taken from the presets folder. */
static void cli_preset_lexicon_path(const char *name, char *path, size_t size)
{
    char dir[4096];
    const char *presets = cli_presets_dir(dir, sizeof dir);
    if (name[0] == '/')
        snprintf(path, size, "%s", name);
    else if (strchr(name, '/'))
        snprintf(path, size, "%s/%s", presets, name);
    else
        snprintf(path, size, "%s/lexicon/%s.lex", presets, name);
}

static int cli_lexicon_add(aloud_lexicon *lex, const char *path)
{
    aloud_error err = {0};
    aloud_status st = aloud_lexicon_load(lex, path, &err);
    if (st != ALOUD_OK) {
        cli_error(path, &err);
        return cli_exit_for(st);
    }
    return CLI_EXIT_OK;
}

int cli_lexicons(const cli_options *opts, const aloud_voice *voice, aloud_lexicon **out)
{
    *out = NULL;
    bool preset = voice && voice->lexicon[0];
    if (!preset && opts->lexicon_count == 0)
        return CLI_EXIT_OK;
    aloud_lexicon *lex = aloud_lexicon_create();
    if (!lex) {
        fprintf(stderr, "aloud: error: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    int rc = CLI_EXIT_OK;
    if (preset) {
        char path[4352];
        cli_preset_lexicon_path(voice->lexicon, path, sizeof path);
        rc = cli_lexicon_add(lex, path);
    }
    for (size_t i = 0; rc == CLI_EXIT_OK && i < opts->lexicon_count; i++)
        rc = cli_lexicon_add(lex, opts->lexicons[i]);
    if (rc != CLI_EXIT_OK) {
        aloud_lexicon_free(lex);
        return rc;
    }
    *out = lex;
    return CLI_EXIT_OK;
}

void cli_lexicon_report(const aloud_lexicon *lex)
{
    size_t n = lex ? aloud_lexicon_entry_count(lex) : 0;
    for (size_t i = 0; i < n; i++) {
        aloud_lexicon_entry_info e;
        aloud_lexicon_entry(lex, i, &e);
        if (e.fired > 0)
            fprintf(stderr, "aloud: lexicon %s:%u: '%s' -> '%s': %zu time%s\n", e.file, e.line,
                    e.match, e.replacement, e.fired, e.fired == 1 ? "" : "s");
    }
}
