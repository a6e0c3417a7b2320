/*
 * ascii.h - ASCII character classes (private to libaloud; the ground floor).
 *
 * Locale-free, unlike <ctype.h>, and safe for any argument: `c` is a byte
 * of a string (a plain char, negative above 0x7F on most targets) or a code
 * point, widened without loss; everything outside ASCII is in no class.
 */
#ifndef ALOUD_ASCII_H
#define ALOUD_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* '0'..'9'. */
static inline bool ascii_is_digit(int64_t c)
{
    return c >= '0' && c <= '9';
}

/* 'A'..'Z'. */
static inline bool ascii_is_upper(int64_t c)
{
    return c >= 'A' && c <= 'Z';
}

/* 'a'..'z'. */
static inline bool ascii_is_lower(int64_t c)
{
    return c >= 'a' && c <= 'z';
}

/* An ASCII letter. */
static inline bool ascii_is_alpha(int64_t c)
{
    return ascii_is_upper(c) || ascii_is_lower(c);
}

/* An ASCII letter or digit. */
static inline bool ascii_is_alnum(int64_t c)
{
    return ascii_is_alpha(c) || ascii_is_digit(c);
}

/* `c` with 'a'..'z' made upper case; every other byte as it is. */
static inline char ascii_to_upper(char c)
{
    return ascii_is_lower(c) ? (char)(c - 'a' + 'A') : c;
}

/* `c` with 'A'..'Z' made lower case; every other byte as it is. */
static inline char ascii_to_lower(char c)
{
    return ascii_is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/*
 * True when a[0..n) is the NUL-terminated `b`, ASCII letters compared
 * without case. Both borrowed; `a` need not be NUL-terminated. (Out of line:
 * inlined against a literal, GCC's -Warray-bounds misreads the loop.)
 */
bool ascii_eq_nocase(const char *a, size_t n, const char *b);

#endif /* ALOUD_ASCII_H */
