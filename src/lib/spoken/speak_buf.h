/*
 * speak_buf.h - the growable string that the spoken-text rules (speak.c)
 * and the lexicon (lexicon.c) write a sentence's spoken form into, with the
 * spans later rules must leave alone (private to libaloud).
 */
#ifndef ALOUD_SPEAK_BUF_H
#define ALOUD_SPEAK_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes [start, end) of a speak_buf. */
typedef struct speak_span {
    size_t start;
    size_t end;
} speak_span;

/*
 * A growable string (not NUL-terminated until speak_buf_finish) and the
 * spans of it that later rules must leave alone. Zero-initialise it; free
 * it with speak_buf_free.
 */
typedef struct speak_buf {
    char *data;
    size_t length;
    size_t cap;
    speak_span *kept;   /* in increasing order, not overlapping */
    size_t kept_count;
    size_t kept_cap;
} speak_buf;

/* Appends s[0..n). False when out of memory. */
bool speak_buf_append(speak_buf *b, const char *s, size_t n);
/* Marks data[start..end) as kept; spans must come in increasing order. */
bool speak_buf_keep(speak_buf *b, size_t start, size_t end);
/* Appends s[0..n) and marks it kept: a rule's rewrite, or a span an earlier
 * stage kept, that the stages after this one leave alone. False when out of
 * memory. */
bool speak_buf_append_kept(speak_buf *b, const char *s, size_t n);
void speak_buf_free(speak_buf *b);

#endif /* ALOUD_SPEAK_BUF_H */
