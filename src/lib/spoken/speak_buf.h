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

/*
 * What the spoken-text stages rewrite, counted for `aloud -v` (the order
 * of aloud_speak_rule_name in spoken_doc.c).
 */
typedef enum speak_rule {
    SPEAK_RULE_TIMES,
    SPEAK_RULE_DATES,
    SPEAK_RULE_YEARS,
    SPEAK_RULE_DECADES,
    SPEAK_RULE_PHONES,
    SPEAK_RULE_IPS,
    SPEAK_RULE_FRACTIONS,
    SPEAK_RULE_RATIOS,
    SPEAK_RULE_ABBREVIATIONS,
    SPEAK_RULE_ADDRESSES,
    SPEAK_RULE_UNITS,
    SPEAK_RULE_ROMANS,
    SPEAK_RULE_MARKS,
    SPEAK_RULE_EMOJI,
    SPEAK_RULE_URLS,
    SPEAK_RULE_EMAILS,
    SPEAK_RULE_HASHTAGS,
    SPEAK_RULE_RANGES,
    SPEAK_RULE_AMOUNTS,
    SPEAK_RULE_NUMBERS,
    SPEAK_RULE_ORDINALS,
    SPEAK_RULE_ACRONYMS,
    SPEAK_RULE_INITIALISMS,
    SPEAK_RULE_DASHES,
    SPEAK_RULE_PERIODS,
    SPEAK_RULE_COUNT
} speak_rule;

/* Adds one to counts[rule]; counts may be NULL (nothing is counted). */
static inline void speak_count(size_t *counts, speak_rule rule)
{
    if (counts)
        counts[rule]++;
}

#endif /* ALOUD_SPEAK_BUF_H */
