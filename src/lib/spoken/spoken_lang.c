/*
 * spoken_lang.c - a document's language and its paragraphs' (aloud.h):
 * detected on a bounded sample of the sentences, so that neither time nor
 * memory grows with the length of the text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aloud.h"
#include "doc.h"
#include "lang_id.h"
#include "utf8.h"

#define SPOKEN_SAMPLE_BYTES (LANG_SLICE_BYTES * LANG_SLICES)

/* A sample of a run of sentences: up to SPOKEN_SAMPLE_BYTES, in LANG_SLICES
 * slices spread over the run, each a run of whole sentences (the last one
 * cut at a character). */
typedef struct spoken_sample {
    char text[SPOKEN_SAMPLE_BYTES + LANG_SLICES + 1]; /* a space after each sentence, a NUL */
    size_t used;
    size_t chars;  /* characters in the run sampled (all of it, not only the sample) */
} spoken_sample;

static void spoken_sample_put(spoken_sample *sm, const char *s, size_t n, size_t room)
{
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(sm->text + sm->used, s, n);
    sm->used += n;
}

static size_t spoken_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/* Samples sentences [first, first + count) of doc: all of them when they
 * fit, else those that overlap LANG_SLICES windows spread evenly over the
 * run, up to LANG_SLICE_BYTES from each. */
static void spoken_sample_take(const aloud_doc *doc, size_t first, size_t count,
                               spoken_sample *sm)
{
    size_t total = 0;
    sm->used = 0;
    sm->chars = 0;
    for (size_t i = first; i < first + count; i++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, i);
        total += sen->length + 1;
        sm->chars += spoken_chars(sen->text, sen->length) + 1;
    }
    size_t slice = LANG_SLICE_BYTES;
    size_t spacing = total > slice ? (total - slice) / (LANG_SLICES - 1) : 0;
    size_t at = 0, window = 0, window_used = 0;
    for (size_t i = first; i < first + count && window < LANG_SLICES; i++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, i);
        size_t n = sen->length + 1;
        bool all = total <= SPOKEN_SAMPLE_BYTES;
        if (all || at + n > window * spacing) {
            size_t room = all ? SPOKEN_SAMPLE_BYTES - sm->used : slice - window_used;
            size_t before = sm->used;
            spoken_sample_put(sm, sen->text, sen->length, room);
            sm->text[sm->used++] = ' ';
            window_used += sm->used - before;
            if (!all && window_used >= slice) {
                window++;
                window_used = 0;
            }
        }
        at += n;
    }
    sm->text[sm->used] = '\0';
}

/* The sentences of the body: all but a title, byline and headings, unless
 * they are all there is. */
static void spoken_doc_sample(const aloud_doc *doc, spoken_sample *sm)
{
    size_t first = 0, last = 0;
    bool any = false;
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (para->kind != ALOUD_PARA_BODY)
            continue;
        if (!any)
            first = para->first_sentence;
        last = para->first_sentence + para->sentence_count;
        any = true;
    }
    if (!any)
        last = aloud_doc_sentence_count(doc);
    spoken_sample_take(doc, first, last - first, sm);
}

void aloud_doc_detect_lang(const aloud_doc *doc, int (*usable)(void *ctx, const char *lang),
                           void *ctx, aloud_lang_guess *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!doc)
        return;
    spoken_sample *sm = malloc(sizeof *sm);
    if (!sm)
        return;
    spoken_doc_sample(doc, sm);
    lang_detect(sm->text, sm->used, usable, ctx, out, NULL);
    /* A language without a voice is read as English, sure or not. */
    if (!usable || (out->lang[0] != '\0' && usable(ctx, out->lang)))
        lang_confirm(sm->text, sm->used, out);
    free(sm);
}

aloud_status aloud_doc_set_lang(aloud_doc *doc, const char *lang, int per_paragraph,
                                int (*usable)(void *ctx, const char *lang), void *ctx,
                                aloud_error *err)
{
    if (!doc || !lang || lang[0] == '\0' || strlen(lang) >= DOC_LANG_SIZE)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no document, or no language code");
    size_t count = aloud_doc_paragraph_count(doc);
    aloud_lang_guess *guesses = NULL;
    const char **own = NULL;
    spoken_sample *sm = NULL;
    if (per_paragraph && count > 0) {
        guesses = calloc(count, sizeof *guesses);
        own = calloc(count, sizeof *own);
        sm = malloc(sizeof *sm);
        if (!guesses || !own || !sm) {
            free(guesses);
            free(own);
            free(sm);
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        }
        for (size_t p = 0; p < count; p++) {
            const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
            spoken_sample_take(doc, para->first_sentence, para->sentence_count, sm);
            if (sm->chars < ALOUD_LANG_PARAGRAPH_MIN)
                continue;
            int share;
            lang_detect(sm->text, sm->used, usable, ctx, &guesses[p], &share);
            /* Another language, not a variety of the document's own ("pt" in a
             * "pt-BR" text). */
            const char *g = guesses[p].lang;
            size_t primary = strcspn(g, "-");
            bool other = strncasecmp(g, lang, primary) != 0 ||
                         (lang[primary] != '\0' && lang[primary] != '-');
            if (share < LANG_PARAGRAPH_PERCENT || !other || (usable && !usable(ctx, g)))
                continue;
            lang_confirm(sm->text, sm->used, &guesses[p]);
            if (guesses[p].reliable)
                own[p] = g;
        }
    }
    aloud_status st = doc_set_lang(doc, lang, own);
    free(guesses);
    free(own);
    free(sm);
    if (st == ALOUD_ERR_NOMEM)
        return aloud_error_set(err, st, 0, 0, "out of memory");
    if (st != ALOUD_OK)
        return aloud_error_set(err, st, 0, 0, "bad language code");
    return ALOUD_OK;
}
