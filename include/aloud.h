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
 * - Pointer arguments are checked: a NULL where something is needed gives
 *   ALOUD_ERR_ARG (with a message in the aloud_error), an accessor given
 *   NULL returns NULL or 0, and a function that returns nothing does
 *   nothing. Each declaration says which pointers may be NULL.
 * - The library never prints and never exits.
 * - Strings are UTF-8 and NUL-terminated.
 *
 * What the library does to the process that calls it:
 * - The speech engine. aloud_voice_check(), aloud_voice_list() and
 *   aloud_render() start espeak-ng in the calling process on first use.
 *   Its state is process-wide and stays until the process exits (about
 *   8 MB, and one idle thread espeak-ng starts), so these calls must not
 *   run in two threads at once. While it starts, espeak-ng sets LC_CTYPE
 *   with setlocale(); the library puts it back. Speaking uses a
 *   thread-local locale (uselocale), never the process's.
 * - Processes. aloud_render() forks, and no other function does: a helper
 *   process, which forks the workers (at most opts->jobs speaking at a
 *   time, and one more waiting). The children are forked without exec, so
 *   they hold copies of every descriptor the host has open (close-on-exec
 *   does not apply) while they live. aloud_render() stops them and waits
 *   for them by pid before it returns (only workers orphaned by a crashed
 *   helper finish their unit on their own). The host gets a SIGCHLD for the
 *   helper; a handler that reaps any child (wait(), waitpid(-1, ...)) may
 *   take the helper's status, which the library copes with; best reap
 *   your own children by pid. Do not set SIGCHLD to SIG_IGN: the helper
 *   inherits it and could no longer learn how a worker ended.
 * - Signals. In the calling process the library installs no handler and
 *   changes no disposition or mask; interrupted system calls are retried.
 *   The helper ignores SIGINT, SIGTERM and SIGPIPE; workers reset them to
 *   the default. A terminal's ^C reaches the whole process group, workers
 *   included: to stop a render cleanly, have the host's handler set
 *   *opts->stop. The calling process writes to no pipe of theirs (its
 *   messages to the helper use MSG_NOSIGNAL), so a dead child raises no
 *   SIGPIPE in the host.
 * - Files. Output goes to a temporary file beside the target, created with
 *   mode 0666 under the umask (the library never calls umask()), renamed
 *   over the target on success (see aloud_outputs). While a temporary
 *   lives, the library holds it open with an flock() on it; it takes
 *   flock() on an output's folder for a moment when it creates or commits
 *   a temporary. No chdir, setenv, atexit or srand.
 */
#ifndef ALOUD_H
#define ALOUD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

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

/* A static, human-readable name of a status ("unknown status" for a value
 * outside the enum). Never NULL. */
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

/* Fills `err` (when not NULL) and returns `status`. printf-style message;
 * a NULL `fmt` gives an empty message. */
aloud_status aloud_error_set(aloud_error *err, aloud_status status, unsigned line,
                             unsigned column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* ----------------------------------------------------------------- input */

/*
 * Reads the whole text file at `path`, or standard input when `path` is
 * "-", refusing more than `limit` bytes (exactly `limit` is accepted)
 * without reading far past them: a regular file is refused by its size
 * before any read. A text holds no NUL byte: the read stops at the first
 * one it sees (so /dev/zero costs one block) with ALOUD_ERR_UTF8 at its
 * line and column, "a NUL byte: this is a binary file, not text"; but a
 * text that starts with a UTF-16 byte order mark is read whole, for
 * aloud_doc_parse() to convert. On success *data (taken over by the caller,
 * to free()) holds *size bytes followed by a NUL that *size does not
 * count; on failure they are untouched. Errors: ALOUD_ERR_ARG (a NULL
 * argument), ALOUD_ERR_READ ("cannot open: REASON", "is a directory, not a
 * text file", "cannot read: REASON", and "changed while being read: ..."
 * for a regular file that ends short of the size it had when opened and is
 * shorter now), ALOUD_ERR_UTF8 (binary), ALOUD_ERR_LIMIT ("N bytes is more
 * than the input limit of LIMIT" when the size was known, "more than the
 * input limit of LIMIT bytes" otherwise), ALOUD_ERR_NOMEM, and
 * ALOUD_ERR_CANCELLED when a signal interrupts the wait for a FIFO's writer
 * or for data while *stop (`stop` may be NULL) is non-zero; other
 * interruptions are waited through.
 */
aloud_status aloud_read_input(const char *path, size_t limit, const volatile sig_atomic_t *stop,
                              char **data, size_t *size, aloud_error *err);

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
 * document. Accepts a UTF-8 BOM and LF, CRLF or CR line ends. A text that
 * starts with a UTF-16 byte order mark (FF FE little-endian, FE FF
 * big-endian) is converted to UTF-8 first (aloud_doc_encoding() says so);
 * positions stay right, since columns count characters; an unpaired
 * surrogate or an odd last byte is ALOUD_ERR_UTF8 at its position. On failure
 * returns ALOUD_ERR_UTF8 (with the position of the first bad byte),
 * ALOUD_ERR_EMPTY (no words) or ALOUD_ERR_NOMEM, and sets *out to NULL.
 * The caller owns *out and frees it with aloud_doc_free(). `data` may be
 * NULL only when `size` is 0 (an empty text: ALOUD_ERR_EMPTY); a NULL `out`
 * gives ALOUD_ERR_ARG.
 */
aloud_status aloud_doc_parse(const char *data, size_t size, aloud_doc **out, aloud_error *err);
void aloud_doc_free(aloud_doc *doc);

/* Paragraphs and sentences in document order; pointers owned by the doc.
 * A NULL doc has none (0, NULL), as has an index past the end. */
size_t aloud_doc_paragraph_count(const aloud_doc *doc);
const aloud_paragraph *aloud_doc_paragraph(const aloud_doc *doc, size_t index);
size_t aloud_doc_sentence_count(const aloud_doc *doc);
const aloud_sentence *aloud_doc_sentence(const aloud_doc *doc, size_t index);

/* The encoding the text was in, static: "UTF-8", or "UTF-16LE" or
 * "UTF-16BE" when it was converted. NULL for a NULL doc. */
const char *aloud_doc_encoding(const aloud_doc *doc);

/* The title and the author's name, or NULL when the text (or doc) has none. */
const char *aloud_doc_title(const aloud_doc *doc);
const char *aloud_doc_author(const aloud_doc *doc);

/* ------------------------------------------------ spoken text and lexicon */

/*
 * A lexicon: whole-word or phrase entries that replace what espeak-ng is
 * handed, by respelling or by espeak-ng phonemes ("[[...]]"). The file
 * format is documented in voices/lexicon/README.md.
 */
typedef struct aloud_lexicon aloud_lexicon;

/* An empty lexicon; NULL when out of memory. Free with aloud_lexicon_free(). */
aloud_lexicon *aloud_lexicon_create(void);
void aloud_lexicon_free(aloud_lexicon *lex);

/*
 * Adds the entries of the lexicon file at `path` (copied). A bad line gives
 * ALOUD_ERR_LEXICON with its line and column; a missing file ALOUD_ERR_READ.
 * Entries loaded later win over earlier ones for the same match. A NULL
 * lex or path gives ALOUD_ERR_ARG.
 */
aloud_status aloud_lexicon_load(aloud_lexicon *lex, const char *path, aloud_error *err);

typedef struct aloud_lexicon_entry_info {
    const char *match;        /* the word or phrase matched */
    const char *replacement;  /* respelling or "[[phonemes]]" */
    const char *file;         /* where the entry comes from */
    unsigned line;
    size_t fired;             /* replacements made by aloud_doc_speak() */
} aloud_lexicon_entry_info;

/* The number of entries; 0 for a NULL lex. */
size_t aloud_lexicon_entry_count(const aloud_lexicon *lex);
/* Fills `out` for entry `index`; its pointers are owned by the lexicon.
 * A NULL lex or an index past the end zeroes *out; a NULL out does nothing. */
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

/* The notes of the last aloud_doc_speak(), in order; owned by the doc.
 * Returns their number and points *notes (when notes is not NULL) at them;
 * 0 and NULL for a NULL doc. */
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

/* The built-in defaults (the narrator's parameters, voice "en-us"); they
 * need no presets folder. A NULL voice does nothing. */
void aloud_voice_defaults(aloud_voice *voice);

/*
 * Loads a voice by preset name, preset file path (contains '/' or ends in
 * ".voice") or espeak-ng voice name. Presets are looked up as
 * `presets_dir/NAME.voice` (presets_dir may be NULL). A name that is no
 * preset is taken as an espeak-ng voice with default parameters; it is not
 * checked here (see aloud_voice_check). A bad preset file gives
 * ALOUD_ERR_VOICE with the line and column of the fault (the file is
 * aloud_voice_preset_path()); a file not named NAME.voice whose first
 * fault comes before any key ("--voice /etc/passwd") is "not a voice preset
 * file", and no message quotes more of a file than a word that could be a
 * key. A NULL name or out gives ALOUD_ERR_ARG.
 */
aloud_status aloud_voice_load(const char *name, const char *presets_dir, aloud_voice *out,
                              aloud_error *err);

/*
 * The preset file aloud_voice_load() reads for `name`: `name` itself when
 * it is a path (contains '/' or ends in ".voice"), else
 * presets_dir/NAME.voice, whether it exists or not. Written into buf
 * (`size` bytes); returns buf, or NULL when `name` can name no preset file
 * (a bare name without a presets_dir), does not fit, or is NULL or empty,
 * or buf is NULL. For naming the file in a preset's errors, which carry
 * the line and column but not the file.
 */
const char *aloud_voice_preset_path(const char *name, const char *presets_dir, char *buf,
                                    size_t size);

/* Checks ranges and that espeak-ng knows the voice and its variant
 * (ALOUD_ERR_VOICE), starting espeak-ng in this process (see the top).
 * A NULL voice gives ALOUD_ERR_ARG. */
aloud_status aloud_voice_check(const aloud_voice *voice, aloud_error *err);

/* Called once per listed voice; `kind` is "preset" or "espeak-ng". */
typedef void (*aloud_voice_list_fn)(void *ctx, const char *kind, const char *name,
                                    const char *language, const char *description);

/* Lists the presets in presets_dir (sorted; NULL for none), then
 * espeak-ng's voices, starting espeak-ng in this process (see the top).
 * `ctx` is handed to fn as is; a NULL fn gives ALOUD_ERR_ARG. */
aloud_status aloud_voice_list(const char *presets_dir, aloud_voice_list_fn fn, void *ctx,
                              aloud_error *err);

/* espeak-ng's version string, e.g. "1.51". Static; never NULL. */
const char *aloud_engine_version(void);

/* --------------------------------------------------------------- formats */

typedef struct aloud_format aloud_format;

/* By name ("wav", "flac") or by a path's extension; NULL when unknown or
 * NULL. The name and extension of a NULL format are NULL. Static. */
const aloud_format *aloud_format_by_name(const char *name);
const aloud_format *aloud_format_by_path(const char *path);
const char *aloud_format_name(const aloud_format *format);
const char *aloud_format_extension(const aloud_format *format); /* without the dot */
/* The i-th known format, NULL past the end. */
const aloud_format *aloud_format_at(size_t index);

/*
 * The most chapters a file of `format` holds: its own or its common
 * readers' hard limit (MP3: 255 in one top-level table of contents, which
 * BookPlayer counts in 8 bits; M4B/M4A: 255 in the Nero chpl box; FLAC and
 * Opus: 999, the three digits of CHAPTERnnn comments). A render of more
 * paragraphs groups them (aloud_render_opts.max_chapters). 0 for NULL.
 */
size_t aloud_format_chapter_cap(const aloud_format *format);

/*
 * The bitrates `format` takes, in bits per second: the lowest, the highest
 * and the one used when aloud_render_opts.bitrate is 0; each pointer may be
 * NULL. Returns non-zero for a lossy format (Opus, MP3); 0, with all three
 * set to 0, for a lossless one (WAV, FLAC), which takes no bitrate, and for
 * NULL.
 */
int aloud_format_bitrate_range(const aloud_format *format, unsigned *min_bps, unsigned *max_bps,
                               unsigned *default_bps);

/* The sample rate espeak-ng speaks at with every voice aloud supports (its
 * MBROLA voices, at 16000 Hz, are not): what a render writes, in practice. */
#define ALOUD_SAMPLE_RATE_COMMON 22050u

/*
 * Whether a file of `format` at `sample_rate` Hz can be written at `bps`
 * bits per second. The range above is not enough: MP3 takes only the steps
 * of its MPEG version (at 22050 Hz, MPEG-2: 8, 16, 24, ..., 144 or 160 kb/s;
 * at 32000 Hz and more, MPEG-1: 32 to 320), Opus any whole kb/s in range.
 * ALOUD_OK, or ALOUD_ERR_ARG with a message saying which values work
 * ("MP3 at 22050 Hz takes 8, 16, ... or 160 kb/s"); also for a lossless
 * format, a NULL format or a sample_rate of 0. aloud_render() checks the
 * same when it opens the writer, at the voice's real rate.
 */
aloud_status aloud_format_bitrate_check(const aloud_format *format, unsigned sample_rate,
                                        unsigned bps, aloud_error *err);

/*
 * Checks that `path` is a cover image a render can embed: a JPEG or PNG
 * (told by its first bytes, not its name) whose header gives its width and
 * height, of at most 8 MiB. ALOUD_ERR_READ when it cannot be read,
 * ALOUD_ERR_MEDIA when it is no such image, ALOUD_ERR_LIMIT when too large;
 * the message names the path. ALOUD_ERR_ARG for a NULL path.
 */
aloud_status aloud_cover_check(const char *path, aloud_error *err);

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

/* ---------------------------------------------------------------- outputs */

/*
 * A set of outputs committed together: the audio of a render and its
 * sidecars, say. Each destination is registered (and checked) before
 * anything is written; aloud_render() and aloud_sidecar_write() given the
 * set write to temporaries beside their destinations, and nothing replaces
 * a destination until aloud_outputs_commit() renames them all. A set that
 * is freed without a commit removes its temporaries and leaves every
 * destination as it was.
 *
 * The destinations a set accepts: a regular file or a name not yet taken
 * (its folder may not exist yet); a symbolic link to a regular file, whose
 * target is replaced (the link stays); and the null device (/dev/null, or
 * any character device with its numbers), to which a render is discarded:
 * it is written to a temporary in $TMPDIR (else /tmp) and removed at the
 * commit, so `-o /dev/null` times a render and keeps nothing. A folder, any
 * other device, a FIFO or a socket is refused, as is a destination that is
 * the same file (same inode, or the same resolved path for a name not yet
 * taken) as a registered input or another destination of the set; the
 * null device may be given any number of times.
 *
 * A set is used by one thread at a time.
 */
typedef struct aloud_outputs aloud_outputs;

/* An empty set; NULL when out of memory. Free it with aloud_outputs_free(). */
aloud_outputs *aloud_outputs_create(void);

/* Removes every temporary not committed, then frees the set. NULL does
 * nothing. */
void aloud_outputs_free(aloud_outputs *set);

/*
 * Registers an input (`path` copied; "-", standard input, is no file and
 * is ignored) that no destination may be. A path that does not exist is
 * ignored too. ALOUD_ERR_ARG, the message naming the path ("the output
 * PATH is the input itself"), when a registered destination is that file;
 * ALOUD_ERR_ARG for a NULL set or path; ALOUD_ERR_NOMEM.
 */
aloud_status aloud_outputs_add_input(aloud_outputs *set, const char *path, aloud_error *err);

/*
 * Registers the destination `path` (copied) after the checks above.
 * ALOUD_ERR_ARG with a message naming the path and the reason ("PATH is a
 * FIFO, not a regular file", "... is a folder ...", "the output PATH is the
 * input itself", "PATH is already an output of this run"); ALOUD_ERR_ARG
 * for a NULL set or path; ALOUD_ERR_NOMEM. Nothing is created.
 */
aloud_status aloud_outputs_add(aloud_outputs *set, const char *path, aloud_error *err);

/* Non-zero when `path` is a destination of `set` whose output is discarded
 * (the null device); 0 otherwise and for a NULL set or path. */
int aloud_outputs_discards(const aloud_outputs *set, const char *path);

/*
 * Renames every temporary written to the set over its destination, all
 * together: under an exclusive flock() on each folder concerned (taken in
 * one order), so that runs committing the same destinations never mix
 * their files (the last to commit wins whole). Before renaming it removes
 * the temporaries of these destinations that a killed run left (this
 * user's, held by no process), and checks each destination again. When a
 * rename fails, those done are undone (the previous files come back from
 * hard links made for the purpose, where the filesystem has them) and
 * ALOUD_ERR_WRITE says which; every temporary is removed either way. A
 * destination registered but not written is left alone. Returns ALOUD_OK,
 * ALOUD_ERR_WRITE, or ALOUD_ERR_ARG for a NULL set. The set stays
 * registered and empty of temporaries; free it after.
 */
aloud_status aloud_outputs_commit(aloud_outputs *set, aloud_error *err);

typedef struct aloud_render_opts {
    const aloud_voice *voice;      /* borrowed; checked with aloud_voice_check */
    const aloud_format *format;    /* borrowed */
    const char *output;            /* final path; written via a temporary name */
    const char *software;          /* software tag, may be NULL */
    unsigned jobs;                 /* worker processes; 0 for one per CPU */
    unsigned bitrate;              /* bits per second for lossy formats, one that
                                      aloud_format_bitrate_check() takes; 0 for the default */
    int skip_bad;                  /* non-zero: a sentence that cannot be spoken becomes
                                      silence (listed in the result) instead of failing */
    const volatile sig_atomic_t *stop; /* non-zero asks the render to stop; may be NULL */
    aloud_progress_fn progress;    /* may be NULL */
    void *progress_ctx;
    aloud_outputs *outputs;        /* borrowed; NULL to commit the output at once */
    size_t max_chapters;           /* at most this many chapters (0: the format's cap,
                                      aloud_format_chapter_cap(); a larger value is lowered
                                      to it). Past it consecutive paragraphs are grouped: a
                                      heading starts a chapter, otherwise chapters of about
                                      equal (estimated) duration, each titled by its first
                                      paragraph. Sidecars still hold every paragraph. */
    const char *cover;             /* a JPEG or PNG to embed as the front cover (FLAC
                                      PICTURE, ID3 APIC, Opus METADATA_BLOCK_PICTURE, MP4
                                      covr; WAV has none); NULL for none. Checked as
                                      aloud_cover_check() does before anything is spoken. */
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
    size_t chapter_count;         /* chapters the file holds: one per paragraph, or groups of
                                     them (aloud_render_opts.max_chapters) */
    size_t *chapter_paragraphs;   /* the first paragraph of each chapter, chapter_count
                                     entries, ascending from 0; owned */
    size_t sentence_count;
    aloud_span *sentences;        /* one per sentence */
    unsigned retries;             /* units spoken again after a worker crashed or hung */
    size_t skipped_count;
    aloud_skip *skipped;          /* owned; silence stands in for these sentences */
} aloud_render_result;

/*
 * Renders `doc` to opts->output. The audio goes to a temporary file beside
 * the output, renamed over it only on success: a failed render leaves
 * nothing behind and never touches an existing file. With opts->outputs,
 * the temporary joins that set (the output is registered first if it is
 * not yet) and waits for aloud_outputs_commit(); without, it is committed
 * at once. Either way the output is checked as aloud_outputs_add() does
 * before anything is spoken (ALOUD_ERR_ARG). Missing parent folders are not
 * created here. A sentence that cannot be spoken fails the render
 * with its line and column (ALOUD_ERR_ENGINE, or ALOUD_ERR_LIMIT when it
 * makes too much audio) unless opts->skip_bad; *opts->stop gives
 * ALOUD_ERR_CANCELLED. Forks worker processes and starts espeak-ng in this
 * process (see the top). `doc` and `opts` are borrowed; *result is zeroed
 * first, filled on success (free it with aloud_render_result_free()) and
 * left zeroed on failure. A NULL doc, opts, opts->voice, opts->format,
 * opts->output or result gives ALOUD_ERR_ARG.
 */
aloud_status aloud_render(const aloud_doc *doc, const aloud_render_opts *opts,
                          aloud_render_result *result, aloud_error *err);
/* Frees what *result owns and zeroes it (the struct itself is the caller's).
 * NULL does nothing. */
void aloud_render_result_free(aloud_render_result *result);

/*
 * Removes the temporary files that a render or sidecar write of `path` left
 * beside it because its process was killed (SIGKILL, a crash) before it
 * could remove them: those with the temporary names of `path`, owned by
 * this user, changed at `since` or later and held by no running process
 * (a live writer holds an flock() on its temporary). For a supervisor
 * that started the writing process at `since`. The next
 * aloud_outputs_commit() of `path` removes such files whatever their age.
 * Returns how many it removed.
 */
size_t aloud_output_sweep(const char *path, time_t since);

/* ------------------------------------------------------------ reading back */

typedef struct aloud_chapter {
    uint64_t frame;   /* start, in sample frames */
    char *title;      /* may be empty, never NULL */
} aloud_chapter;

typedef struct aloud_media {
    char format[8];       /* the format's name: "wav", "flac", "opus", "mp3", "m4b", "m4a" */
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
 * Reads the duration, tags and chapters of a file of any known format
 * (WAV/RF64, FLAC, Ogg Opus, MP3, M4B/M4A: the Nero chpl chapters), told by
 * its first bytes, not its name.
 * ALOUD_ERR_READ when it cannot be opened, ALOUD_ERR_MEDIA when it is not a
 * file of a known format or is cut short or malformed. The caller frees
 * *out with aloud_media_free(). A NULL path or out gives ALOUD_ERR_ARG (*out
 * is set to NULL whenever out is not NULL).
 */
aloud_status aloud_media_read(const char *path, aloud_media **out, aloud_error *err);
void aloud_media_free(aloud_media *media);

/* -------------------------------------------------------------- sidecars */

/* Writes `s` to `f` as a JSON string (quotes, backslash and control
 * characters escaped, other UTF-8 as is), or `null` for NULL. The result is
 * always valid JSON text, which is UTF-8 (RFC 8259): each byte of `s` that
 * does not start a valid UTF-8 character (a file name in Latin-1, say)
 * becomes U+FFFD, written `\ufffd`. A NULL `f` writes nothing. Write errors
 * show in ferror(f). */
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
 * through a temporary file beside it that is renamed over it on success,
 * or, when `set` is not NULL, joins that set (registering `path` if it is
 * not yet) and waits for aloud_outputs_commit(). `path` is checked as
 * aloud_outputs_add() does (ALOUD_ERR_ARG).
 * `doc` and `res` (borrowed) must describe the same text: as many
 * paragraphs and sentences. `info` may be NULL (all unknown).
 * ALOUD_ERR_FORMAT for an unknown kind; ALOUD_ERR_ARG for a NULL kind,
 * path, doc or res, or another bad argument (a result that does not match
 * the doc, a cue sheet without info->output); ALOUD_ERR_WRITE when the file
 * cannot be written.
 */
aloud_status aloud_sidecar_write(const char *kind, const char *path, const aloud_doc *doc,
                                 const aloud_render_result *res, const aloud_sidecar_info *info,
                                 aloud_outputs *set, aloud_error *err);

/*
 * How many paragraphs each TRACK of a cue sheet holds for a text of
 * `paragraphs` paragraphs: 1 up to 99 (a cue sheet numbers tracks 01-99),
 * more past that, so that no track number passes 99; a track's later
 * paragraphs are its INDEX 02, 03... (up to 99 x 99 paragraphs).
 */
size_t aloud_sidecar_cue_group(size_t paragraphs);

/* The file extension of a kind, without the dot ("cue"); NULL when unknown
 * or NULL. Static. */
const char *aloud_sidecar_extension(const char *kind);

/* The name of the i-th known kind, NULL past the end. Static. */
const char *aloud_sidecar_at(size_t index);

#ifdef __cplusplus
}
#endif
#endif /* ALOUD_H */
