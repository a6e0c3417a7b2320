/*
 * engine_guard.h - makes text safe to hand to espeak-ng 1.51 (private to
 * libaloud).
 *
 * espeak-ng 1.51 crashes, or reads memory it must not, on some inputs that
 * ordinary documents can hold. guard_text() rewrites a sentence so that
 * none of them reaches it, changing as little as possible and nothing that
 * an ordinary sentence holds: every rule below only touches text past a
 * measured limit, and each change is counted so that callers can report it.
 *
 * Pure C, no espeak-ng: it is unit-tested and fuzzed on its own. The limits
 * were measured with espeak-ng 1.51 (Debian 12, voice en-us, the calls
 * speech.c makes), by speaking each input in a child forked from an
 * initialised engine, with glibc's fortified string functions and under
 * valgrind (memcheck) for the errors that do not abort:
 *
 * 1. Long words. espeak-ng peels prefixes and suffixes off a word and
 *    collects their phonemes in a 200-byte buffer without a bound, so a
 *    word that stacks enough of them aborts the process ("buffer overflow
 *    detected"). Shortest crashers found: "s'" repeated 68 times (136
 *    characters; 67 times is fine; the same with U+2019), "'s"/"s'" after
 *    "care" at 140, "non" x 51 (153), "anti" x 41 (164), "counter" x 35,
 *    "care" + "ness" x 67. No 2-letter unit (all 676, and each letter with
 *    an apostrophe) and none of 110 English prefixes and suffixes
 *    repeated up to 100 characters crashed. So a word longer than
 *    GUARD_WORD_MAX characters is cut, with spaces, into near-equal pieces
 *    of at most that many: almost 3 times below the shortest crasher, and
 *    above the longest dictionary words (45 letters), which stay whole.
 *    A "word" is what espeak-ng joins into one: a run of letters and marks
 *    (utf8_is_word_char(), less ASCII digits, which espeak-ng reads apart
 *    from letters) together with apostrophes and the invisible characters
 *    espeak-ng deletes from inside words (soft hyphen, ZWNJ). Punctuation,
 *    spaces and digits end it, measured: "anti" x 20, then any of
 *    - _ . / : , ; ! ? ( & @ # + = ~ * " 1, then "anti" x 21 is fine while
 *    "anti" x 41 aborts. A cut never comes before a combining mark unless a
 *    piece would otherwise pass the limit.
 *
 * 2. Long digit runs. espeak-ng reads a run of up to 33 ASCII digits as one
 *    number ("nonillion") and a longer run digit by digit, in pairs. From 98
 *    digits some lengths make it read uninitialised stack memory (valgrind):
 *    for runs of 9s, 98-99, 101-102, 104-105, 107-108, 110-111, then
 *    130-143, 162-175, 194-207, 226-239 (a pattern of its 32-digit blocks),
 *    while 1..97 are clean; runs of 0s, 1s, 7s, the digits of pi, and 9s
 *    after a word, scanned from 30 to 100 digits, fail at 98 and 99 alike.
 *    (Decimals after "0." are read differently and were clean up to 100;
 *    comma-grouped "1,999,999,..." and space-grouped numbers, in en-us and
 *    fr, were clean up to 160 characters.) The ESPEAK.md note of "about
 *    162" was one of the failing lengths, not the first. A run longer than
 *    GUARD_DIGITS_MAX is cut, with spaces, into
 *    near-equal groups of GUARD_DIGITS_GROUP_MIN..GUARD_DIGITS_MAX digits:
 *    each group is still longer than 33 digits, so espeak-ng reads it digit
 *    by digit in pairs, exactly as it reads the uncut run, and never as a
 *    number it was not.
 *
 * 3. Characters of another script that its language cannot speak. When a
 *    word holds a character of a script espeak-ng gives to another language
 *    (its table of alphabets: Armenian, the Indic scripts, Georgian, Hangul
 *    and more), it switches to that language; if the character is no letter
 *    there, it switches back and reads freed memory (heap use-after-free).
 *    U+0B84, unassigned in the Tamil block, is the known case. A scan of
 *    every code point of those blocks, each spoken alone with voice en-us
 *    under valgrind, found 428 more in Armenian, Devanagari, Bengali,
 *    Gurmukhi, Gujarati, Tamil, Kannada, Malayalam, Sinhala, Georgian and
 *    Hangul Jamo (none in Greek, Telugu, U+A700..U+D7FF or the blocks it
 *    switches no language for): every unassigned code point of the Tamil,
 *    Kannada, Malayalam and Georgian blocks, some of the others', and
 *    assigned signs, digits and letters, many added to Unicode after its
 *    tables (the table in engine_guard.c; the rule is data, not a guess at
 *    the cause). With a voice of that language the same characters
 *    are fine (bn reads Bengali digits), but the guard does not know the
 *    voice, so:
 *    - a decimal digit among them is replaced by the ASCII digit of the
 *      same value (Bengali "১২৩" becomes "123"; every voice reads those),
 *    - every other one is dropped: unassigned, or a sign or letter that
 *      espeak-ng could not have spoken in that voice anyway. A drop between
 *      "[" and "[" (or "]" and "]") leaves a space, so that it cannot make
 *      espeak-ng's phoneme markers; the spaces around a dropped word are
 *      left as they are (aloud_doc_speak() tidies them).
 *
 * Everything else passes byte for byte: curly quotes, accents, URLs (their
 * punctuation ends the words), numbers up to GUARD_DIGITS_MAX digits.
 */
#ifndef ALOUD_ENGINE_GUARD_H
#define ALOUD_ENGINE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest word, in characters (code points), passed unchanged. */
#define GUARD_WORD_MAX 48
/* Longest run of ASCII digits passed unchanged, and the shortest group a
 * longer run is cut into: groups stay above the 33 digits espeak-ng would
 * read as one number. GUARD_DIGITS_MAX >= 2 * GUARD_DIGITS_GROUP_MIN, so
 * near-equal groups always reach the minimum. */
#define GUARD_DIGITS_MAX 68
#define GUARD_DIGITS_GROUP_MIN 34

/* What guard_text() changed. */
typedef struct guard_stats {
    size_t words_split;      /* words cut into pieces (rule 1) */
    size_t digit_runs_split; /* digit runs cut into groups (rule 2) */
    size_t chars_dropped;    /* characters removed (rule 3) */
    size_t digits_replaced;  /* native digits replaced by ASCII ones (rule 3) */
    size_t brackets_parted;  /* spaces put where a drop would join "[[" or "]]" (rule 3) */
} guard_stats;

/* How guard_text() sees one character (for tests and the fuzzer). */
typedef enum guard_class {
    GUARD_OTHER = 0, /* ends words and digit runs: spaces, punctuation, symbols */
    GUARD_WORD,      /* part of a word (rule 1) */
    GUARD_DIGIT      /* an ASCII digit (rule 2) */
} guard_class;

guard_class guard_classify(uint32_t cp);

/*
 * What rule 3 does with `cp`: returns false to drop it, else true with the
 * character to write in *out (cp itself, or an ASCII digit).
 */
bool guard_keep(uint32_t cp, uint32_t *out);

/*
 * Returns a safe copy of text[0..len) as a NUL-terminated string that the
 * caller frees, or NULL when out of memory. The text is read up to `len`
 * bytes or its first NUL, whichever comes first (espeak-ng stops at a NUL
 * too). It should be valid UTF-8; a byte that is not is dropped and counted
 * as a dropped character, so the output is always valid UTF-8 and a stray
 * byte can never combine with others into a character rule 3 removed.
 * `stats` (may be NULL) is overwritten with what was changed. Applying
 * guard_text() to its own output changes nothing.
 */
char *guard_text(const char *text, size_t len, guard_stats *stats);

#endif /* ALOUD_ENGINE_GUARD_H */
