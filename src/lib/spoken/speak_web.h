/*
 * speak_web.h - web and e-mail addresses in languages other than English,
 * read with the language's own words (private to libaloud). English has
 * its own, richer rule in speak.c.
 */
#ifndef ALOUD_SPEAK_WEB_H
#define ALOUD_SPEAK_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "speak_buf.h"

/* The rule's words for `lang` (by its primary subtag), as an index for
 * speak_web_address(); -1 when the language has none. */
int speak_web_lang(const char *lang);

/*
 * Reads the web address ("https://...", "www....") or e-mail address that
 * starts at t[0..n) (the start of a word) for the language `words`: the
 * scheme, "www." and the path left out, each dot of the host read with the
 * language's word ("Punkt", "point", "точка"), and "@" with its word where
 * espeak-ng does not say it well itself. Appends the reading to `out` and
 * returns the bytes of t it stands for; 0, appending nothing, when no
 * address starts there. *ok becomes false when out of memory.
 */
size_t speak_web_address(int words, const char *t, size_t n, speak_buf *out, bool *ok);

#endif /* ALOUD_SPEAK_WEB_H */
