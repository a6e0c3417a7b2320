/*
 * aloud.h - the one public header of libaloud, the core of the aloud tool.
 *
 * aloud reads an article aloud: it parses UTF-8 text into paragraphs and
 * sentences, synthesises each sentence with espeak-ng, and writes one audio
 * file with one chapter per paragraph.
 *
 * Conventions:
 * - Every object has a create/free pair; free(NULL) is a no-op.
 * - Functions return an aloud_status; those that can fail with detail also
 *   fill an aloud_error the caller provides (may be NULL).
 * - The library never prints and never exits.
 * - Strings are UTF-8 and NUL-terminated.
 */
#ifndef ALOUD_H
#define ALOUD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ALOUD_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

typedef enum aloud_status {
    ALOUD_OK = 0,
    ALOUD_ERR_NOMEM,    /* out of memory */
    ALOUD_ERR_READ,     /* input missing or unreadable */
    ALOUD_ERR_WRITE,    /* output could not be written */
    ALOUD_ERR_UTF8,     /* input is not valid UTF-8 */
    ALOUD_ERR_EMPTY,    /* input holds no words */
    ALOUD_ERR_VOICE,    /* unknown voice, variant or bad preset */
    ALOUD_ERR_ENGINE,   /* the speech engine failed */
    ALOUD_ERR_FORMAT,   /* unknown or unsupported output format */
    ALOUD_ERR_MEDIA,    /* a file read back is not one we understand */
    ALOUD_ERR_LEXICON,  /* a bad lexicon file */
    ALOUD_ERR_LIMIT,    /* the input exceeds a limit (size, audio per sentence) */
    ALOUD_ERR_CANCELLED, /* stopped on request (a signal, the progress callback) */
    ALOUD_ERR_ARG       /* a bad argument to a library function */
} aloud_status;

/* A static, human-readable name of a status. Never NULL. */
const char *aloud_strerror(aloud_status status);

/*
 * Detail about a failure. `line` and `column` are 1-based positions in the
 * input (column counts characters, not bytes), 0 where no position applies.
 * `message` is the reason, without file name or position.
 */
typedef struct aloud_error {
    aloud_status status;
    unsigned line;
    unsigned column;
    char message[256];
} aloud_error;

/* Fills `err` (when not NULL) and returns `status`. printf-style message. */
aloud_status aloud_error_set(aloud_error *err, aloud_status status, unsigned line,
                             unsigned column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* ------------------------------------------------------------- documents */

typedef enum aloud_para_kind {
    ALOUD_PARA_BODY = 0,  /* ordinary paragraph */
    ALOUD_PARA_TITLE,     /* the document's title (first paragraph, one short line) */
    ALOUD_PARA_HEADING,   /* a later one-line paragraph without final punctuation */
    ALOUD_PARA_BYLINE     /* "Author: NAME", "By NAME", ... */
} aloud_para_kind;

typedef struct aloud_sentence {
    const char *text;    /* normalised text as written, NUL-terminated, owned by the doc */
    size_t length;       /* bytes in text */
    const char *spoken;  /* what espeak-ng is handed: `text` until aloud_doc_speak() */
    unsigned line;     /* where the sentence starts in the input (1-based) */
    unsigned column;   /* in characters (1-based) */
} aloud_sentence;

typedef struct aloud_paragraph {
    aloud_para_kind kind;
    const char *chapter_title;  /* heading text, or the first words ("…" when cut) */
    size_t first_sentence;      /* index into the doc's sentences */
    size_t sentence_count;      /* at least 1 */
    unsigned line;              /* first line of the paragraph (1-based) */
} aloud_paragraph;

typedef struct aloud_doc aloud_doc;

/*
 * Parses a whole input buffer (borrowed; need not be NUL-terminated) into a
 * document. Accepts a UTF-8 BOM and LF, CRLF or CR line ends. On failure
 * returns ALOUD_ERR_UTF8 (with the position of the first bad byte),
 * ALOUD_ERR_EMPTY (no words) or ALOUD_ERR_NOMEM, and sets *out to NULL.
 * The caller owns *out and frees it with aloud_doc_free().
 */
aloud_status aloud_doc_parse(const char *data, size_t size, aloud_doc **out, aloud_error *err);
void aloud_doc_free(aloud_doc *doc);

/* Paragraphs and sentences in document order; pointers owned by the doc. */
size_t aloud_doc_paragraph_count(const aloud_doc *doc);
const aloud_paragraph *aloud_doc_paragraph(const aloud_doc *doc, size_t index);
size_t aloud_doc_sentence_count(const aloud_doc *doc);
const aloud_sentence *aloud_doc_sentence(const aloud_doc *doc, size_t index);

/* The title and the author's name, or NULL when the text has none. */
const char *aloud_doc_title(const aloud_doc *doc);
const char *aloud_doc_author(const aloud_doc *doc);

/* ------------------------------------------------ spoken text and lexicon */

/*
 * A lexicon: whole-word or phrase entries that replace what espeak-ng is
 * handed, by respelling or by espeak-ng phonemes ("[[...]]"). The file
 * format is documented in voices/lexicon/README.md.
 */
typedef struct aloud_lexicon aloud_lexicon;

/* An empty lexicon; NULL when out of memory. */
aloud_lexicon *aloud_lexicon_create(void);
void aloud_lexicon_free(aloud_lexicon *lex);

/*
 * Adds the entries of the lexicon file at `path` (copied). A bad line gives
 * ALOUD_ERR_LEXICON with its line and column; a missing file ALOUD_ERR_READ.
 * Entries loaded later win over earlier ones for the same match.
 */
aloud_status aloud_lexicon_load(aloud_lexicon *lex, const char *path, aloud_error *err);

typedef struct aloud_lexicon_entry_info {
    const char *match;        /* the word or phrase matched */
    const char *replacement;  /* respelling or "[[phonemes]]" */
    const char *file;         /* where the entry comes from */
    unsigned line;
    size_t fired;             /* replacements made by aloud_doc_speak() */
} aloud_lexicon_entry_info;

size_t aloud_lexicon_entry_count(const aloud_lexicon *lex);
/* Fills `out` for entry `index`; its pointers are owned by the lexicon. */
void aloud_lexicon_entry(const aloud_lexicon *lex, size_t index, aloud_lexicon_entry_info *out);

/*
 * Computes every sentence's spoken form: the lexicon's entries replaced
 * first, on the text as written (lex may be NULL), then aloud's spoken-text
 * rules (URLs, e-mail addresses, hashtags, ranges, currencies, dashes,
 * initialisms) on the rest. Updates the fired counts; calling it again
 * replaces the spoken forms and adds to the counts. Fails only with
 * ALOUD_ERR_NOMEM (ALOUD_ERR_ARG for a NULL doc), leaving doc and counts
 * unchanged.
 */
aloud_status aloud_doc_speak(aloud_doc *doc, aloud_lexicon *lex, aloud_error *err);

/*
 * What aloud_doc_speak() changed in a sentence's spoken form so that
 * espeak-ng 1.51 does not crash on it (see engine_guard.h): one note per
 * sentence it touched.
 */
typedef struct aloud_guard_note {
    size_t sentence;          /* index into the doc's sentences */
    size_t words_split;       /* overlong words cut into pieces */
    size_t digit_runs_split;  /* long digit runs cut into groups */
    size_t chars_dropped;     /* characters espeak-ng cannot speak safely, left out */
    size_t digits_replaced;   /* native digits read as ASCII digits */
} aloud_guard_note;

/* The notes of the last aloud_doc_speak(), in order; owned by the doc. */
size_t aloud_doc_guard_notes(const aloud_doc *doc, const aloud_guard_note **notes);

/* ---------------------------------------------------------------- voices */

/*
 * A voice: an espeak-ng voice plus the parameters aloud applies. Presets are
 * small text files in a presets folder (see voices/README.md); any plain
 * espeak-ng voice name works too, with the default parameters.
 */
typedef struct aloud_voice {
    char name[64];               /* preset name, or the espeak-ng voice name */
    char espeak[128];            /* espeak-ng voice, e.g. "en-us" or "en-us+f3" */
    char description[160];       /* one line, may be empty */
    int rate;                    /* words per minute, 80..450 */
    int pitch;                   /* 0..99 */
    int range;                   /* pitch range 0..99 */
    int volume;                  /* 0..200 */
    int word_gap;                /* extra gap between words, in 10 ms units */
    unsigned sentence_pause_ms;  /* silence after a sentence */
    unsigned paragraph_pause_ms; /* silence after a paragraph's last sentence */
    char lexicon[256];           /* a lexicon file the preset names, "" for none */
} aloud_voice;

/* The built-in defaults (the narrator's parameters, voice "en-us"). */
void aloud_voice_defaults(aloud_voice *voice);

/*
 * Loads a voice by preset name, preset file path (contains '/' or ends in
 * ".voice") or espeak-ng voice name. Presets are looked up as
 * `presets_dir/NAME.voice` (presets_dir may be NULL). A name that is no
 * preset is taken as an espeak-ng voice with default parameters; it is not
 * checked here (see aloud_voice_check). A bad preset file gives
 * ALOUD_ERR_VOICE with the line and column of the fault.
 */
aloud_status aloud_voice_load(const char *name, const char *presets_dir, aloud_voice *out,
                              aloud_error *err);

/* Checks ranges and that espeak-ng knows the voice and its variant. */
aloud_status aloud_voice_check(const aloud_voice *voice, aloud_error *err);

/* Called once per listed voice; `kind` is "preset" or "espeak-ng". */
typedef void (*aloud_voice_list_fn)(void *ctx, const char *kind, const char *name,
                                    const char *language, const char *description);

/* Lists the presets in presets_dir (sorted), then espeak-ng's voices. */
aloud_status aloud_voice_list(const char *presets_dir, aloud_voice_list_fn fn, void *ctx,
                              aloud_error *err);

/* espeak-ng's version string, e.g. "1.51". Static; never NULL. */
const char *aloud_engine_version(void);

/* --------------------------------------------------------------- formats */

typedef struct aloud_format aloud_format;

/* By name ("wav", "flac") or by a path's extension; NULL when unknown. */
const aloud_format *aloud_format_by_name(const char *name);
const aloud_format *aloud_format_by_path(const char *path);
const char *aloud_format_name(const aloud_format *format);
const char *aloud_format_extension(const aloud_format *format); /* without the dot */
/* The i-th known format, NULL past the end. */
const aloud_format *aloud_format_at(size_t index);

/* ---------------------------------------------------------------- render */

/* Where a paragraph and its sentences lie in the output, in sample frames. */
typedef struct aloud_span {
    uint64_t start;  /* first frame */
    uint64_t end;    /* one past the last frame of speech (the pause follows) */
} aloud_span;

typedef struct aloud_progress {
    size_t sentences_done;
    size_t sentences_total;
    uint64_t frames_done;
    unsigned sample_rate;
} aloud_progress;

/* Called after each sentence; a non-zero return cancels the render. */
typedef int (*aloud_progress_fn)(void *ctx, const aloud_progress *progress);

typedef struct aloud_render_opts {
    const aloud_voice *voice;      /* borrowed; checked with aloud_voice_check */
    const aloud_format *format;    /* borrowed */
    const char *output;            /* final path; written via a temporary name */
    const char *software;          /* software tag, may be NULL */
    unsigned jobs;                 /* worker processes; 0 for one per CPU */
    unsigned bitrate;              /* bits per second for lossy formats; 0 for the default */
    int skip_bad;                  /* non-zero: a sentence that cannot be spoken becomes
                                      silence (listed in the result) instead of failing */
    const volatile sig_atomic_t *stop; /* non-zero asks the render to stop; may be NULL */
    aloud_progress_fn progress;    /* may be NULL */
    void *progress_ctx;
} aloud_render_opts;

/* A sentence the render skipped (skip_bad), and why. */
typedef struct aloud_skip {
    size_t sentence;      /* index into the doc's sentences */
    char reason[256];
} aloud_skip;

typedef struct aloud_render_result {
    unsigned sample_rate;
    uint64_t frames;              /* total length */
    size_t paragraph_count;
    aloud_span *paragraphs;       /* one per paragraph; owned, free with _result_free */
    size_t sentence_count;
    aloud_span *sentences;        /* one per sentence */
    unsigned retries;             /* units spoken again after a worker crashed or hung */
    size_t skipped_count;
    aloud_skip *skipped;          /* owned; silence stands in for these sentences */
} aloud_render_result;

/*
 * Renders `doc` to opts->output. The audio goes to a temporary file beside
 * the output, renamed over it only on success: a failed render leaves
 * nothing behind and never touches an existing file. Missing parent folders
 * are not created here. A sentence that cannot be spoken fails the render
 * with its line and column (ALOUD_ERR_ENGINE, or ALOUD_ERR_LIMIT when it
 * makes too much audio) unless opts->skip_bad; *opts->stop gives
 * ALOUD_ERR_CANCELLED.
 */
aloud_status aloud_render(const aloud_doc *doc, const aloud_render_opts *opts,
                          aloud_render_result *result, aloud_error *err);
void aloud_render_result_free(aloud_render_result *result);

/* ------------------------------------------------------------ reading back */

typedef struct aloud_chapter {
    uint64_t frame;   /* start, in sample frames */
    char *title;      /* may be empty, never NULL */
} aloud_chapter;

typedef struct aloud_media {
    char format[8];       /* "wav", "flac" */
    unsigned sample_rate;
    unsigned channels;
    uint64_t frames;
    char *title;          /* tags; NULL when absent */
    char *author;
    char *software;
    size_t chapter_count;
    aloud_chapter *chapters;
} aloud_media;

/*
 * Reads the duration, tags and chapters of a WAV/RF64 or FLAC file.
 * ALOUD_ERR_READ when it cannot be opened, ALOUD_ERR_MEDIA when it is not a
 * file of a known format. The caller frees *out with aloud_media_free().
 */
aloud_status aloud_media_read(const char *path, aloud_media **out, aloud_error *err);
void aloud_media_free(aloud_media *media);

/* -------------------------------------------------------------- sidecars */

/* Writes `s` to `f` as a JSON string (quotes, backslash and control
 * characters escaped, other UTF-8 as is), or `null` for NULL. */
void aloud_json_put_string(FILE *f, const char *s);

/*
 * Sidecars describe a render's timeline beside the audio: a cue sheet
 * ("cue"), sentence captions ("vtt" WebVTT, "srt" SubRip), synced lyrics
 * ("lrc") and a JSON manifest ("json"). All come from the same
 * aloud_render_result and doc: times are the frame positions rounded to the
 * nearest millisecond (a cue sheet's 1/75 s CD frames and LRC's hundredths
 * are rounded down from the frames, so a marker is never late). Text is
 * UTF-8, written as each format needs it escaped.
 */
typedef struct aloud_sidecar_info {
    const char *input;    /* the text's path (manifest only); may be NULL */
    const char *output;   /* the audio's path: the cue sheet names its file name; may be NULL
                             for every kind but "cue" */
    const char *format;   /* the audio format's name ("wav", "flac", "opus", "mp3"); may be NULL */
    const char *voice;    /* voice or preset name (manifest only); may be NULL */
    int rate;             /* words per minute (manifest only); 0 when unknown */
} aloud_sidecar_info;

/*
 * Writes the sidecar `kind` ("cue", "vtt", "srt", "lrc", "json") to `path`,
 * through a temporary file beside it that is renamed over it on success.
 * `doc` and `res` (borrowed) must describe the same text: as many
 * paragraphs and sentences. `info` may be NULL (all unknown).
 * ALOUD_ERR_FORMAT for an unknown kind, ALOUD_ERR_ARG for a bad argument
 * (a result that does not match the doc, a cue sheet without info->output),
 * ALOUD_ERR_WRITE when the file cannot be written.
 */
aloud_status aloud_sidecar_write(const char *kind, const char *path, const aloud_doc *doc,
                                 const aloud_render_result *res, const aloud_sidecar_info *info,
                                 aloud_error *err);

/*
 * How many paragraphs each TRACK of a cue sheet holds for a text of
 * `paragraphs` paragraphs: 1 up to 99 (a cue sheet numbers tracks 01-99),
 * more past that, so that no track number passes 99; a track's later
 * paragraphs are its INDEX 02, 03... (up to 99 x 99 paragraphs).
 */
size_t aloud_sidecar_cue_group(size_t paragraphs);

/* The file extension of a kind, without the dot ("cue"); NULL when unknown. Static. */
const char *aloud_sidecar_extension(const char *kind);

/* The name of the i-th known kind, NULL past the end. Static. */
const char *aloud_sidecar_at(size_t index);

#ifdef __cplusplus
}
#endif
#endif /* ALOUD_H */
