/*
 * speak_num.h - numbers written out as words, for the spoken-text rules
 * that must say a number differently from espeak-ng 1.51 (private to
 * libaloud).
 */
#ifndef ALOUD_SPEAK_NUM_H
#define ALOUD_SPEAK_NUM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes the cardinal of the digits d[0..n) (ASCII digits only, no
 * separators; leading zeros ignored; at most 21 significant digits) into
 * buf as words: "one hundred twenty-three million four hundred five". With
 * and_final, "and" comes before the last part below a hundred when a
 * "hundred" or "thousand" is right before it ("eighteen thousand eight
 * hundred and fifty-four", "two thousand and five", but "one million
 * twelve"), as newsreaders say an amount. Returns the length written (buf
 * NUL-terminated), or 0 when the number is too long or buf (cap bytes) too
 * small.
 */
size_t speak_num_cardinal(const char *d, size_t n, bool and_final, char *buf, size_t cap);

/*
 * The ordinal of the same digits ("twenty-first", "one hundredth"), and
 * its plural when plural ("thirds", "sixteenths"), as speak_num_cardinal.
 */
size_t speak_num_ordinal(const char *d, size_t n, bool plural, char *buf, size_t cap);

/*
 * True when "and" would be said in d[0..n) by speak_num_cardinal: the
 * number is at least 100 and its last two digits are not both zero, with a
 * hundred or a thousand right before them.
 */
bool speak_num_says_and(const char *d, size_t n);

#endif /* ALOUD_SPEAK_NUM_H */
