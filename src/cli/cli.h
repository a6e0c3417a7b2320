/*
 * cli.h - the aloud command line: parse, validate every combination in one
 * place, then run from one options struct. main.c is only a thin shell.
 */
#ifndef ALOUD_CLI_H
#define ALOUD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aloud.h"

/* Exit codes, documented in the README and --help. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,  /* rendering or writing failed */
    CLI_EXIT_USAGE = 2     /* bad usage or bad input */
};

typedef enum cli_mode {
    CLI_MODE_RENDER = 0,
    CLI_MODE_SENTENCES,    /* --sentences: print the segmentation */
    CLI_MODE_CHAPTERS,     /* --chapters: read a file's chapters back */
    CLI_MODE_LIST_VOICES,  /* --list-voices */
    CLI_MODE_HELP,
    CLI_MODE_VERSION
} cli_mode;

/* Everything the command line says. Strings are borrowed from argv. */
typedef struct cli_options {
    cli_mode mode;
    const char *input;            /* a text file, "-" for stdin, or a media file */
    const char *output;           /* -o; NULL for out/<stem>.<ext> */
    const char *format;           /* -f; NULL to take it from -o's extension */
    const char *voice;            /* --voice; NULL for the default preset */
    int rate;                     /* -1 where the preset decides */
    int pitch;
    long sentence_pause_ms;
    long paragraph_pause_ms;
    unsigned jobs;                /* -j; 0 for one worker per CPU */
    int verbosity;                /* -1 quiet, 0 normal, 1 verbose */
} cli_options;

/*
 * Parses argv into `opts` and checks every combination. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE with a one-line reason in `why`.
 */
int cli_parse(int argc, char *const argv[], cli_options *opts, char *why, size_t why_size);

/*
 * The output path and format a render uses: -o and -f as given, else
 * out/<input stem>.flac. Writes the path into `path`. Returns NULL (and a
 * reason in `why`) when the format is unknown.
 */
const aloud_format *cli_output_choose(const cli_options *opts, char *path, size_t path_size,
                                      char *why, size_t why_size);

/* Formats seconds as H:MM:SS.mmm into `buf`. Returns buf. */
char *cli_format_time(double seconds, char *buf, size_t size);

/* Prints --help to `out`. */
void cli_usage(FILE *out);

/* Runs what `opts` says; returns the exit code. Messages go to stderr. */
int cli_run(const cli_options *opts);

#endif /* ALOUD_CLI_H */
