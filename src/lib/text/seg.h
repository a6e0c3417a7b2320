/*
 * seg.h - the rule-based sentence segmenter (private to libaloud).
 *
 * A segmenter splits one normalised paragraph (UTF-8, words separated by
 * spaces, no line ends) into sentences. Its rules are generic (end marks,
 * closing quotes and brackets, ellipses, initials, numbers, URLs, numbered
 * lists) and its words come from per-language data: the abbreviation files
 * in src/lib/text/lang/NAME.abbrev, embedded into the library at build time. The
 * format of those files is described at the top of src/lib/text/lang/en.abbrev.
 *
 * Scripts written without spaces (Chinese, Japanese) end a sentence at a
 * full-width mark (。！？．) with no space after it; the Devanagari danda
 * (।) ends one too.
 *
 * The segmenter also caps the length of a sentence, in characters: a longer
 * one is cut at clause punctuation (; : , and dashes, and their full-width
 * forms), else at a word boundary, else between two characters.
 *
 * Runs in time linear in the paragraph's length.
 */
#ifndef ALOUD_SEG_H
#define ALOUD_SEG_H

#include <stddef.h>

#include "aloud.h"

/* One embedded language: its name ("en") and its rules text. */
typedef struct seg_lang_data {
    const char *name;
    const char *rules;  /* the .abbrev file's bytes, NUL-terminated */
    size_t size;        /* bytes, without the NUL */
} seg_lang_data;

/* Generated at build time from src/lib/text/lang/ (see cmake/embed.cmake). */
extern const seg_lang_data seg_lang_table[];
extern const size_t seg_lang_table_count;

typedef struct seg seg;

/* A sentence: bytes [start, end) of the paragraph, without outer spaces. */
typedef struct seg_span {
    size_t start;
    size_t end;
} seg_span;

/* The default cap on a sentence's length, in characters. */
#define SEG_DEFAULT_MAX_CHARS 600u

/*
 * Creates a segmenter for the language `lang`, a BCP-47 code ("de",
 * "pt-BR", "zh-Hans"; case does not matter; NULL means "en"). The data of
 * the whole tag is used when embedded, else that of its primary subtag
 * ("pt" for "pt-BR"); a language without data gets the shared rules alone,
 * with no words of its own. Sentences longer than max_chars characters are
 * cut (max_chars below 16 is taken as 16). Returns ALOUD_ERR_NOMEM, or
 * ALOUD_OK with *out owned by the caller (seg_free).
 */
aloud_status seg_create(const char *lang, size_t max_chars, seg **out, aloud_error *err);

/*
 * The name of the embedded data seg_create() picks for `lang` ("pt" for
 * "pt-BR"), static; NULL when there is none (the shared rules alone).
 */
const char *seg_lang_pick(const char *lang);

/*
 * Like seg_create with the rules given as text in the .abbrev format
 * (borrowed; copied). A bad line gives ALOUD_ERR_ARG with its line and
 * column in `err`.
 */
aloud_status seg_create_from_rules(const char *rules, size_t size, size_t max_chars, seg **out,
                                   aloud_error *err);

/* Frees a segmenter; NULL is a no-op. */
void seg_free(seg *s);

/*
 * Splits text[0..length) into sentences. On ALOUD_OK, *spans points to
 * *count spans in order (owned by `s`, valid until the next seg_split or
 * seg_free). Spans are in order, do not overlap, start and end on a
 * non-space byte and hold at most max_chars characters. No boundary leaves a sentence
 * without a word character (marks alone join a neighbour), though the
 * length cap may cut a long run of marks into wordless pieces. No spans for
 * an all-space text. Fails only with ALOUD_ERR_NOMEM.
 */
aloud_status seg_split(seg *s, const char *text, size_t length, const seg_span **spans,
                       size_t *count);

#endif /* ALOUD_SEG_H */
