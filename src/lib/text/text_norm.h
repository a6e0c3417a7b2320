/*
 * text_norm.h - character normalisation of the input (private to libaloud).
 *
 * Positions: lines are 1-based and end at LF, CRLF or CR (a CRLF pair is one
 * line end). Columns are 1-based and count characters (code points), not
 * bytes; a UTF-8 byte order mark at the very start of the input is skipped
 * and not counted. Every other character counts one column, including tabs
 * and the characters normalisation removes.
 */
#ifndef ALOUD_TEXT_NORM_H
#define ALOUD_TEXT_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

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
 * spaces; zero-width characters (U+200B-U+200D, U+2060, U+FEFF), bidi
 * controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), variation
 * selectors (U+FE00-U+FE0F, U+E0100-U+E01EF), tag characters
 * (U+E0000-U+E007F), the soft hyphen U+00AD and the other C0/C1 controls
 * (NUL included) are dropped.
 */
text_class text_classify(uint32_t cp);

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

#endif /* ALOUD_TEXT_NORM_H */
