/*
 * cli_common.h - what the modes of the command line share (cli_common.c).
 */
#ifndef ALOUD_CLI_COMMON_H
#define ALOUD_CLI_COMMON_H

#include <signal.h>
#include <stddef.h>

#include "cli.h"

/* "FILE:LINE:COL: reason" (or less where unknown) into buf; returns buf. */
char *cli_error_text(const char *file, const aloud_error *err, char *buf, size_t size);
/* Prints "aloud: error: " and cli_error_text() to stderr. */
void cli_error(const char *file, const aloud_error *err);
/* The exit code for a status: input errors 2, the rest 1. */
int cli_exit_for(aloud_status st);
/* "<stdin>" for "-", else the path. */
const char *cli_display_name(const char *input);
/* The language of one document and the voice that reads it. */
typedef struct cli_lang {
    char lang[16];           /* BCP-47 code */
    const char *source;      /* "--lang", "--voice", "the input" (declared) or "detected";
                                "default" when detection
                                was not sure and English was taken */
    aloud_lang_guess guess;  /* what detection said, when it ran */
    bool guessed;            /* detection ran (in cli_load_doc(), on the text as first read) */
} cli_lang;

/* Reads `input` ("-" for stdin, at most --max-input bytes) as the kind
 * --from or its extension says (refusing binary data where text is
 * expected), and parses it in its language: --lang's, else --voice's, else
 * the one the input declares, else the one detection is sure of, else
 * English (the segmenter's data follows the language; cli_language() then
 * chooses the voice). Without --lang, a paragraph clearly in another
 * language (aloud_doc_set_lang()) is cut into sentences by its own rules and
 * keeps that language. With -v says on stderr when it was UTF-16 and what the
 * front end left out. */
aloud_status cli_load_doc(const cli_options *opts, const char *input, aloud_doc **doc,
                          cli_lang *lang, aloud_error *err);
/* The presets folder: $ALOUD_VOICES, beside the program, installed, or the source tree. */
const char *cli_presets_dir(char *buf, size_t size);

/* The signal that asked us to stop (SIGINT, SIGTERM, SIGHUP, SIGPIPE), 0 while none did. */
extern volatile sig_atomic_t cli_stop_signal;

/* Loads --voice (default: the narrator preset), applies the command line's
 * overrides and checks it. Prints errors; returns the exit code. */
int cli_voice(const cli_options *opts, aloud_voice *voice);

/*
 * Loads the lexicons: the voice's own (voice may be NULL) and each
 * --lexicon. *out is NULL when there are none. Prints errors; returns the
 * exit code.
 */
int cli_lexicons(const cli_options *opts, const aloud_voice *voice, aloud_lexicon **out);

/* The lexicons of paragraphs in other languages than their document's:
 * each language's preset lexicon, voices/lexicon/LANG.lex (LANG its primary
 * subtag), when the presets have one; the first CLI_LANG_LEXICONS languages. */
#define CLI_LANG_LEXICONS 16
typedef struct cli_lang_lexicons {
    struct {
        char lang[16];
        aloud_lexicon *lex;
    } item[CLI_LANG_LEXICONS];
    size_t count;
} cli_lang_lexicons;

/* aloud_speak_opts.lexicon_for over a cli_lang_lexicons (ctx). */
aloud_lexicon *cli_lang_lexicon_for(void *ctx, const char *lang);
void cli_lang_lexicons_report(const cli_lang_lexicons *l);
void cli_lang_lexicons_free(cli_lang_lexicons *l);

/*
 * Decides the language of `doc` (read from `input`): --lang, else the
 * language of --voice, else detected, English when detection is not sure
 * (with a one-line warning). Without --voice the voice is espeak-ng's voice
 * for that language with the narrator's parameters, and its lexicon
 * voices/lexicon/LANG.lex when there is one. Sets the document's language,
 * and, without --lang, the paragraphs' that are clearly in another; loads the lexicons into
 * *lex (NULL when none), and those of the paragraphs' other languages into
 * *others (emptied first). Says what it found with -v, and warns once per
 * language that espeak-ng cannot read well. *out comes in as cli_load_doc()
 * left it, so a detection made there is not made again. Prints errors;
 * returns the exit code.
 */
int cli_language(const cli_options *opts, const char *input, aloud_doc *doc, aloud_voice *voice,
                 aloud_lexicon **lex, cli_lang_lexicons *others, cli_lang *out);

/* Prints, to stderr, each lexicon entry that fired and how often. */
void cli_lexicon_report(const aloud_lexicon *lex);
/* Prints, to stderr, one line of what the spoken-text rules rewrote:
 * "aloud: spoken: 12 times, 4 dates, 3 units" ("nothing rewritten" when none). */
void cli_speak_report(const aloud_speak_stats *stats);
/* The same line into buf (size bytes); returns buf. */
char *cli_speak_summary(const aloud_speak_stats *stats, char *buf, size_t size);

#endif /* ALOUD_CLI_COMMON_H */
