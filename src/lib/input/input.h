/*
 * input.h - the input front ends (private to libaloud): each reads one kind
 * of input into a doc_builder (text/doc.h), which makes the document just
 * as aloud_doc_parse() does from plain text.
 */
#ifndef ALOUD_INPUT_H
#define ALOUD_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "aloud.h"
#include "doc.h"

/* Markdown (md4c): data[0..size) borrowed, checked to be UTF-8 first. */
aloud_status md_read(doc_builder *b, const char *data, size_t size, aloud_error *err);

/* How an HTML page is read. */
typedef struct html_opts {
    bool find_main;       /* a web page: find the main text and read only it;
                             false (an EPUB's chapter): read all of <body> */
    bool read_captions;   /* read <figcaption> */
} html_opts;

/* A chapter start an EPUB asks html_read() to mark: the element with this
 * id (or the start of the document, for an empty id). */
typedef struct html_mark {
    const char *id;       /* borrowed */
    const char *label;    /* the chapter title, borrowed */
} html_mark;

/*
 * HTML (gumbo): data[0..size) borrowed; a declared charset other than
 * UTF-8 is converted (iconv). Title, author and language go to the
 * builder's metadata when find_main (a web page). `marks` (may be NULL)
 * are chapter starts, in any order; each is used once.
 */
aloud_status html_read(doc_builder *b, const char *data, size_t size, const html_opts *opts,
                       const html_mark *marks, size_t mark_count, aloud_error *err);

/* EPUB (libzip): data[0..size) borrowed, the bytes of the zip. */
aloud_status epub_read(doc_builder *b, const char *data, size_t size, aloud_error *err);

#endif /* ALOUD_INPUT_H */
