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
 *   process per voice, which forks the workers (at most opts->jobs speaking
 *   at a time, and one more waiting). The children are forked without exec,
 *   so they hold copies of every descriptor the host has open (close-on-exec
 *   does not apply) while they live. aloud_render() stops them and waits
 *   for them by pid before it returns (only workers orphaned by a crashed
 *   helper finish their unit on their own); with an aloud_engine, the
 *   helpers and the workers speaking ahead live until aloud_engine_free(),
 *   which stops them and waits for them the same way. The host gets a SIGCHLD for the
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

/*
 * aloud_read_input() for a file that is not text (an EPUB, a zip): the
 * same limits and messages, but NUL bytes are data and do not stop the read.
 */
aloud_status aloud_read_bytes(const char *path, size_t limit, const volatile sig_atomic_t *stop,
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
    const char *lang;           /* BCP-47 code of its language, owned by the doc: the
                                   document's, or its own when aloud_doc_set_lang() found it
                                   in another */
    int starts_chapter;         /* non-zero when an audio chapter starts here: every
                                   paragraph of a text, Markdown or HTML input; the first
                                   paragraph of each table-of-contents entry of an EPUB
                                   (chapter_title is then the entry's label) */
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

/* How a text is read into a document. Zero it before setting what you need. */
typedef struct aloud_doc_opts {
    const char *lang;  /* the text's language, a BCP-47 code ("de", "pt-BR", "zh"), borrowed;
                          NULL for English. It picks the sentence segmenter's language data
                          (abbreviations, ordinal dates, quotes, dialogue dashes); a language
                          without data of its own gets the shared rules alone, no error. */
    const char *const *paragraph_langs; /* borrowed, may be NULL: paragraph p (in the
                          document's order) is in paragraph_langs[p] when p <
                          paragraph_lang_count and that is not NULL, and is cut into
                          sentences with that language's data (a quotation in another
                          language, as aloud_doc_set_lang() found on a first reading) */
    size_t paragraph_lang_count;
} aloud_doc_opts;

/*
 * aloud_doc_parse() with options; a NULL opts is the same as zeroed ones.
 * The document and its paragraphs keep a copy of opts->lang (aloud_doc_lang()),
 * or of their own paragraph_langs entry; a code of 16 bytes or more (or an
 * empty paragraph_langs entry) is ALOUD_ERR_ARG.
 */
aloud_status aloud_doc_parse_opts(const char *data, size_t size, const aloud_doc_opts *opts,
                                  aloud_doc **out, aloud_error *err);
void aloud_doc_free(aloud_doc *doc);

/* The document's language: the one it was read with ("en" when none was
 * given), or the one aloud_doc_set_lang() set since; owned by the doc. NULL
 * for a NULL doc. */
const char *aloud_doc_lang(const aloud_doc *doc);

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

/* ------------------------------------------------------------- languages */

/* A detected language. */
typedef struct aloud_lang_guess {
    char lang[16];  /* BCP-47 code ("de", "pt", "zh", "zh-Hant"); "" when none was found */
    int percent;    /* share of the text's letters in that language, 0..100 */
    int reliable;   /* non-zero when the detector is sure of it */
} aloud_lang_guess;

/*
 * Detects the language of text[0..size) (UTF-8) with CLD2. It reads a
 * bounded sample (16 KB in four slices over the text), so its cost does
 * not grow with the text. When CLD2 finds no language it gives its best
 * effort. Where CLD2 is not sure, on 100 characters or more, libexttextcat
 * has a second say: the guess is sure when its first language is the same.
 * A NULL `out` does nothing; a NULL or empty text gives lang "".
 */
void aloud_lang_detect(const char *text, size_t size, aloud_lang_guess *out);

/*
 * The same for a parsed document: its paragraphs' text, title and byline
 * aside (when there is more). `usable` (may be NULL) says whether a
 * language has a voice: one without is no answer, and CLD2's next sure
 * language with a voice, or one it finds hard to tell from the first
 * (Spanish for Galician), is taken instead when there is one; else the
 * guess is the language without a voice. libexttextcat's second say is as
 * in aloud_lang_detect(), on a language with a voice.
 */
void aloud_doc_detect_lang(const aloud_doc *doc, int (*usable)(void *ctx, const char *lang),
                           void *ctx, aloud_lang_guess *out);

/*
 * Sets the document's language (`lang`, a BCP-47 code, copied) and every
 * paragraph's. With `per_paragraph` non-zero, a paragraph of at least
 * ALOUD_LANG_PARAGRAPH_MIN characters that the detector is sure is in
 * another language (a quotation, the other half of a bilingual article)
 * gets that language; shorter paragraphs keep the document's. `usable`
 * (may be NULL) says whether a language has a voice: a paragraph keeps the
 * document's language when it returns 0. The sentences stay as they were
 * cut: to cut such paragraphs by their own language's rules, read the text
 * again with their languages in aloud_doc_opts.paragraph_langs (as the
 * command line does). ALOUD_ERR_ARG for a NULL doc or an empty or too long
 * lang; ALOUD_ERR_NOMEM.
 */
#define ALOUD_LANG_PARAGRAPH_MIN 150
aloud_status aloud_doc_set_lang(aloud_doc *doc, const char *lang, int per_paragraph,
                                int (*usable)(void *ctx, const char *lang), void *ctx,
                                aloud_error *err);

/* What espeak-ng 1.51 itself cannot read well in `lang` ("espeak-ng 1.51
 * reads ... Japanese kanji as ..."), static; NULL when nothing is known. */
const char *aloud_lang_limit(const char *lang);
/* The language the input declares (Markdown front matter `lang:`, HTML's
 * <html lang>, an EPUB's dc:language), as written (a BCP 47 tag such as
 * "en-GB"), or NULL when it declares none (plain text never does). Owned
 * by the doc. A caller that does not know the language reads the input
 * again with this one (aloud_doc_opts.lang). */
const char *aloud_doc_declared_lang(const aloud_doc *doc);

/* What the input's front end left out, one line for -v ("2 code blocks, 1
 * HTML block"), or NULL for nothing. Owned by the doc. */
const char *aloud_doc_input_note(const aloud_doc *doc);

/* ---------------------------------------------------------------- inputs */

/* What an input is written in. */
typedef enum aloud_input_kind {
    ALOUD_INPUT_TEXT = 0,   /* plain text (aloud_doc_parse) */
    ALOUD_INPUT_MARKDOWN,   /* CommonMark with GitHub's tables and strikethrough, and
                               YAML front matter (title, author, lang) */
    ALOUD_INPUT_HTML,       /* a web page: its main text is found and read */
    ALOUD_INPUT_EPUB        /* an EPUB 2 or 3 book: the spine in order, chapters from its TOC */
} aloud_input_kind;

/* The kind named `name` ("text", "markdown" or "md", "html", "epub"), into
 * *kind; ALOUD_ERR_ARG (with the names in the message) when unknown. */
aloud_status aloud_input_kind_by_name(const char *name, aloud_input_kind *kind,
                                      aloud_error *err);
/* The kind a path's extension says (.md .markdown, .html .htm .xhtml,
 * .epub, any case); ALOUD_INPUT_TEXT for anything else and for NULL. */
aloud_input_kind aloud_input_kind_by_path(const char *path);
/* "text", "markdown", "html", "epub"; static. */
const char *aloud_input_kind_name(aloud_input_kind kind);
/* Whether inputs of `kind` are bytes rather than text: read them with
 * aloud_read_bytes(), not aloud_read_input(). */
int aloud_input_kind_is_binary(aloud_input_kind kind);

/*
 * aloud_doc_parse_opts() for an input of `kind` (opts may be NULL);
 * data[0..size) is borrowed.
 * Markdown and HTML are text (UTF-8, or for HTML the charset the page
 * declares, converted); an EPUB is the bytes of the zip file. Sentences
 * and paragraphs carry their line and column in the input (for an EPUB,
 * in its content document). Errors: ALOUD_ERR_UTF8 with the position
 * (Markdown, HTML declared UTF-8), ALOUD_ERR_MEDIA for an input that is
 * not what `kind` says or breaks a limit that bounds memory and time (an
 * EPUB that is no zip, has no spine, misses a spine item, is
 * DRM-protected, or would unpack to more than 256 MB), ALOUD_ERR_EMPTY,
 * ALOUD_ERR_NOMEM, ALOUD_ERR_ARG. The message says what is wrong.
 */
aloud_status aloud_doc_parse_as(aloud_input_kind kind, const char *data, size_t size,
                                const aloud_doc_opts *opts, aloud_doc **out, aloud_error *err);

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
 * first, on the text as written (lex may be NULL; it applies to the
 * paragraphs in the document's language, see aloud_speak_opts), then aloud's spoken-text
 * rules (times, dates, numbers, amounts, units, abbreviations, URLs,
 * acronyms, marks that are not speech; see the README) on the rest. Emoji
 * are left out (aloud_doc_speak_with() can keep them). Updates the fired counts; calling it again
 * replaces the spoken forms and adds to the counts. Fails only with
 * ALOUD_ERR_NOMEM (ALOUD_ERR_ARG for a NULL doc), leaving doc and counts
 * unchanged.
 */
aloud_status aloud_doc_speak(aloud_doc *doc, aloud_lexicon *lex, aloud_error *err);

/* How the spoken-text rules run; zero-initialise it for the defaults. */
typedef struct aloud_speak_opts {
    int read_emoji;  /* non-zero: emoji stay and espeak-ng reads their names
                        (by default they are left out of the spoken text) */
    /* A lexicon belongs to a language: `lex` applies to the paragraphs in the
     * document's language (aloud_doc_lang()); a paragraph in another one
     * gets lexicon_for(lexicon_ctx, its lang) instead (NULL: none), or none
     * when lexicon_for is NULL. The lexicons it returns stay the caller's. */
    aloud_lexicon *(*lexicon_for)(void *ctx, const char *lang);
    void *lexicon_ctx;
} aloud_speak_opts;

/* The kinds of rewrite the spoken-text rules count (aloud_speak_rule_name). */
#define ALOUD_SPEAK_RULES 25

/* How many rewrites each kind of rule made: count[k] for the kind named
 * aloud_speak_rule_name(k, count[k]). */
typedef struct aloud_speak_stats {
    size_t count[ALOUD_SPEAK_RULES];
} aloud_speak_stats;

/* The noun for `count` rewrites of kind k ("1 time", "12 dates", "3
 * units"), static; NULL for k >= ALOUD_SPEAK_RULES. */
const char *aloud_speak_rule_name(unsigned k, size_t count);

/*
 * aloud_doc_speak() with options (NULL for the defaults) and counts: when
 * stats is not NULL, the rewrites of every sentence are added to it (it is
 * not zeroed first). Same errors; on failure stats is unchanged.
 */
aloud_status aloud_doc_speak_with(aloud_doc *doc, aloud_lexicon *lex, const aloud_speak_opts *opts,
                                  aloud_speak_stats *stats, aloud_error *err);

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
 * The espeak-ng voice for the language `lang` (BCP-47: "de", "pt-BR",
 * "zh", "en-GB"), written into espeak[0..size): the voice that lists the
 * whole code, else one that lists its primary language, preferring the
 * voice espeak-ng ranks first ("zh" gives "cmn", "pt-BR" "pt-br", "fr"
 * "fr-fr"). Starts espeak-ng in this process. ALOUD_ERR_VOICE when
 * espeak-ng has no voice for it; ALOUD_ERR_ARG for NULL arguments.
 */
aloud_status aloud_voice_for_lang(const char *lang, char *espeak, size_t size, aloud_error *err);

/*
 * The language of `voice` (its espeak-ng voice's first language, as a
 * BCP-47 code: "en-us+Annie" gives "en-US", "cmn" gives "zh"), written into
 * lang[0..size). Starts espeak-ng. ALOUD_ERR_VOICE when espeak-ng does not
 * know the voice; ALOUD_ERR_ARG for NULL arguments.
 */
aloud_status aloud_voice_lang(const aloud_voice *voice, char *lang, size_t size,
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

/*
 * An engine: espeak-ng started once and the processes that speak, for
 * renders one after another (a batch). Without one, aloud_render() starts
 * its own and stops it before it returns. With one, each voice's helper
 * process is started at its first render and stays until
 * aloud_engine_free(), so later renders skip espeak-ng's start; and a
 * render told which document comes next (aloud_render_opts.next) starts
 * speaking it while its own last sentences finish, so no core waits between
 * renders. The audio of every render is the same as without an engine.
 * An engine is used by one thread at a time; it forks as aloud_render()
 * does (see the top), and its processes live until it is freed.
 */
typedef struct aloud_engine aloud_engine;

/* An engine of `jobs` worker processes (0: one per CPU); nothing starts
 * before the first render. ALOUD_ERR_ARG for a NULL out; ALOUD_ERR_NOMEM. */
aloud_status aloud_engine_create(unsigned jobs, aloud_engine **out, aloud_error *err);
/* Stops the engine's processes and frees it. NULL does nothing. */
void aloud_engine_free(aloud_engine *engine);

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
    aloud_engine *engine;          /* borrowed; NULL for one of the render's own. With an
                                      engine, its number of workers counts, not `jobs` */
    const aloud_doc *next;         /* with an engine: the document the next render with it
                                      will speak (borrowed, must live until then), to start
                                      early; NULL for none. Only a hint: a next render of
                                      another document wastes that work, nothing more */
    const aloud_voice *next_voice; /* the voice of that render; NULL for `voice` */
    int loudness_off;              /* non-zero: espeak-ng's own level, untouched */
    double loudness;               /* integrated loudness to bring the audio to, in LUFS
                                      (EBU R128), from -70 to -5; 0 for
                                      ALOUD_LOUDNESS_DEFAULT */
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

/*
 * Loudness. Unless opts->loudness_off, aloud_render() measures the integrated
 * loudness of the whole audio (ITU-R BS.1770 through libebur128) while it is
 * made, then applies the one gain that brings it to opts->loudness, with a
 * look-ahead limiter keeping true peaks at or below
 * ALOUD_TRUE_PEAK_CEILING dBTP (never clipping). Formats with gain tags get
 * them (R128_TRACK_GAIN in Opus, REPLAYGAIN_TRACK_GAIN and _PEAK in FLAC and
 * MP3). The audio waits in an unlinked temporary file beside the output
 * meanwhile, never in memory.
 */
#define ALOUD_LOUDNESS_DEFAULT (-19.0)
#define ALOUD_LOUDNESS_MIN (-70.0)
#define ALOUD_LOUDNESS_MAX (-5.0)
#define ALOUD_TRUE_PEAK_CEILING (-1.5)

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
    double loudness_measured;     /* LUFS as spoken, before the gain; -HUGE_VAL for
                                     silence or when loudness was off */
    double gain_db;               /* the gain applied (0 when off) */
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

/* ------------------------------------------------------------------ feed */

/*
 * A podcast feed over a folder of renders: DIR/feed.xml, RSS 2.0 with the
 * itunes and Podcasting 2.0 ("podcast") namespaces, rebuilt from what the
 * folder holds. Each audio file (.flac, .opus, .ogg, .mp3, .wav, .m4b,
 * .m4a; not hidden) is one item. With its JSON manifest beside it (same
 * name, .json, whose "output" names that file) the item has the title,
 * author, first paragraph as description and chapters of the manifest: a
 * Podcasting 2.0 chapters file, NAME.chapters.json, is written beside the
 * audio from the manifest's timeline, and NAME.vtt and NAME.srt, when
 * there, are its transcripts. Without a manifest the item has what the
 * file's tags say (aloud_media_read), and a warning names it. NAME.cover.jpg
 * or NAME.cover.png is the item's image (aloud_feed_add_cover), else the
 * feed's. The item's GUID comes from the input's name and the title, so a
 * new render of the same article replaces its item; of two files with one
 * GUID (a re-render into another format) the newer is listed, the other
 * named in a warning. An item's date is its audio file's modification time.
 *
 * The feed's own settings (title, author, description, language, base URL,
 * image) are kept in DIR/feed.conf, so that an update keeps what an
 * earlier one was told; so is the podcast:guid, made once from the first
 * base URL (UUIDv5 of the feed's address, Podcasting 2.0) and kept when
 * the address changes. Without a base URL every link is relative to
 * feed.xml, which podcast apps resolve against the feed's address.
 *
 * Every file is replaced whole (a temporary beside it, renamed): a reader
 * never sees half a feed. Updates of one folder take turns under an
 * flock() on DIR/.feed.lock, and each rebuilds from the folder as it is
 * then, so two renders that each update the feed after committing their
 * files never lose an item.
 */
typedef struct aloud_feed_opts {
    /* Settings: NULL keeps what DIR/feed.conf holds (an empty string clears it). */
    const char *title;        /* default: the folder's name */
    const char *author;
    const char *description;  /* default: the title */
    const char *language;     /* e.g. "en" or "en-us" */
    const char *base_url;     /* http:// or https://, where DIR is served */
    const char *image;        /* a JPEG or PNG file, copied to DIR/cover.jpg or .png */
    /* Called once per warning; the message starts with the name of a file
     * in DIR ("a.flac has no manifest ..."). May be NULL. */
    void (*warn)(void *ctx, const char *message);
    void *warn_ctx;
} aloud_feed_opts;

typedef struct aloud_feed_result {
    size_t items;             /* items in the feed */
    size_t without_manifest;  /* of which listed without chapters and transcript */
    size_t left_out;          /* files left out (an older render of an item, unreadable) */
} aloud_feed_result;

/*
 * Writes or rebuilds DIR/feed.xml as described above. `dir` must be a
 * folder. `opts` may be NULL (keep every setting); `res` may be NULL.
 * Errors: ALOUD_ERR_ARG (a NULL dir; a base URL that is not http(s), a
 * setting with a line break or invalid UTF-8, an image that is not JPEG
 * or PNG), ALOUD_ERR_READ (DIR or the image cannot be read),
 * ALOUD_ERR_MEDIA (DIR/feed.conf is malformed: the line and column are
 * there), ALOUD_ERR_WRITE,
 * ALOUD_ERR_NOMEM. A manifest that cannot be read is a warning, not an
 * error: its audio is listed as one without a manifest.
 */
aloud_status aloud_feed_update(const char *dir, const aloud_feed_opts *opts,
                               aloud_feed_result *res, aloud_error *err);

/*
 * Checks `opts` as aloud_feed_update() does before it writes anything:
 * each setting one line of valid UTF-8, the base URL http:// or https://,
 * opts->image (when set and not empty) a JPEG or PNG file. For a caller
 * that renders first and updates the feed after, so that a bad option
 * stops the run before the render. ALOUD_ERR_ARG (also for a NULL opts),
 * ALOUD_ERR_READ (the image cannot be read), ALOUD_ERR_MEDIA or
 * ALOUD_ERR_LIMIT (not an image aloud_cover_check() takes), ALOUD_ERR_NOMEM.
 */
aloud_status aloud_feed_check(const aloud_feed_opts *opts, aloud_error *err);

/*
 * Copies the image `image` (a JPEG or PNG file) beside `audio` as its
 * item image, AUDIO-STEM.cover.jpg or .png, through `set` (committed with
 * the render; NULL to commit at once). ALOUD_ERR_ARG for a NULL argument;
 * for the image what aloud_cover_check() says (ALOUD_ERR_READ,
 * ALOUD_ERR_MEDIA, ALOUD_ERR_LIMIT); ALOUD_ERR_WRITE, ALOUD_ERR_NOMEM.
 */
aloud_status aloud_feed_add_cover(const char *audio, const char *image, aloud_outputs *set,
                                  aloud_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ALOUD_H */
