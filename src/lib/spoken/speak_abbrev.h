/*
 * speak_abbrev.h - the spoken-text stage for abbreviations, units, Roman
 * numerals and marks that are not speech (private to libaloud). It runs
 * after the lexicon and before the token rules of speak.c.
 */
#ifndef ALOUD_SPEAK_ABBREV_H
#define ALOUD_SPEAK_ABBREV_H

#include <stdbool.h>
#include <stddef.h>

#include "speak_buf.h"

/*
 * Copies text[0..length) (one sentence, valid UTF-8) to `out`, rewriting what
 * it recognises: abbreviations with a period in context ("Dr. Smith" ->
 * "Doctor Smith", "Elm St." -> "Elm Street", "p. 5" -> "page 5"), units and
 * magnitudes after a number ("5km" -> "5 kilometers", "20°C" -> "20 degrees
 * Celsius", "5bn" -> "5 billion"), Roman numerals after a name or a
 * numbered word ("Henry VIII" -> "Henry the Eighth", "World War II" ->
 * "World War 2"), and leaving out what is not speech (citation marks "[6]",
 * emoji, footnote marks, leftover Markdown).
 *
 * `kept` (kept_count spans, increasing, not overlapping; may be NULL when
 * kept_count is 0) are spans of `text` copied unchanged; they, and every
 * rewrite, are marked kept in `out` so later rules leave them alone.
 * `out` must be zero-initialised; the caller frees it with speak_buf_free,
 * also after a failure. Time and memory are linear in `length`.
 *
 * With read_emoji, emoji stay (espeak-ng reads their names). counts
 * (SPEAK_RULE_COUNT counters, or NULL) counts each rewrite by its kind.
 *
 * Returns false only when out of memory.
 */
bool speak_abbrev_apply(const char *text, size_t length, const speak_span *kept,
                        size_t kept_count, bool read_emoji, size_t *counts, speak_buf *out);

#endif /* ALOUD_SPEAK_ABBREV_H */
