/*
 * utf8.h - UTF-8 validation, decoding, encoding and character classes
 * (private to libaloud; the ground floor, used by every room).
 *
 * Pure functions over a borrowed buffer: no I/O, no allocation.
 * Positions in errors: lines are 1-based and end at LF, CRLF or CR; columns
 * are 1-based and count characters, not bytes; a byte order mark at the very
 * start is not counted.
 */
#ifndef ALOUD_UTF8_H
#define ALOUD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

/* Bytes of the UTF-8 byte order mark at the start of `data`: 3 or 0. */
size_t utf8_bom_length(const char *data, size_t size);

/* The byte order of a text that starts with a UTF-16 byte order mark. */
typedef enum utf16_order {
    UTF16_NONE = 0,  /* no UTF-16 BOM: not UTF-16, as far as aloud is concerned */
    UTF16_LE,        /* FF FE */
    UTF16_BE         /* FE FF */
} utf16_order;

/* The UTF-16 byte order mark at the start of `data`, if any. */
utf16_order utf16_bom(const char *data, size_t size);

/*
 * Converts a UTF-16 text that starts with its byte order mark (see
 * utf16_bom; data[0..size), borrowed) to UTF-8 without a BOM, into `out`,
 * which must hold size / 2 * 3 bytes (no unit makes more than 3 bytes, a
 * surrogate pair of 4 bytes makes 4). Surrogate pairs become one character.
 * Returns ALOUD_OK with the length in *out_size, or ALOUD_ERR_UTF8 with the
 * line and column (in characters, the BOM not counted) of an unpaired
 * surrogate or of a last byte without its pair, in `err` (may be NULL).
 * ALOUD_ERR_ARG when data has no UTF-16 BOM.
 */
aloud_status utf16_to_utf8(const char *data, size_t size, char *out, size_t *out_size,
                           aloud_error *err);

/*
 * Checks that data[0..size) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequence). On failure
 * returns ALOUD_ERR_UTF8 and fills `err` (may be NULL) with the line and
 * column of the first bad byte - the lead byte of a bad sequence - and a
 * static-style reason such as
 * "invalid UTF-8 (byte 0xC3 not followed by a continuation byte)".
 * Returns ALOUD_OK otherwise. `data` is borrowed and need not be
 * NUL-terminated.
 */
aloud_status utf8_validate(const char *data, size_t size, aloud_error *err);

/*
 * Decodes the character at s[0..avail) of VALID UTF-8 (see utf8_validate)
 * into *cp and returns its length in bytes (1..4). avail must be > 0.
 */
size_t utf8_decode(const char *s, size_t avail, uint32_t *cp);

/*
 * Decodes the character at s[0..avail) of UNCHECKED bytes (a file, a tag)
 * into *cp and returns its length in bytes (1..4), or returns 0, with *cp
 * untouched, when s does not start one valid sequence by the rules of
 * utf8_validate (a bad lead or continuation byte, an overlong form, a
 * surrogate, past U+10FFFF, or cut off by avail). avail must be > 0.
 */
size_t utf8_next(const char *s, size_t avail, uint32_t *cp);

/*
 * The character at s[pos] of VALID UTF-8 (pos < size); its length in bytes
 * goes to *len when `len` is not NULL.
 */
uint32_t utf8_at(const char *s, size_t size, size_t pos, size_t *len);

/*
 * Where the character that ends right before s[pos] starts (pos > 0): pos
 * moved back over continuation bytes, never before 0.
 */
size_t utf8_start_before(const char *s, size_t pos);

/*
 * The character of VALID UTF-8 that ends right before s[pos] (pos > 0); its
 * start (utf8_start_before) goes to *start when `start` is not NULL.
 */
uint32_t utf8_before(const char *s, size_t pos, size_t *start);

/* True when `s` is NULL or a NUL-terminated string of valid UTF-8. */
bool utf8_is_valid_string(const char *s);

/* Encodes a code point (<= U+10FFFF) into out[0..4); returns the length. */
size_t utf8_encode(uint32_t cp, char out[4]);

/*
 * True when `cp` can be part of a word: a letter, digit or mark of any
 * script (approximated by blocks). Punctuation, symbols, spaces, controls
 * and emoji are not.
 */
bool utf8_is_word_char(uint32_t cp);

/* Letter case, for the segmenter and the byline rules. */
typedef enum utf8_case {
    UTF8_CASE_NONE = 0,  /* not a letter, or a letter of a script without case */
    UTF8_CASE_UPPER,
    UTF8_CASE_LOWER
} utf8_case;

/*
 * The case of `cp` for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic;
 * UTF8_CASE_NONE for everything else (approximate outside those blocks).
 */
utf8_case utf8_case_of(uint32_t cp);

#endif /* ALOUD_UTF8_H */
