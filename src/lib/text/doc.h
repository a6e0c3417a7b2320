/*
 * doc.h - the document model's private part (private to libaloud): what the
 * rooms above the text may change in a parsed document. The document itself
 * is public (aloud.h); its spoken forms are computed in the spoken room.
 */
#ifndef ALOUD_DOC_H
#define ALOUD_DOC_H

#include <stddef.h>

#include "aloud.h"

/*
 * Replaces the document's spoken forms: `block` holds one NUL-terminated
 * spoken form per sentence, sentence i at block + offsets[i]; `notes` are the
 * engine guard's notes (may be NULL when note_count is 0). The document takes
 * over block and notes and frees the ones it had; offsets stays the caller's.
 */
void doc_set_spoken(aloud_doc *doc, char *block, const size_t *offsets, aloud_guard_note *notes,
                    size_t note_count);

/* The longest language code a document keeps, with its NUL. */
#define DOC_LANG_SIZE 16

/*
 * Sets the document's language to `lang` and paragraph p's to
 * para_langs[p], or to `lang` where para_langs (may be NULL) or its entry
 * is NULL. Codes are copied; one longer than DOC_LANG_SIZE - 1 is refused.
 * Returns ALOUD_OK, ALOUD_ERR_ARG or ALOUD_ERR_NOMEM, leaving the document
 * as it was on failure.
 */
aloud_status doc_set_lang(aloud_doc *doc, const char *lang, const char *const *para_langs);

#endif /* ALOUD_DOC_H */
