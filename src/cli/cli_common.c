/* cli_common.c - what the command line's modes share: error messages and exit
 * codes, loading an input, the presets folder, the voice and the lexicons. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Detection's test: a language espeak-ng has a voice for. */
static bool cli_lang_is_english(const char *lang)
{
    return strcasecmp(lang, "en") == 0;
}

/* Whether espeak-ng has a voice for `lang`. English is read with the
 * narrator's voice, checked already: asking espeak-ng for its English voice
 * would cost a scan of every voice file. */
static int cli_lang_usable(void *ctx, const char *lang)
{
    char espeak[64];
    (void)ctx;
    return cli_lang_is_english(lang)
           || aloud_voice_for_lang(lang, espeak, sizeof espeak, NULL) == ALOUD_OK;
}

/* The language a text without --lang is read in: --voice's, else the one
 * it declares, else the one detection is sure of and espeak-ng has a
 * voice for, else English, as cli_language() decides. Quiet:
 * cli_language() reports. */
static void cli_text_lang(const cli_options *opts, const aloud_doc *doc, cli_lang *found,
                          char *lang, size_t size)
{
    lang[0] = '\0';
    if (opts->voice) {
        char dir[4096];
        aloud_voice voice;
        if (aloud_voice_load(opts->voice, cli_presets_dir(dir, sizeof dir), &voice, NULL) ==
                ALOUD_OK &&
            aloud_voice_lang(&voice, lang, size, NULL) != ALOUD_OK)
            lang[0] = '\0';
    } else if (aloud_doc_declared_lang(doc)) {
        snprintf(lang, size, "%s", aloud_doc_declared_lang(doc));
    } else {
        aloud_doc_detect_lang(doc, cli_lang_usable, NULL, &found->guess);
        found->guessed = true;
        if (found->guess.reliable && cli_lang_usable(NULL, found->guess.lang))
            snprintf(lang, size, "%s", found->guess.lang);
    }
    if (lang[0] == '\0')
        snprintf(lang, size, "en");
}

static bool cli_lang_english(const char *lang)
{
    return strncasecmp(lang, "en", 2) == 0 && (lang[2] == '\0' || lang[2] == '-');
}

/*
 * Without --lang: the text's language, and each paragraph's own (a
 * quotation in another language, found by aloud_doc_set_lang()), so that
 * sentences follow them: the text is read again with them when they are
 * not what it was first read with (English, so that an English text with
 * no other language is read once). *doc is the document read last.
 */
static aloud_status cli_read_in_languages(const cli_options *opts, aloud_input_kind kind,
                                          const char *data, size_t size, aloud_doc **doc,
                                          cli_lang *found, aloud_error *err)
{
    char lang[16];
    cli_text_lang(opts, *doc, found, lang, sizeof lang);
    /* A language aloud_doc_set_lang() refuses is cli_language()'s to report. */
    if (aloud_doc_set_lang(*doc, lang, 1, cli_lang_usable, NULL, NULL) != ALOUD_OK)
        return ALOUD_OK;
    size_t count = aloud_doc_paragraph_count(*doc);
    const char **own = calloc(count ? count : 1, sizeof *own);
    if (!own)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    bool other = false;
    for (size_t p = 0; p < count; p++) {
        const char *pl = aloud_doc_paragraph(*doc, p)->lang;
        if (strcmp(pl, lang) != 0) {
            own[p] = pl;
            other = true;
        }
    }
    aloud_status st = ALOUD_OK;
    if (other || !cli_lang_english(lang)) {
        aloud_doc_opts doc_opts = {.lang = lang, .paragraph_langs = own,
                                   .paragraph_lang_count = count};
        aloud_doc *again = NULL;
        st = aloud_doc_parse_as(kind, data, size, &doc_opts, &again, err);
        aloud_doc_free(*doc);
        *doc = again;
    }
    free(own);
    return st;
}

aloud_status cli_load_doc(const cli_options *opts, const char *input, aloud_doc **doc,
                          cli_lang *found, aloud_error *err)
{
    memset(found, 0, sizeof *found);
    aloud_doc_opts doc_opts = {0};
    char *data = NULL;
    size_t size = 0;
    aloud_input_kind kind = cli_input_kind(opts, input);
    aloud_status st =
        aloud_input_kind_is_binary(kind)
            ? aloud_read_bytes(input, opts->max_input, &cli_stop_signal, &data, &size, err)
            : aloud_read_input(input, opts->max_input, &cli_stop_signal, &data, &size, err);
    /* The library knows no options; the user should learn which one sets the limit. */
    if (st == ALOUD_ERR_LIMIT && err) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (--max-input)");
    }
    /* aloud_read_input() refused binary data, as soon as it saw a NUL byte. */
    if (st == ALOUD_OK) {
        doc_opts.lang = opts->lang;
        st = aloud_doc_parse_as(kind, data, size, &doc_opts, doc, err);
    }
    /* Sentences follow the language: read again in the ones found. */
    if (st == ALOUD_OK && !opts->lang)
        st = cli_read_in_languages(opts, kind, data, size, doc, found, err);
    free(data);
    if (st == ALOUD_OK && opts->verbosity > 0 && strcmp(aloud_doc_encoding(*doc), "UTF-8") != 0)
        fprintf(stderr, "aloud: %s: read as %s, converted to UTF-8\n", cli_display_name(input),
                aloud_doc_encoding(*doc));
    if (st == ALOUD_OK && opts->verbosity > 0 && aloud_doc_input_note(*doc))
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

char *cli_speak_summary(const aloud_speak_stats *stats, char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (unsigned k = 0; k < ALOUD_SPEAK_RULES; k++) {
        int w;
        if (stats->count[k] == 0)
            continue;
        w = snprintf(buf + n, size - n, "%s%zu %s", n ? ", " : "", stats->count[k],
                     aloud_speak_rule_name(k, stats->count[k]));
        if (w < 0 || (size_t)w >= size - n) {
            buf[n] = '\0';  /* whole items only */
            break;
        }
        n += (size_t)w;
    }
    if (n == 0)
        snprintf(buf, size, "nothing rewritten");
    return buf;
}

void cli_speak_report(const aloud_speak_stats *stats)
{
    char line[1024];
    fprintf(stderr, "aloud: spoken: %s\n", cli_speak_summary(stats, line, sizeof line));
}

/* ------------------------------------------------------------ languages */

/* Says once per language what espeak-ng cannot read well in it. */
static void cli_lang_limits(const cli_options *opts, const char *input, const aloud_doc *doc)
{
    const char *said[8];
    size_t said_count = 0;
    for (size_t p = 0; opts->verbosity >= 0 && p < aloud_doc_paragraph_count(doc); p++) {
        const char *lang = aloud_doc_paragraph(doc, p)->lang;
        const char *limit = aloud_lang_limit(lang);
        bool seen = false;
        for (size_t i = 0; i < said_count && !seen; i++)
            seen = strcmp(said[i], limit ? limit : "") == 0;
        if (!limit || seen)
            continue;
        fprintf(stderr, "aloud: warning: %s: text in '%s': %s\n", cli_display_name(input), lang,
                limit);
        if (said_count < sizeof said / sizeof said[0])
            said[said_count++] = limit;
    }
}

/* -v: the document's language and each paragraph in another. */
static void cli_lang_report(const cli_options *opts, const char *input, const aloud_doc *doc,
                            const aloud_voice *voice, const cli_lang *cl)
{
    const char *name = cli_display_name(input);
    if (opts->verbosity <= 0)
        return;
    if (cl->guess.lang[0] || strcmp(cl->source, "detected") == 0 ||
        strcmp(cl->source, "default") == 0)
        fprintf(stderr, "aloud: %s: language %s (%s: %s, %d%% of the text, %s); voice %s\n",
                name, cl->lang, cl->source, cl->guess.lang[0] ? cl->guess.lang : "none",
                cl->guess.percent, cl->guess.reliable ? "sure" : "not sure", voice->espeak);
    else
        fprintf(stderr, "aloud: %s: language %s (from %s); voice %s\n", name, cl->lang,
                cl->source, voice->espeak);
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (para->lang && strcmp(para->lang, cl->lang) != 0) {
            char espeak[64] = "?";
            aloud_voice_for_lang(para->lang, espeak, sizeof espeak, NULL);
            fprintf(stderr, "aloud: %s:%u: paragraph %zu is in %s: voice %s\n", name, para->line,
                    p + 1, para->lang, espeak);
        }
    }
}

/* The primary subtag of `lang` in lower case ("pt" for "pt-BR"). */
static void cli_lang_primary(const char *lang, char *out, size_t size)
{
    snprintf(out, size, "%.*s", (int)strcspn(lang, "-"), lang);
    for (char *c = out; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
}

/* The presets' lexicon for `lang` (voices/lexicon/PRIMARY.lex): its path in
 * path[] and the primary subtag in primary[]; false when there is none. */
static bool cli_lang_lexicon_path(const char *lang, char *primary, size_t primary_size,
                                  char *path, size_t path_size)
{
    char dir[4096];
    struct stat sb;
    cli_lang_primary(lang, primary, primary_size);
    snprintf(path, path_size, "%s/lexicon/%s.lex", cli_presets_dir(dir, sizeof dir), primary);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Without --voice: the narrator's parameters with espeak-ng's voice for
 * `lang`, and the language's own lexicon when the presets have one. */
static int cli_voice_for_lang(const char *lang, aloud_voice *voice)
{
    char espeak[sizeof voice->espeak];
    aloud_error err = {0};
    aloud_status st = aloud_voice_for_lang(lang, espeak, sizeof espeak, &err);
    if (st != ALOUD_OK) {
        cli_error(NULL, &err);
        return cli_exit_for(st);
    }
    snprintf(voice->espeak, sizeof voice->espeak, "%s", espeak);
    snprintf(voice->name, sizeof voice->name, "%.*s", (int)sizeof voice->name - 1, espeak);
    char path[4400], primary[16];
    if (cli_lang_lexicon_path(lang, primary, sizeof primary, path, sizeof path))
        snprintf(voice->lexicon, sizeof voice->lexicon, "%s", primary);
    else
        voice->lexicon[0] = '\0';
    return CLI_EXIT_OK;
}

aloud_lexicon *cli_lang_lexicon_for(void *ctx, const char *lang)
{
    const cli_lang_lexicons *l = ctx;
    char primary[16];
    cli_lang_primary(lang, primary, sizeof primary);
    for (size_t i = 0; l && i < l->count; i++) {
        if (strcmp(l->item[i].lang, primary) == 0)
            return l->item[i].lex;
    }
    return NULL;
}

void cli_lang_lexicons_report(const cli_lang_lexicons *l)
{
    for (size_t i = 0; i < l->count; i++)
        cli_lexicon_report(l->item[i].lex);
}

void cli_lang_lexicons_free(cli_lang_lexicons *l)
{
    for (size_t i = 0; i < l->count; i++)
        aloud_lexicon_free(l->item[i].lex);
    l->count = 0;
}

/* The preset lexicons of the paragraphs' languages other than the
 * document's. Prints errors; returns the exit code. */
static int cli_lang_lexicons_load(const aloud_doc *doc, cli_lang_lexicons *out)
{
    char path[4400], primary[16];
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const char *lang = aloud_doc_paragraph(doc, p)->lang;
        bool known = false;
        if (strcmp(lang, aloud_doc_lang(doc)) == 0 || out->count == CLI_LANG_LEXICONS)
            continue;
        if (!cli_lang_lexicon_path(lang, primary, sizeof primary, path, sizeof path))
            continue;
        for (size_t i = 0; i < out->count && !known; i++)
            known = strcmp(out->item[i].lang, primary) == 0;
        if (known)
            continue;
        aloud_lexicon *lex = aloud_lexicon_create();
        if (!lex) {
            fprintf(stderr, "aloud: error: out of memory\n");
            return CLI_EXIT_FAILURE;
        }
        int rc = cli_lexicon_add(lex, path);
        if (rc != CLI_EXIT_OK) {
            aloud_lexicon_free(lex);
            return rc;
        }
        snprintf(out->item[out->count].lang, sizeof out->item[out->count].lang, "%s", primary);
        out->item[out->count++].lex = lex;
    }
    return CLI_EXIT_OK;
}

int cli_language(const cli_options *opts, const char *input, aloud_doc *doc, aloud_voice *voice,
                 aloud_lexicon **lex, cli_lang_lexicons *others, cli_lang *out)
{
    others->count = 0;
    aloud_error err = {0};
    const char *name = cli_display_name(input);
    /* What cli_load_doc() detected is kept: the same text, detected once. */
    cli_lang found = *out;
    memset(out, 0, sizeof *out);
    *lex = NULL;
    int rc = cli_voice(opts, voice);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (opts->lang) {
        snprintf(out->lang, sizeof out->lang, "%s", opts->lang);
        out->source = "--lang";
    } else if (opts->voice) {
        aloud_status st = aloud_voice_lang(voice, out->lang, sizeof out->lang, &err);
        if (st != ALOUD_OK) {
            cli_error(NULL, &err);
            return cli_exit_for(st);
        }
        out->source = "--voice";
    } else if (aloud_doc_declared_lang(doc) && strlen(aloud_doc_declared_lang(doc)) < sizeof out->lang) {
        snprintf(out->lang, sizeof out->lang, "%s", aloud_doc_declared_lang(doc));
        out->source = "the input";
    } else {
        if (found.guessed)
            out->guess = found.guess;
        else
            aloud_doc_detect_lang(doc, cli_lang_usable, NULL, &out->guess);
        if (out->guess.reliable && cli_lang_usable(NULL, out->guess.lang)) {
            snprintf(out->lang, sizeof out->lang, "%s", out->guess.lang);
            out->source = "detected";
        } else {
            snprintf(out->lang, sizeof out->lang, "en");
            out->source = "default";
            if (opts->verbosity >= 0 && out->guess.reliable)
                fprintf(stderr, "aloud: warning: %s: the text is in '%s', which espeak-ng has no "
                                "voice for; reading it as English (set --lang or --voice)\n",
                        name, out->guess.lang);
            else if (opts->verbosity >= 0)
                fprintf(stderr, "aloud: warning: %s: cannot tell the language of the text (best "
                                "guess '%s', %d%%); reading it as English (set --lang or "
                                "--voice)\n",
                        name, out->guess.lang[0] ? out->guess.lang : "none", out->guess.percent);
        }
    }
    if (!opts->voice && !cli_lang_is_english(out->lang)) {
        rc = cli_voice_for_lang(out->lang, voice);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    /* --lang is the language of the whole text: nothing is detected then.
     * Without it, cli_load_doc() read the paragraphs in their languages. */
    aloud_status st = ALOUD_OK;
    if (opts->lang || strcmp(aloud_doc_lang(doc), out->lang) != 0)
        st = aloud_doc_set_lang(doc, out->lang, !opts->lang, cli_lang_usable, NULL, &err);
    if (st != ALOUD_OK) {
        cli_error(name, &err);
        return cli_exit_for(st);
    }
    cli_lang_report(opts, input, doc, voice, out);
    cli_lang_limits(opts, input, doc);
    rc = cli_lang_lexicons_load(doc, others);
    if (rc != CLI_EXIT_OK) {
        cli_lang_lexicons_free(others);
        return rc;
    }
    rc = cli_lexicons(opts, voice, lex);
    if (rc != CLI_EXIT_OK)
        cli_lang_lexicons_free(others);
    return rc;
}
