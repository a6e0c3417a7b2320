/*
 * speak.h - what espeak-ng is handed: the spoken form of a sentence
 * (private to libaloud).
 *
 * A sentence's spoken form is its text with
 *   1. the lexicon's entries replaced (lexicon.c), whole words and phrases,
 *      longest first; the replacements are the user's word and are kept as
 *      they are;
 *   2. aloud's spoken-text rules applied to the rest (speak.c): URLs and
 *      e-mail addresses, hashtags, number ranges and scores, currencies,
 *      dashes as pauses, obvious initialisms, and literal "[[" / "]]" split so
 *      that only the lexicon's phonemes reach espeak-ng as phonemes.
 * What crashes espeak-ng itself is speech.c's to keep out (engine_guard.h).
 * Each rule and what it improves on espeak-ng 1.51's own reading is
 * described at the rule in speak.c.
 *
 * The spoken text holds espeak-ng phoneme blocks "[[...]]" from the
 * lexicon, so the engine must be called with espeakPHONEMES.
 */
#ifndef ALOUD_SPEAK_H
#define ALOUD_SPEAK_H

#include <stdbool.h>
#include <stddef.h>

#include "aloud.h"

/* Bytes [start, end) of a speak_buf. */
typedef struct speak_span {
    size_t start;
    size_t end;
} speak_span;

/*
 * A growable string (not NUL-terminated until speak_buf_finish) and the
 * spans of it that later rules must leave alone. Zero-initialise it; free
 * it with speak_buf_free.
 */
typedef struct speak_buf {
    char *data;
    size_t length;
    size_t cap;
    speak_span *kept;   /* in increasing order, not overlapping */
    size_t kept_count;
    size_t kept_cap;
} speak_buf;

/* Appends s[0..n). False when out of memory. */
bool speak_buf_append(speak_buf *b, const char *s, size_t n);
/* Marks data[start..end) as kept; spans must come in increasing order. */
bool speak_buf_keep(speak_buf *b, size_t start, size_t end);
void speak_buf_free(speak_buf *b);

/*
 * The spoken form of one sentence text[0..length) (valid UTF-8, normalised
 * as aloud_doc_parse leaves it: no control characters, single spaces).
 * lex may be NULL; its entries' pending fired counts grow (see
 * lexicon_commit). On ALOUD_OK *out is a malloc'd NUL-terminated string the
 * caller frees. Fails only with ALOUD_ERR_NOMEM (*out NULL).
 */
aloud_status speak_sentence(const char *text, size_t length, aloud_lexicon *lex, char **out);

/* ------------------------------------------------ lexicon.c, private part */

/* Lexicon lines longer than this many bytes are errors. */
#define LEXICON_LINE_MAX 1024u

/*
 * Adds the entries of a lexicon file's contents data[0..size) (borrowed,
 * need not be NUL-terminated). `name` (copied) is where the entries say
 * they come from. A bad line gives ALOUD_ERR_LEXICON with its line and
 * column in err and leaves the lexicon as it was; else ALOUD_ERR_NOMEM or
 * ALOUD_OK.
 */
aloud_status lexicon_parse(aloud_lexicon *lex, const char *name, const char *data, size_t size,
                           aloud_error *err);

/*
 * Appends text[0..length) to out with every lexicon match replaced, and
 * marks each replacement kept. Whole words and phrases at word boundaries,
 * longest match first. A phoneme replacement gets a space before its "[["
 * (espeak-ng ignores a phoneme block right after "(" or a quote) and takes
 * a following "'s" inside the block. Counts each replacement as pending.
 * False when out of memory.
 */
bool lexicon_apply(aloud_lexicon *lex, const char *text, size_t length, speak_buf *out);

/* Adds the pending counts to the fired counts (keep) or drops them. */
void lexicon_commit(aloud_lexicon *lex, bool keep);

#endif /* ALOUD_SPEAK_H */
