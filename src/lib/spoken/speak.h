/*
 * speak.h - what espeak-ng is handed: the spoken form of a sentence
 * (private to libaloud).
 *
 * A sentence's spoken form is its text with
 *   1. the lexicon's entries replaced (lexicon.c), whole words and phrases,
 *      longest first; the replacements are the user's word and are kept as
 *      they are;
 *   2. times, dates, decades, phone numbers, fractions and ratios read as
 *      words and digits (speak_time.c), kept from the rules after;
 *   3. abbreviations, units, Roman numerals, house numbers and marks that
 *      are not speech (speak_abbrev.c), kept likewise;
 *   4. aloud's spoken-text rules applied to the rest (speak.c): URLs and
 *      e-mail addresses, hashtags, number ranges and scores, currencies
 *      and the "and" of amounts (words from speak_num.c), known acronyms
 *      (data/en.acronyms, speak_data.c), dashes as pauses, obvious
 *      initialisms, abbreviation periods inside a sentence, and literal
 *      "[[" / "]]" split so that only the lexicon's phonemes reach espeak-ng
 *      as phonemes.
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

/*
 * The spoken form of one sentence text[0..length) (valid UTF-8, normalised
 * as aloud_doc_parse leaves it: no control characters, single spaces).
 * lex may be NULL; its entries' pending fired counts grow (see
 * lexicon_commit). On ALOUD_OK *out is a malloc'd NUL-terminated string the
 * caller frees. Fails only with ALOUD_ERR_NOMEM (*out NULL).
 */
aloud_status speak_sentence(const char *text, size_t length, aloud_lexicon *lex, char **out);

/* How the rules run; zero-initialise for the defaults. */
typedef struct speak_opts {
    bool read_emoji;  /* emoji stay, and espeak-ng reads their names */
} speak_opts;

/*
 * speak_sentence with options (NULL for the defaults) and counters:
 * counts, when not NULL, holds SPEAK_RULE_COUNT counters (speak_buf.h),
 * each increased by the rewrites its rule made.
 */
aloud_status speak_sentence_with(const char *text, size_t length, aloud_lexicon *lex,
                                 const speak_opts *opts, size_t *counts, char **out);

#endif /* ALOUD_SPEAK_H */
