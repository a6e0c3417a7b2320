/*
 * lexicon.h - the lexicon's private part (private to libaloud): parsing a
 * lexicon file's contents and applying its entries to a sentence. The file
 * format is documented in voices/lexicon/README.md; the public part is in
 * aloud.h.
 */
#ifndef ALOUD_LEXICON_H
#define ALOUD_LEXICON_H

#include <stdbool.h>
#include <stddef.h>

#include "aloud.h"
#include "speak_buf.h"

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

#endif /* ALOUD_LEXICON_H */
