/*
 * cli.h - the aloud command line: parse, validate every combination in one
 * place, then run from one options struct. main.c is only a thin shell.
 */
#ifndef ALOUD_CLI_H
#define ALOUD_CLI_H

#include <signal.h>
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
    CLI_MODE_SPEAK_TEXT,   /* --speak-text: print what espeak-ng is handed */
    CLI_MODE_CHAPTERS,     /* --chapters: read a file's chapters back */
    CLI_MODE_LIST_VOICES,  /* --list-voices */
    CLI_MODE_FEED,         /* aloud feed DIR: write or rebuild DIR/feed.xml */
    CLI_MODE_HELP,
    CLI_MODE_VERSION
} cli_mode;

#define CLI_MAX_LEXICONS 16
/* A whole long book is about 5 MB of text; far more is more likely a mistake. */
#define CLI_DEFAULT_MAX_INPUT ((size_t)64 << 20)

/* Everything the command line says. Strings are borrowed from argv; free
 * the struct's own allocations with cli_options_free(). */
typedef struct cli_options {
    cli_mode mode;
    const char *input;            /* the first input: a text file, "-" for stdin, or a media file */
    const char **inputs;          /* every input, in order (owned array) */
    size_t input_count;
    const char *output;           /* -o; NULL for out/<stem>.<ext> */
    bool output_is_dir;           /* several inputs, or -o ends in '/' */
    bool output_stdout;           /* -o -: the file goes to standard output */
    const char *format;           /* -f; NULL to take it from -o's extension */
    const char *voice;            /* --voice; NULL for the default preset */
    const char *lang;             /* --lang, a BCP-47 code; NULL: --voice's, else detected */
    int rate;                     /* -1 where the preset decides */
    int pitch;
    long sentence_pause_ms;
    long paragraph_pause_ms;
    unsigned jobs;                /* -j; 0 for one worker per CPU */
    const char *bitrate_arg;      /* --bitrate as given (kb/s), checked against the format */
    unsigned bitrate;             /* --bitrate in bits per second; 0 for the format's default */
    bool loudness_set;            /* --loudness given */
    bool loudness_off;            /* --loudness off */
    double loudness;              /* --loudness in LUFS; 0 for the library's default */
    const char *lexicons[CLI_MAX_LEXICONS]; /* --lexicon, in order */
    size_t lexicon_count;
    const char *sidecars;         /* --sidecars: comma-separated kinds, NULL for none */
    bool json;                    /* --json: one result line per input on stdout */
    bool skip_bad;                /* --skip-bad: silence for a sentence that cannot be spoken */
    size_t max_input;             /* --max-input in bytes */
    bool read_emoji;              /* --emoji read: emoji are read by name, not left out */
    aloud_input_kind from;        /* --from: what every input is written in... */
    bool from_set;                /* ...when given; else each input's extension says */
    size_t max_chapters;          /* --max-chapters; 0 for the format's limit */
    int verbosity;                /* -1 quiet, 0 normal, 1 verbose */
    /* The podcast feed: `aloud feed DIR`, or --feed DIR when rendering. */
    const char *feed_dir;         /* DIR; NULL without a feed */
    const char *feed_title;       /* --feed-title ... --base-url: NULL keeps the folder's */
    const char *feed_author;
    const char *feed_description;
    const char *feed_lang;
    const char *base_url;
    const char *cover;            /* --cover: a JPEG or PNG embedded in a render, and the
                                     feed's image (feed) or the item's (--feed); NULL for none */
    char feed_sidecars[64];       /* --sidecars with json,vtt,srt added for --feed */
} cli_options;

void cli_options_free(cli_options *opts);

/*
 * Parses argv into `opts` and checks every combination. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE with a one-line reason in `why`.
 */
int cli_parse(int argc, char *const argv[], cli_options *opts, char *why, size_t why_size);

/* The sidecars a feed needs: its manifest and transcripts. */
#define CLI_FEED_SIDECARS "json,vtt,srt"

/* What `input` is written in: --from, else its extension, else plain text. */
aloud_input_kind cli_input_kind(const cli_options *opts, const char *input);

/* The format a render uses: -f, else -o's extension, else FLAC. */
const aloud_format *cli_output_format(const cli_options *opts);

/*
 * Where the render of `input` goes: -o as given for one file; DIR/<stem>.<ext>
 * when -o names a folder; out/<stem>.<ext> without -o. Returns false when
 * the path does not fit in `size`.
 */
bool cli_output_path(const cli_options *opts, const char *input, const aloud_format *format,
                     char *path, size_t size);

/* Formats seconds as H:MM:SS.mmm into `buf`. Returns buf. */
char *cli_format_time(double seconds, char *buf, size_t size);

#endif /* ALOUD_CLI_H */
