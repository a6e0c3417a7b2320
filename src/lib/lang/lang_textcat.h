/*
 * lang_textcat.h - libexttextcat, the second opinion (private to
 * libaloud): an n-gram classifier of its own, with its own fingerprints,
 * asked only when CLD2 is not sure (lang_id.h).
 */
#ifndef ALOUD_LANG_TEXTCAT_H
#define ALOUD_LANG_TEXTCAT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * libexttextcat's first language for text[0..size) into out (its primary
 * subtag: "nl", "zh", "sr"), or false with out "" when it finds none
 * ("UNKNOWN", "SHORT") or its fingerprints cannot be read. The
 * fingerprints are read once, on the first call (about 14 ms), and kept
 * for the process; calls from several threads take turns.
 */
bool lang_textcat_first(const char *text, size_t size, char *out, size_t out_size);

#endif /* ALOUD_LANG_TEXTCAT_H */
