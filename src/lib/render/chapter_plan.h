/*
 * chapter_plan.h - which paragraphs make each chapter of the file (private
 * to libaloud). The one place where paragraphs are grouped, for every
 * format: the writers are handed the chapters as they are to be written.
 *
 * A chapter may start only at a paragraph that starts one (every paragraph
 * but in a book whose chapters come from its table of contents); such a
 * paragraph and those up to the next are one unit. Every unit is a chapter
 * while they fit in `max`. Past it,
 * consecutive paragraphs are grouped into exactly `max` chapters: a
 * heading starts a group, and otherwise the groups are of about equal
 * duration, estimated before the render from the text's length and the
 * voice's rate and pauses (the writers of FLAC and MP3 need the chapter
 * titles before any audio). With more sections between headings than
 * `max`, whole sections are grouped the same way, so every chapter still
 * starts at a heading. A chapter is titled by its first paragraph.
 */
#ifndef ALOUD_CHAPTER_PLAN_H
#define ALOUD_CHAPTER_PLAN_H

#include <stddef.h>

#include "aloud.h"

typedef struct chapter_plan {
    size_t count;   /* chapters: min(units, max) */
    size_t *first;  /* the first paragraph of each, ascending, first[0] == 0; owned */
} chapter_plan;

/*
 * Plans the chapters of `doc` (borrowed) for at most `max` (at least 1)
 * chapters, spoken by `voice` (its rate and pauses; borrowed). ALOUD_ERR_NOMEM
 * or ALOUD_ERR_ARG; *out is zeroed on failure. Free with chapter_plan_free().
 */
aloud_status chapter_plan_make(const aloud_doc *doc, const aloud_voice *voice, size_t max,
                               chapter_plan *out, aloud_error *err);

/* Frees what *plan owns and zeroes it. NULL is a no-op. */
void chapter_plan_free(chapter_plan *plan);

#endif /* ALOUD_CHAPTER_PLAN_H */
