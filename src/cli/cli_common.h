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
/* Reads `input` ("-" for stdin, at most --max-input bytes), as the kind
 * --from or its extension says (refusing binary data where text is
 * expected), and parses it; with -v says on stderr when it was UTF-16 and
 * what the front end left out. */
aloud_status cli_load_doc(const cli_options *opts, const char *input, aloud_doc **doc,
                          aloud_error *err);
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
/* Prints, to stderr, each lexicon entry that fired and how often. */
void cli_lexicon_report(const aloud_lexicon *lex);

#endif /* ALOUD_CLI_COMMON_H */
