/* cli_common.c - what the command line's modes share: error messages and exit
 * codes, loading an input, the presets folder, the voice and the lexicons. */
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

const char *cli_display_name(const char *input)
{
    return strcmp(input, "-") == 0 ? "<stdin>" : input;
}

aloud_status cli_load_doc(const cli_options *opts, const char *input, aloud_doc **doc,
                          aloud_error *err)
{
    char *data = NULL;
    size_t size = 0;
    size_t max_input = opts->max_input;
    int verbosity = opts->verbosity;
    aloud_input_kind kind = cli_input_kind(opts, input);
    aloud_status st = aloud_input_kind_is_binary(kind)
                          ? aloud_read_bytes(input, max_input, &cli_stop_signal, &data, &size, err)
                          : aloud_read_input(input, max_input, &cli_stop_signal, &data, &size, err);
    /* The library knows no options; the user should learn which one sets the limit. */
    if (st == ALOUD_ERR_LIMIT && err) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (--max-input)");
    }
    /* aloud_read_input() refused binary data, as soon as it saw a NUL byte. */
    if (st == ALOUD_OK) {
        st = aloud_doc_parse_as(kind, data, size, doc, err);
        free(data);
    }
    if (st == ALOUD_OK && verbosity > 0 && strcmp(aloud_doc_encoding(*doc), "UTF-8") != 0)
        fprintf(stderr, "aloud: %s: read as %s, converted to UTF-8\n", cli_display_name(input),
                aloud_doc_encoding(*doc));
    if (st == ALOUD_OK && verbosity > 0 && aloud_doc_input_note(*doc))
        fprintf(stderr, "aloud: %s: %s: %s\n", cli_display_name(input),
                aloud_input_kind_name(kind), aloud_doc_input_note(*doc));
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

static bool cli_is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int cli_voice(const cli_options *opts, aloud_voice *voice)
{
    char dir[4096], preset[4352];
    aloud_error err = {0};
    const char *name = opts->voice ? opts->voice : "narrator";
    const char *presets = cli_presets_dir(dir, sizeof dir);
    aloud_status st = aloud_voice_load(name, presets, voice, &err);
    if (st != ALOUD_OK) {
        /* A fault in a preset's text has a position: FILE:LINE:COL. */
        cli_error(err.line > 0 ? aloud_voice_preset_path(name, presets, preset, sizeof preset)
                               : NULL,
                  &err);
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
    /* A bare name was looked for as a preset first; without the folder,
     * "unknown espeak-ng voice 'narrator'" would hide the real fault. */
    if (st == ALOUD_ERR_VOICE && !aloud_voice_preset_path(name, NULL, preset, sizeof preset) &&
        !cli_is_dir(presets)) {
        fprintf(stderr, "aloud: error: no presets folder at %s (set ALOUD_VOICES to one), and "
                        "espeak-ng has no voice '%s' either\n", presets, name);
        return cli_exit_for(st);
    }
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
