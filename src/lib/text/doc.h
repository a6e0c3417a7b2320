/*
 * doc.h - the document model's private part (private to libaloud): what the
 * rooms above the text may change in a parsed document. The document itself
 * is public (aloud.h); its spoken forms are computed in the spoken room.
 */
#ifndef ALOUD_DOC_H
#define ALOUD_DOC_H

#include <stdbool.h>
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
/*
 * The seam for the input front ends (Markdown, HTML, EPUB): they find the
 * blocks of a document and hand over each block's text; the builder
 * normalises it, classifies and segments it exactly as aloud_doc_parse()
 * does a paragraph of plain text, and keeps where each character came from
 * so that sentences have their line and column in the input file.
 */
typedef struct doc_builder doc_builder;

/* What a block is, as its front end knows. */
typedef enum doc_block {
    DOC_BLOCK_BODY = 0,  /* a paragraph, list item or quote (a "By NAME" line is a byline) */
    DOC_BLOCK_HEADING,   /* a heading: its own chapter title */
    DOC_BLOCK_TITLE      /* the document's title; a heading once there is one */
} doc_block;

/* Metadata a front end may set; the title and author win over what the text looks like. */
typedef enum doc_meta {
    DOC_META_TITLE = 0,
    DOC_META_AUTHOR,
    DOC_META_LANG,   /* the language the input declares (a BCP 47 tag, as written) */
    DOC_META_NOTE,   /* one line: what the front end left out (aloud_doc_input_note) */
    DOC_META_COUNT
} doc_meta;

/* An empty builder for text in `lang` (a BCP-47 code, copied; NULL for
 * English): it picks the segmenter's data. NULL when out of memory or for a
 * code of DOC_LANG_SIZE bytes or more. Free with doc_builder_free(). */
doc_builder *doc_builder_create(const char *lang);
void doc_builder_free(doc_builder *b);

/*
 * Appends text[0..n) (borrowed) to the block being built; its first
 * character is at (line, column) of the input (1-based; 0 is taken as 1),
 * and each following one at the next column, or at the start of the next
 * line after a '\n'. Spaces, tabs and line ends collapse into one space;
 * characters normalisation drops are dropped; bytes that are not UTF-8 are
 * skipped. False when out of memory.
 */
bool doc_builder_text(doc_builder *b, const char *text, size_t n, unsigned line,
                      unsigned column);
/* A space between words (a line break, an element boundary). */
void doc_builder_space(doc_builder *b);
/*
 * Paragraph p (counted as kept, from 0) is in langs[p] (borrowed until the
 * builder is finished) when p < count and langs[p] is not NULL: it is cut
 * into sentences with that language's data, and keeps that language. False,
 * setting nothing, when an entry is empty or DOC_LANG_SIZE bytes or more.
 */
bool doc_builder_paragraph_langs(doc_builder *b, const char *const *langs, size_t count);
/* Ends the block: kept as a paragraph of `kind` when it holds a word. */
aloud_status doc_builder_end(doc_builder *b, doc_block kind);
/* Forgets the block being built (text that turned out not to be read). */
void doc_builder_drop(doc_builder *b);
/* Sets a piece of metadata from text[0..n) (copied, one normalised line);
 * an empty value sets nothing. False when out of memory. */
bool doc_builder_meta(doc_builder *b, doc_meta which, const char *text, size_t n);
bool doc_builder_has_meta(const doc_builder *b, doc_meta which);
/*
 * Marks a chapter start: the next paragraph kept starts a chapter titled
 * text[0..n) (copied; an empty title marks nothing). Once a document has a
 * mark, only its first paragraph and those after marks start chapters;
 * without any, every paragraph does. False when out of memory.
 */
bool doc_builder_chapter(doc_builder *b, const char *title, size_t n);
/* Paragraphs kept so far. */
size_t doc_builder_paragraph_count(const doc_builder *b);
/*
 * The document: ALOUD_OK with *out (the caller's, aloud_doc_free()), or
 * ALOUD_ERR_EMPTY ("no words to read") or ALOUD_ERR_NOMEM with *out NULL.
 * The builder is emptied either way; free it after.
 */
aloud_status doc_builder_finish(doc_builder *b, aloud_doc **out, aloud_error *err);

#endif /* ALOUD_DOC_H */
