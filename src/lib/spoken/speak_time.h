/*
 * speak_time.h - times, dates, decades, phone numbers, IP addresses,
 * fractions and ratios as a newsreader says them (private to libaloud).
 *
 * A stage of speak_sentence (speak.c) between the lexicon and the token
 * rules. Each rule and what espeak-ng 1.51 says without it is described at
 * the rule in speak_time.c.
 */
#ifndef ALOUD_SPEAK_TIME_H
#define ALOUD_SPEAK_TIME_H

#include <stdbool.h>
#include <stddef.h>

#include "speak_buf.h"

/*
 * Appends text[0..length) to out, with the times, dates and number forms
 * it recognises rewritten into what espeak-ng should read, and marks each
 * rewrite kept (speak_buf_keep) so that later rules leave it alone.
 * kept[0..kept_count) are spans of text (increasing, not overlapping) that
 * are copied unchanged and stay kept in out; may be NULL when kept_count is
 * 0. out must be zero-initialised or hold earlier output (its spans then
 * stay as they are). All pointers are borrowed. Time and memory are linear
 * in length. False when out of memory (out then holds a partial result the
 * caller frees). counts (SPEAK_RULE_COUNT counters, or NULL) counts each
 * rewrite by its kind.
 */
bool speak_time_apply(const char *text, size_t length, const speak_span *kept,
                      size_t kept_count, size_t *counts, speak_buf *out);

#endif /* ALOUD_SPEAK_TIME_H */
