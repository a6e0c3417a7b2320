/*
 * input_pos.h - line and column of a byte in an input buffer, for the front
 * ends whose parsers hand back pointers into it (private to libaloud).
 */
#ifndef ALOUD_INPUT_POS_H
#define ALOUD_INPUT_POS_H

#include <stddef.h>

/*
 * A cursor over data[0..size) (borrowed) that turns byte offsets into
 * 1-based lines and columns (columns count characters; lines end at LF,
 * CRLF or CR). Asking in increasing order costs linear time in all; an
 * earlier offset starts again from the top.
 */
typedef struct input_pos {
    const char *data;
    size_t size;
    size_t offset;
    unsigned line;
    unsigned column;
} input_pos;

void input_pos_init(input_pos *p, const char *data, size_t size);
/* Moves to `offset` (clamped to size) and gives its line and column. */
void input_pos_at(input_pos *p, size_t offset, unsigned *line, unsigned *column);

/*
 * Decodes the character reference at s[0..n) ("&amp;", "&#8217;", "&#x2014;";
 * the common named ones) into out (4 bytes), returning its length, or 0 when
 * it is not one that is known.
 */
size_t input_entity_decode(const char *s, size_t n, char out[4]);

#endif /* ALOUD_INPUT_POS_H */
