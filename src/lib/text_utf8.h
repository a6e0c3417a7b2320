/*
 * text_utf8.h - UTF-8 validation, decoding and character normalisation
 * (private to libaloud).
 *
 * Pure functions over a borrowed input buffer: no I/O, no allocation.
 *
 * Positions: lines are 1-based and end at LF, CRLF or CR (a CRLF pair is one
 * line end). Columns are 1-based and count characters (code points), not
 * bytes; a UTF-8 byte order mark at the very start of the input is skipped
 * and not counted. Every other character counts one column, including tabs
 * and the characters normalisation removes.
 */
#ifndef ALOUD_TEXT_UTF8_H
#define ALOUD_TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

/* Bytes of the UTF-8 byte order mark at the start of `data`: 3 or 0. */
size_t text_bom_length(const char *data, size_t size);

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
aloud_status text_validate(const char *data, size_t size, aloud_error *err);

/*
 * Decodes the character at s[0..avail) of VALID UTF-8 (see text_validate)
 * into *cp and returns its length in bytes (1..4). avail must be > 0.
 */
size_t text_decode(const char *s, size_t avail, uint32_t *cp);

/* Encodes a code point (<= U+10FFFF) into out[0..4); returns the length. */
size_t text_encode(uint32_t cp, char out[4]);

/* What normalisation does with one character. */
typedef enum text_class {
    TEXT_KEEP = 0,   /* kept as written (letters, digits, punctuation, ...) */
    TEXT_SPACE,      /* any space separator or tab: one ' ' (runs collapse) */
    TEXT_DROP,       /* removed: zero-width, soft hyphen, control characters */
    TEXT_LINE,       /* ends a line: LF, CR, NEL, U+2028 LINE SEPARATOR */
    TEXT_PARA        /* ends a paragraph: U+2029 PARAGRAPH SEPARATOR */
} text_class;

/*
 * The normalisation class of `cp`. Space separators (U+0020, U+00A0,
 * U+1680, U+2000-U+200A, U+202F, U+205F, U+3000), tab, VT and FF are
 * spaces; zero-width characters (U+200B-U+200D, U+2060, U+FEFF), the soft
 * hyphen U+00AD and the other C0/C1 controls (NUL included) are dropped.
 */
text_class text_classify(uint32_t cp);

/*
 * True when `cp` can be part of a word: a letter, digit or mark of any
 * script (approximated by blocks). Punctuation, symbols, spaces, controls
 * and emoji are not.
 */
bool text_is_word_char(uint32_t cp);

/* Letter case, for the segmenter and the byline rules. */
typedef enum text_case {
    TEXT_CASE_NONE = 0,  /* not a letter, or a letter of a script without case */
    TEXT_CASE_UPPER,
    TEXT_CASE_LOWER
} text_case;

/*
 * The case of `cp` for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic;
 * TEXT_CASE_NONE for everything else (approximate outside those blocks).
 */
text_case text_case_of(uint32_t cp);

/* One normalised item read from the input. */
typedef enum text_item_kind {
    TEXT_ITEM_CHAR = 0,  /* a kept character */
    TEXT_ITEM_SPACE,     /* a space, tab or other space separator */
    TEXT_ITEM_LINE,      /* a line end (CRLF is one) */
    TEXT_ITEM_PARA,      /* a paragraph separator */
    TEXT_ITEM_END        /* end of input */
} text_item_kind;

typedef struct text_item {
    text_item_kind kind;
    uint32_t cp;         /* the character (TEXT_ITEM_CHAR) */
    const char *bytes;   /* its bytes in the input (borrowed) */
    size_t length;       /* number of bytes */
    unsigned line;       /* where the item starts (1-based) */
    unsigned column;     /* in characters (1-based) */
} text_item;

/*
 * Reads validated UTF-8 as normalised items: dropped characters are skipped
 * (they still count a column), the BOM is skipped. Not an object: a plain
 * cursor over the borrowed buffer, which must outlive it.
 */
typedef struct text_reader {
    const char *data;
    size_t size;
    size_t pos;
    unsigned line;
    unsigned column;
} text_reader;

/* Starts a reader at the beginning of data[0..size), which must be valid UTF-8. */
void text_reader_init(text_reader *reader, const char *data, size_t size);

/* Fills *item with the next item; returns item->kind. Repeats END at the end. */
text_item_kind text_reader_next(text_reader *reader, text_item *item);

#endif /* ALOUD_TEXT_UTF8_H */
